/**
 * The subset of IAM policy evaluation Sluice applies to resource policies (PutResourcePolicy): a request is refused
 * (AccessDeniedException) when a statement of the stream's or consumer's policy with `"Effect": "Deny"` matches it:
 * - `Action` (string or list) matches `kinesis:<Operation>`, with `*` and `?` wildcards, case-insensitively;
 * - `Resource` (string or list) matches the stream's or consumer's ARN, with `*` and `?` wildcards (absent: any);
 * - `Principal` is `"*"`, `{"AWS": "*"}`, or names the caller: its access key id, its account id or
 *   `arn:aws:iam::<account>:root` (a request without a credential is any principal).
 * `NotAction`, `NotResource`, `NotPrincipal` and `Condition` are not evaluated: a statement having any of them is
 * skipped. Allow statements grant nothing beyond the default (every request is allowed unless denied).
 */
export interface Caller {
  accessKeyId?: string;
  accountId: string;
}

type Json = Record<string, unknown>;

const list = (v: unknown): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function glob(pattern: string, value: string, ignoreCase: boolean): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, ignoreCase ? 'is' : 's').test(value);
}

function principalMatches(principal: unknown, caller: Caller): boolean {
  if (principal === undefined) return true;
  if (principal === '*') return true;
  if (caller.accessKeyId === undefined) return true;
  const aws = principal !== null && typeof principal === 'object' ? list((principal as Json).AWS) : list(principal);
  return aws.some((p) => p === '*' || p === caller.accessKeyId || p === caller.accountId || p === `arn:aws:iam::${caller.accountId}:root`);
}

/** Whether the policy document explicitly denies `action` (e.g. `kinesis:PutRecord`) on `resourceArn` to `caller`. */
export function explicitlyDenies(policy: string, action: string, resourceArn: string, caller: Caller): boolean {
  let doc: Json;
  try {
    doc = JSON.parse(policy) as Json;
  } catch {
    return false;
  }
  const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement === undefined ? [] : [doc.Statement];
  return statements.some((raw) => {
    if (raw === null || typeof raw !== 'object') return false;
    const st = raw as Json;
    if (st.Effect !== 'Deny') return false;
    if ('NotAction' in st || 'NotResource' in st || 'NotPrincipal' in st || 'Condition' in st) return false;
    if (!list(st.Action).some((a) => glob(a, action, true))) return false;
    if (st.Resource !== undefined && !list(st.Resource).some((r) => glob(r, resourceArn, false))) return false;
    return principalMatches(st.Principal, caller);
  });
}
