/**
 * The JSONPath subset KDA mappings use: `$`, `.name`, `['name']` / `["name"]`, `[n]` (one element), and `[0:]` (or
 * `[*]`): every element. A `[0:]` at the end of a column's path gives the array itself (as JSON text in a CHAR/VARCHAR
 * column); followed by more steps it flattens the array into one row per element. Names are case-sensitive.
 */
import { MappingError } from './convert.js';

export type Step = string | number;

export interface ParsedPath {
  /** Steps up to (not including) the flattened array's elements, or all steps when nothing is flattened. */
  steps: Step[];
  /** `$.arr[0:].x`: steps inside each element (here ['x']); null when the path flattens nothing. */
  inner: Step[] | null;
  /** The path ends in `[0:]` (an array as a whole). */
  wholeArray: boolean;
}

export function parsePath(path: string): ParsedPath {
  const bad = (why: string): never => {
    throw new MappingError(`bad JSONPath '${path}': ${why}`);
  };
  if (path[0] !== '$') bad('it must start with $');
  const steps: Step[] = [];
  let inner: Step[] | null = null;
  let cur = steps;
  let i = 1;
  let endsWithAll = false;
  while (i < path.length) {
    endsWithAll = false;
    const c = path[i];
    if (c === '.') {
      let j = i + 1;
      while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
      if (j === i + 1) bad(`empty name at ${i}`);
      cur.push(path.slice(i + 1, j));
      i = j;
    } else if (c === '[') {
      const close = path.indexOf(']', i);
      if (close < 0) bad('unclosed [');
      const body = path.slice(i + 1, close).trim();
      if (body === '0:' || body === '*' || body === ':') {
        if (inner) bad('at most one array can be flattened');
        inner = [];
        cur = inner;
        endsWithAll = true;
      } else if (/^\d+$/.test(body)) {
        cur.push(Number(body));
      } else if (/^'[^']*'$|^"[^"]*"$/.test(body)) {
        cur.push(body.slice(1, -1));
      } else bad(`unsupported selector [${body}]`);
      i = close + 1;
    } else bad(`unexpected '${c}' at ${i}`);
  }
  if (inner && inner.length === 0 && endsWithAll) return { steps, inner: null, wholeArray: true };
  return { steps, inner, wholeArray: false };
}

const hasOwn = Object.prototype.hasOwnProperty;

/** The value at `steps` under `v` (undefined when absent). */
export function walk(v: unknown, steps: readonly Step[]): unknown {
  for (let k = 0; k < steps.length; k++) {
    const s = steps[k]!;
    if (typeof s === 'number') {
      if (!Array.isArray(v)) return undefined;
      v = v[s];
    } else {
      if (v === null || typeof v !== 'object' || Array.isArray(v) || !hasOwn.call(v, s)) return undefined;
      v = (v as Record<string, unknown>)[s];
    }
  }
  return v;
}

export const samePath = (a: readonly Step[], b: readonly Step[]) => a.length === b.length && a.every((x, i) => x === b[i]);
