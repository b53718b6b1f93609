/**
 * The shared frame of `sluice bench` suites: each case reports one result line, human-readable or (with --json) one
 * JSON object per line: {"suite","case","records_per_s","mb_per_s",...}.
 */
export interface BenchOptions {
  quick: boolean;
  json: boolean;
  /** Extra flags a suite may read (e.g. --large). */
  flags: Record<string, string | boolean>;
}

export interface BenchResult {
  suite: string;
  case: string;
  records_per_s?: number;
  mb_per_s?: number;
  [extra: string]: unknown;
}

export function report(options: BenchOptions, result: BenchResult): void {
  if (options.json) {
    console.log(JSON.stringify(result));
    return;
  }
  const { suite, case: name, records_per_s, mb_per_s, ...extra } = result;
  const parts = [`${suite}/${name}`.padEnd(36)];
  if (records_per_s !== undefined) parts.push(`${formatRate(records_per_s)} records/s`.padStart(18));
  if (mb_per_s !== undefined) parts.push(`${mb_per_s.toFixed(1)} MB/s`.padStart(14));
  const rest = Object.entries(extra).map(([k, v]) => `${k}=${typeof v === 'number' ? round(v) : String(v)}`);
  if (rest.length) parts.push(`  ${rest.join(' ')}`);
  console.log(parts.join(''));
}

/** Runs `step` (which does `unitsPerStep` units of work) until `minMs` have passed; returns units per second. */
export async function measure(minMs: number, unitsPerStep: number, step: () => unknown): Promise<{ perSecond: number; units: number; ms: number }> {
  const start = performance.now();
  let units = 0;
  let elapsed = 0;
  do {
    for (let i = 0; i < 8; i++) {
      const r = step();
      if (r instanceof Promise) await r;
      units += unitsPerStep;
    }
    elapsed = performance.now() - start;
  } while (elapsed < minMs);
  return { perSecond: (units / elapsed) * 1000, units, ms: elapsed };
}

export function mb(bytes: number): number {
  return bytes / 1e6;
}

function formatRate(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(0);
}

function round(v: number): number {
  return Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 100) / 100;
}
