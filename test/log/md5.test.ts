/**
 * The routing hash: md5.ts's allocation-free MD5 of partition keys must agree with js-md5 (the library it replaced on
 * the hot path) and node:crypto for every key, including keys that are not well-formed UTF-16 and keys of every length
 * around MD5's block boundaries, hashed one after another through its one reused buffer.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { md5 } from 'js-md5';
import { describe, expect, it } from 'vitest';
import { libraryKeyWords, partitionKeyWords } from '../../src/log/hash-key.js';

/** The key's MD5 as hex, by node:crypto (which, like the log, encodes an unpaired surrogate as U+FFFD). */
const cryptoHex = (key: string) => createHash('md5').update(key, 'utf8').digest('hex');
/** The same by js-md5, given the well-formed key (js-md5 encodes an unpaired surrogate its own way). */
const jsMd5Hex = (key: string) => md5.hex(key.toWellFormed());

function hashed(fn: (key: string, out: Uint32Array, at: number) => number, key: string) {
  const out = new Uint32Array(6).fill(0xdeadbeef);
  const length = fn(key, out, 1);
  // Only out[1..5) is the hash's to write.
  expect(out[0]).toBe(0xdeadbeef);
  expect(out[5]).toBe(0xdeadbeef);
  return { hex: [...out.subarray(1, 5)].map((w) => w.toString(16).padStart(8, '0')).join(''), length };
}

function expectAgrees(key: string) {
  const { hex, length } = hashed(partitionKeyWords, key);
  expect(hex, JSON.stringify(key)).toBe(cryptoHex(key));
  expect(hex, JSON.stringify(key)).toBe(jsMd5Hex(key));
  expect(length).toBe(Buffer.byteLength(key, 'utf8'));
}

/** Keys up to 300 characters (past the 256 the log accepts, to cover the fallback too) of several alphabets. */
const keyArb = fc.oneof(
  fc.string({ minLength: 0, maxLength: 300, unit: 'grapheme-ascii' }),
  fc.string({ minLength: 0, maxLength: 300, unit: 'binary' }),
  fc.string({ minLength: 0, maxLength: 80, unit: fc.constantFrom('a', 'é', '€', '😀', '\ud800', '\udc00') }),
  fc.integer({ min: 0, max: 300 }).map((n) => 'k'.repeat(n)),
);

describe('partition key MD5', () => {
  it('agrees with js-md5 and node:crypto for any sequence of keys', () => {
    fc.assert(
      fc.property(fc.array(keyArb, { minLength: 1, maxLength: 20 }), (keys) => {
        for (const key of keys) expectAgrees(key);
      }),
      { seed: 20261126, numRuns: 400 },
    );
  });

  it('agrees at every length around the block boundaries, whatever length came before', () => {
    // The reused buffer only re-zeroes what the previous key dirtied: a short key after a long one (and after one of
    // another block count) must still hash as if the buffer were fresh.
    const lengths = Array.from({ length: 131 }, (_, n) => n);
    for (const previous of [0, 1, 54, 55, 56, 63, 64, 119, 120, 130, 256]) {
      for (const n of lengths) {
        partitionKeyWords('x'.repeat(previous), new Uint32Array(4), 0);
        expectAgrees('y'.repeat(n));
        expectAgrees('é'.repeat(n >> 1) + 'z'.repeat(n & 1));
      }
    }
  });

  it('the js-md5 path used for over-long keys agrees too', () => {
    for (const key of ['', 'a', 'é\ud800', 'k'.repeat(257), '😀'.repeat(300)]) {
      expect(hashed(libraryKeyWords, key).hex).toBe(cryptoHex(key));
    }
  });
});
