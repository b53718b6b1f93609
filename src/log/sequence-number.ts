import { invalidArgument } from '../util/errors.js';
import { previewValue } from './validate.js';

/**
 * Sequence numbers are 56-digit decimal strings like AWS's, so string order equals numeric order. Each stream has one
 * counter that every shard draws from, which makes sequence numbers unique across the stream's shards and lets a
 * child shard's records always sort after its parents'. The counter stays below 2^53, so it is a plain number.
 */
const WIDTH = 56;
const PREFIX = '49';
const COUNTER_DIGITS = WIDTH - PREFIX.length;
const PATTERN = /^(0|[1-9]\d{0,128})$/;

/** PADDED[d] is the prefix and the zeros that precede a counter of d digits. */
const PADDED = Array.from({ length: COUNTER_DIGITS + 1 }, (_, d) => PREFIX + '0'.repeat(COUNTER_DIGITS - d));

export function formatSequenceNumber(counter: number): string {
  // Runs once per record written: a lookup and one concatenation instead of padStart's fresh padding.
  const digits = String(counter);
  return PADDED[digits.length] + digits;
}

/** Parses a sequence number this log issued back to its counter. */
export function parseSequenceNumber(text: unknown, field = 'SequenceNumber'): number {
  if (typeof text !== 'string' || !PATTERN.test(text)) {
    throw invalidArgument(`${field} must be a decimal string of at most 129 digits, got ${typeof text === 'string' ? JSON.stringify(text) : previewValue(text)}`, field);
  }
  if (text.length !== WIDTH || !text.startsWith(PREFIX)) {
    throw invalidArgument(`${field} ${text} was not issued by this stream`, field);
  }
  const counter = Number(text.slice(PREFIX.length));
  if (!Number.isSafeInteger(counter)) throw invalidArgument(`${field} ${text} is out of range`, field);
  return counter;
}
