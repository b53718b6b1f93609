/**
 * Aggregates of the reference evaluator, computed naively over the array of argument values of a group or frame.
 * NULLs are ignored except by COUNT(*) (and FIRST_VALUE/LAST_VALUE, which take the first/last row's value as is);
 * an empty set (or all NULL) gives NULL, and 0 for COUNT.
 */
import type { Value } from '../../../src/exec/values.js';
import type { SqlType } from '../../../src/sql/bind/types.js';
import { compareValues as compare } from '../../../src/exec/functions/index.js';
import { checkRange, isIntegerKind } from './scalar.js';

export function computeAggregate(name: string, star: boolean, distinct: boolean, values: Value[] | null, rows: number, result: SqlType, _arg: SqlType): Value {
  if (name === 'COUNT' && star) return rows;
  const all = values ?? [];
  let xs: Value[] = all.filter((v) => v !== null);
  if (distinct) {
    const seen: Value[] = [] as Value[];
    for (const x of xs) if (!seen.some((y) => compare(x, y!) === 0)) seen.push(x);
    xs = seen;
  }
  const fix = (v: number): number => (isIntegerKind(result.kind) ? checkRange(Math.trunc(v), result) : result.kind === 'REAL' ? Math.fround(v) : v);
  const nums = xs as number[];
  const mean = () => nums.reduce((a, b) => a + b, 0) / nums.length;
  const ss = () => {
    const m = mean();
    return nums.reduce((a, b) => a + (b - m) * (b - m), 0);
  };
  switch (name) {
    case 'COUNT':
      return xs.length;
    case 'SUM':
      return nums.length === 0 ? null : fix(nums.reduce((a, b) => a + b, 0));
    case 'AVG':
      return nums.length === 0 ? null : fix(nums.reduce((a, b) => a + b, 0) / nums.length);
    case 'MIN':
      return xs.length === 0 ? null : xs.reduce((a, b) => (compare(b!, a!) < 0 ? b : a));
    case 'MAX':
      return xs.length === 0 ? null : xs.reduce((a, b) => (compare(b!, a!) > 0 ? b : a));
    case 'FIRST_VALUE':
      return all.length === 0 ? null : all[0]!;
    case 'LAST_VALUE':
      return all.length === 0 ? null : all[all.length - 1]!;
    case 'VAR_POP':
      return nums.length === 0 ? null : ss() / nums.length;
    case 'VAR_SAMP':
      return nums.length < 2 ? null : ss() / (nums.length - 1);
    case 'STDDEV_POP':
      return nums.length === 0 ? null : Math.sqrt(ss() / nums.length);
    case 'STDDEV':
    case 'STDDEV_SAMP':
      return nums.length < 2 ? null : Math.sqrt(ss() / (nums.length - 1));
    case 'ANY':
      return xs.length === 0 ? null : xs.some((x) => x === true);
    case 'EVERY':
      return xs.length === 0 ? null : xs.every((x) => x === true);
    default:
      throw new Error(`reference: aggregate ${name} is not supported`);
  }
}
