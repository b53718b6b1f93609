/**
 * Calling the functions an application names by ARN (preprocessing and Lambda outputs): a JS function embedded by the
 * caller, or, when the ARN is an http(s) URL, a POST of the JSON request to it. The request and reply shapes are
 * the documented Lambda contracts.
 */

export type AppFunction = (request: unknown) => Promise<unknown>;

export function resolveFunction(arn: string, functions: Record<string, AppFunction> | undefined): AppFunction {
  const local = functions?.[arn];
  if (local) return local;
  if (/^https?:\/\//.test(arn)) return (request) => postJson(arn, request);
  throw new Error(`no function for ${arn}: pass it in \`functions\` or use an http(s) URL`);
}

async function postJson(url: string, request: unknown): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}`);
  return res.json();
}

export interface PreprocessReply {
  records: { recordId: string; result: 'Ok' | 'Dropped' | 'ProcessingFailed'; data?: string }[];
}

export interface DeliveryReply {
  records: { recordId: string; result: 'Ok' | 'DeliveryFailed' }[];
}

/** The reply's records by id; throws when the reply is not of the documented shape (the call is then retried). */
export function repliesById<T extends { recordId: string; result: string }>(reply: unknown, allowed: readonly string[]): Map<string, T> {
  const records = (reply as { records?: unknown } | null)?.records;
  if (!Array.isArray(records)) throw new Error('function reply has no records list');
  const byId = new Map<string, T>();
  for (const r of records as T[]) {
    if (typeof r?.recordId !== 'string' || !allowed.includes(r.result)) throw new Error(`function reply record ${JSON.stringify(r)} is malformed`);
    byId.set(r.recordId, r);
  }
  return byId;
}
