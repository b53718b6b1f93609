/**
 * SQL ordering of two non-null values of comparable types: numbers (and every datetime and interval, which are numbers)
 * numerically, with NaN above everything and equal to itself (as Java's Double.compare); strings by UTF-16 code units
 * (no trailing-space padding for CHAR: values of CHAR(n) columns are already padded to n); booleans false < true;
 * binary strings bytewise, a shorter prefix first.
 */
import type { Value } from '../values.js';

export function compareValues(a: Value, b: Value): number {
  if (typeof a === 'number') return compareNumbers(a, b as number);
  if (typeof a === 'string') return a < (b as string) ? -1 : a > (b as string) ? 1 : 0;
  if (typeof a === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Uint8Array) return compareBytes(a, b as Uint8Array);
  return 0;
}

export function compareNumbers(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  // at least one NaN
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  return an === bn ? 0 : an ? 1 : -1;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
