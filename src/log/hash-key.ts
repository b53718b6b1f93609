import { md5 } from 'js-md5';
import { invalidArgument } from '../util/errors.js';
import { md5BytesWords, md5KeyWords } from './md5.js';
import { previewValue } from './validate.js';

/**
 * Hash keys are unsigned 128-bit integers. Metadata keeps them as decimal strings (as AWS shows them) and BigInts;
 * the routing hot path keeps them as four 32-bit words so no BigInt is made per record.
 */
export const HASH_KEY_SPACE = 1n << 128n;
export const MAX_HASH_KEY = HASH_KEY_SPACE - 1n;

export interface HashKeyRange {
  start: bigint;
  end: bigint;
}

/** CreateStream's split of the key space: shard i starts at floor(2^128/n)·i; the last one ends at 2^128−1. */
export function evenRanges(count: number): HashKeyRange[] {
  const width = HASH_KEY_SPACE / BigInt(count);
  const ranges: HashKeyRange[] = [];
  for (let i = 0; i < count; i++) {
    const start = width * BigInt(i);
    const end = i === count - 1 ? MAX_HASH_KEY : width * BigInt(i + 1) - 1n;
    ranges.push({ start, end });
  }
  return ranges;
}

/** A 128-bit key as four big-endian 32-bit words, written into `out` at `at`. */
export function writeWords(key: bigint, out: Uint32Array, at: number): void {
  for (let w = 3; w >= 0; w--) {
    out[at + w] = Number(key & 0xffffffffn);
    key >>= 32n;
  }
}

/**
 * MD5 of the partition key's UTF-8 bytes, as words; returns the key's UTF-8 length (which the append path needs too,
 * so the key is encoded once). Keys of up to 256 characters (every valid one) take md5.ts's allocation-free MD5:
 * node:crypto's fixed cost per call dominates for keys this short (0.9 M hashes/s), and js-md5 allocates per call.
 */
export function partitionKeyWords(partitionKey: string, out: Uint32Array, at: number): number {
  return md5KeyWords(partitionKey, out, at, libraryKeyWords);
}

/** The same for a partition key given as UTF-8 bytes, `src[start..end)` (packed appends). */
export function packedKeyWords(src: Uint8Array, start: number, end: number, out: Uint32Array, at: number): void {
  md5BytesWords(src, start, end, out, at, libraryKeyWords);
}

/** The same through js-md5, for keys too long for md5.ts's buffer (only tools and tests pass those). */
export function libraryKeyWords(partitionKey: string, out: Uint32Array, at: number): number {
  // The key as the log stores it: UTF-8 writes U+FFFD for an unpaired surrogate, while js-md5 would hash its own
  // encoding of it. Hashing the stored form keeps routing in agreement with the key a reader gets back.
  const key = partitionKey.isWellFormed() ? partitionKey : partitionKey.toWellFormed();
  const b = md5.array(key);
  out[at] = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  out[at + 1] = ((b[4]! << 24) | (b[5]! << 16) | (b[6]! << 8) | b[7]!) >>> 0;
  out[at + 2] = ((b[8]! << 24) | (b[9]! << 16) | (b[10]! << 8) | b[11]!) >>> 0;
  out[at + 3] = ((b[12]! << 24) | (b[13]! << 16) | (b[14]! << 8) | b[15]!) >>> 0;
  return Buffer.byteLength(key, 'utf8');
}

/** MD5 of the partition key as a BigInt: for tests and tools, not the hot path. */
export function partitionKeyHash(partitionKey: string): bigint {
  const words = new Uint32Array(4);
  partitionKeyWords(partitionKey, words, 0);
  return wordsToBigInt(words, 0);
}

export function wordsToBigInt(words: Uint32Array, at: number): bigint {
  let v = 0n;
  for (let w = 0; w < 4; w++) v = (v << 32n) | BigInt(words[at + w]!);
  return v;
}

/** -1, 0 or 1 as key `a` (at `ai` in `aw`) is below, equal to or above key `b`. */
export function compareWords(aw: Uint32Array, ai: number, bw: Uint32Array, bi: number): number {
  for (let w = 0; w < 4; w++) {
    const x = aw[ai + w]!;
    const y = bw[bi + w]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

const DECIMAL_KEY = /^(0|[1-9]\d{0,38})$/;

/** Parses a decimal hash key (ExplicitHashKey, StartingHashKey, NewStartingHashKey), checking it is within 0..2^128−1. */
export function parseHashKey(text: unknown, field: string): bigint {
  if (typeof text !== 'string' || !DECIMAL_KEY.test(text)) {
    throw invalidArgument(`${field} must be a decimal integer in 0..2^128-1 without leading zeros, got ${preview(text)}`, field);
  }
  const key = BigInt(text);
  if (key > MAX_HASH_KEY) throw invalidArgument(`${field} ${text} is greater than 2^128-1`, field);
  return key;
}

function preview(value: unknown): string {
  const s = typeof value === 'string' ? JSON.stringify(value) : previewValue(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
