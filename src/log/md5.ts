/**
 * MD5 of partition keys, specialised for the routing hot path: the key's UTF-8 bytes go into one reused buffer and
 * the digest comes out as the four big-endian words routing compares, so hashing a key allocates nothing. Keys are
 * short (at most 256 characters, usually a few dozen bytes: one 64-byte block), where a general-purpose library
 * spends most of its time on per-call setup and on building its output array. Tested against js-md5 and node:crypto.
 */

/** 256 characters of at most 4 UTF-8 bytes each (a string's 256 UTF-16 units take at most 3 each), plus padding and length. */
const MAX_KEY_CHARS = 256;
const BLOCK_BYTES = 64;
const CAPACITY = MAX_KEY_CHARS * 4 + 2 * BLOCK_BYTES;

const bytes = new Uint8Array(CAPACITY);
const utf8 = Buffer.from(bytes.buffer, 0, CAPACITY);
/** Message words read straight from `bytes`: MD5 is little-endian, so this is right on little-endian hosts only. */
const words = new Int32Array(bytes.buffer, 0, CAPACITY >> 2);
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const state = new Int32Array(4);

/**
 * Writes MD5(UTF-8 of `key`) into `out[at..at+4)` as big-endian words, the digest read as a 128-bit integer.
 * Returns the key's UTF-8 length. An unpaired surrogate encodes as U+FFFD, as Buffer writes it (and the log stores it).
 * Keys longer than MAX_KEY_CHARS take `fallback`, which must do the same.
 */
export function md5KeyWords(key: string, out: Uint32Array, at: number, fallback: (key: string, out: Uint32Array, at: number) => number): number {
  if (key.length > MAX_KEY_CHARS || !LITTLE_ENDIAN) return fallback(key, out, at);
  const length = encodeKey(key);
  digest(length, out, at);
  return length;
}

/**
 * The same for a key already in UTF-8, `src[start..end)` (packed appends): at most 1024 bytes, the most 256
 * characters take. Longer input takes `fallback` with the key as a string.
 */
export function md5BytesWords(src: Uint8Array, start: number, end: number, out: Uint32Array, at: number, fallback: (key: string, out: Uint32Array, at: number) => number): void {
  const length = end - start;
  if (length > MAX_KEY_CHARS * 4 || !LITTLE_ENDIAN) {
    fallback(Buffer.from(src.buffer, src.byteOffset + start, length).toString('utf8'), out, at);
    return;
  }
  for (let i = 0; i < length; i++) bytes[i] = src[start + i]!;
  digest(length, out, at);
}

/** MD5 of the `length` bytes in `bytes`, into `out[at..at+4)` as big-endian words. */
function digest(length: number, out: Uint32Array, at: number): void {
  const blocks = pad(length);
  state[0] = 0x67452301;
  state[1] = 0xefcdab89 | 0;
  state[2] = 0x98badcfe | 0;
  state[3] = 0x10325476;
  for (let b = 0; b < blocks; b++) compress(b * 16);
  for (let w = 0; w < 4; w++) out[at + w] = byteSwap(state[w]!);
}

/** The key's UTF-8 bytes into `bytes`; returns their count. ASCII (the common case) skips the native call. */
function encodeKey(key: string): number {
  const n = key.length;
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i);
    if (c >= 0x80) return utf8.write(key, 0, 'utf8');
    bytes[i] = c;
  }
  return n;
}

/** The previous key's byte length and padded end: the bytes its padding leaves non-zero. */
let lastLength = 0;
let lastEnd = BLOCK_BYTES;

/** Appends MD5's padding (0x80, zeros, the bit length) after `length` bytes; returns the number of blocks. */
function pad(length: number): number {
  const blocks = ((length + 8) >> 6) + 1;
  const end = blocks * BLOCK_BYTES;
  bytes[length] = 0x80;
  // Between the 0x80 and the bit length only the previous key's bytes can be non-zero (or, if it took a different
  // number of blocks, its bit length too): zeroing just those, not the whole gap, was a third of the hash's time.
  const dirtyTo = lastEnd === end ? Math.min(lastLength + 1, end - 8) : end - 8;
  for (let i = length + 1; i < dirtyTo; i++) bytes[i] = 0;
  words[(end >> 2) - 2] = length << 3;
  words[(end >> 2) - 1] = length >>> 29;
  lastLength = length;
  lastEnd = end;
  return blocks;
}

function byteSwap(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

/**
 * One 64-byte block at word `m` of `words` into `state`: RFC 1321's 64 steps, written out by hand because V8 does
 * not inline 64 calls of helper functions (with helpers this ran 8× slower). The constants are
 * written as signed int32 and every sum ends in `| 0`, so V8 keeps the arithmetic in int32 registers.
 */
function compress(m: number): void {
  const x = words;
  const x0 = x[m]!, x1 = x[m + 1]!, x2 = x[m + 2]!, x3 = x[m + 3]!, x4 = x[m + 4]!, x5 = x[m + 5]!, x6 = x[m + 6]!, x7 = x[m + 7]!;
  const x8 = x[m + 8]!, x9 = x[m + 9]!, x10 = x[m + 10]!, x11 = x[m + 11]!, x12 = x[m + 12]!, x13 = x[m + 13]!, x14 = x[m + 14]!, x15 = x[m + 15]!;
  let a = state[0]!, b = state[1]!, c = state[2]!, d = state[3]!;

  a = (a + ((b & c) | (~b & d)) + x0 + -680876936) | 0; a = ((a << 7) | (a >>> 25)) + b | 0;
  d = (d + ((a & b) | (~a & c)) + x1 + -389564586) | 0; d = ((d << 12) | (d >>> 20)) + a | 0;
  c = (c + ((d & a) | (~d & b)) + x2 + 606105819) | 0; c = ((c << 17) | (c >>> 15)) + d | 0;
  b = (b + ((c & d) | (~c & a)) + x3 + -1044525330) | 0; b = ((b << 22) | (b >>> 10)) + c | 0;
  a = (a + ((b & c) | (~b & d)) + x4 + -176418897) | 0; a = ((a << 7) | (a >>> 25)) + b | 0;
  d = (d + ((a & b) | (~a & c)) + x5 + 1200080426) | 0; d = ((d << 12) | (d >>> 20)) + a | 0;
  c = (c + ((d & a) | (~d & b)) + x6 + -1473231341) | 0; c = ((c << 17) | (c >>> 15)) + d | 0;
  b = (b + ((c & d) | (~c & a)) + x7 + -45705983) | 0; b = ((b << 22) | (b >>> 10)) + c | 0;
  a = (a + ((b & c) | (~b & d)) + x8 + 1770035416) | 0; a = ((a << 7) | (a >>> 25)) + b | 0;
  d = (d + ((a & b) | (~a & c)) + x9 + -1958414417) | 0; d = ((d << 12) | (d >>> 20)) + a | 0;
  c = (c + ((d & a) | (~d & b)) + x10 + -42063) | 0; c = ((c << 17) | (c >>> 15)) + d | 0;
  b = (b + ((c & d) | (~c & a)) + x11 + -1990404162) | 0; b = ((b << 22) | (b >>> 10)) + c | 0;
  a = (a + ((b & c) | (~b & d)) + x12 + 1804603682) | 0; a = ((a << 7) | (a >>> 25)) + b | 0;
  d = (d + ((a & b) | (~a & c)) + x13 + -40341101) | 0; d = ((d << 12) | (d >>> 20)) + a | 0;
  c = (c + ((d & a) | (~d & b)) + x14 + -1502002290) | 0; c = ((c << 17) | (c >>> 15)) + d | 0;
  b = (b + ((c & d) | (~c & a)) + x15 + 1236535329) | 0; b = ((b << 22) | (b >>> 10)) + c | 0;

  a = (a + ((b & d) | (c & ~d)) + x1 + -165796510) | 0; a = ((a << 5) | (a >>> 27)) + b | 0;
  d = (d + ((a & c) | (b & ~c)) + x6 + -1069501632) | 0; d = ((d << 9) | (d >>> 23)) + a | 0;
  c = (c + ((d & b) | (a & ~b)) + x11 + 643717713) | 0; c = ((c << 14) | (c >>> 18)) + d | 0;
  b = (b + ((c & a) | (d & ~a)) + x0 + -373897302) | 0; b = ((b << 20) | (b >>> 12)) + c | 0;
  a = (a + ((b & d) | (c & ~d)) + x5 + -701558691) | 0; a = ((a << 5) | (a >>> 27)) + b | 0;
  d = (d + ((a & c) | (b & ~c)) + x10 + 38016083) | 0; d = ((d << 9) | (d >>> 23)) + a | 0;
  c = (c + ((d & b) | (a & ~b)) + x15 + -660478335) | 0; c = ((c << 14) | (c >>> 18)) + d | 0;
  b = (b + ((c & a) | (d & ~a)) + x4 + -405537848) | 0; b = ((b << 20) | (b >>> 12)) + c | 0;
  a = (a + ((b & d) | (c & ~d)) + x9 + 568446438) | 0; a = ((a << 5) | (a >>> 27)) + b | 0;
  d = (d + ((a & c) | (b & ~c)) + x14 + -1019803690) | 0; d = ((d << 9) | (d >>> 23)) + a | 0;
  c = (c + ((d & b) | (a & ~b)) + x3 + -187363961) | 0; c = ((c << 14) | (c >>> 18)) + d | 0;
  b = (b + ((c & a) | (d & ~a)) + x8 + 1163531501) | 0; b = ((b << 20) | (b >>> 12)) + c | 0;
  a = (a + ((b & d) | (c & ~d)) + x13 + -1444681467) | 0; a = ((a << 5) | (a >>> 27)) + b | 0;
  d = (d + ((a & c) | (b & ~c)) + x2 + -51403784) | 0; d = ((d << 9) | (d >>> 23)) + a | 0;
  c = (c + ((d & b) | (a & ~b)) + x7 + 1735328473) | 0; c = ((c << 14) | (c >>> 18)) + d | 0;
  b = (b + ((c & a) | (d & ~a)) + x12 + -1926607734) | 0; b = ((b << 20) | (b >>> 12)) + c | 0;

  a = (a + (b ^ c ^ d) + x5 + -378558) | 0; a = ((a << 4) | (a >>> 28)) + b | 0;
  d = (d + (a ^ b ^ c) + x8 + -2022574463) | 0; d = ((d << 11) | (d >>> 21)) + a | 0;
  c = (c + (d ^ a ^ b) + x11 + 1839030562) | 0; c = ((c << 16) | (c >>> 16)) + d | 0;
  b = (b + (c ^ d ^ a) + x14 + -35309556) | 0; b = ((b << 23) | (b >>> 9)) + c | 0;
  a = (a + (b ^ c ^ d) + x1 + -1530992060) | 0; a = ((a << 4) | (a >>> 28)) + b | 0;
  d = (d + (a ^ b ^ c) + x4 + 1272893353) | 0; d = ((d << 11) | (d >>> 21)) + a | 0;
  c = (c + (d ^ a ^ b) + x7 + -155497632) | 0; c = ((c << 16) | (c >>> 16)) + d | 0;
  b = (b + (c ^ d ^ a) + x10 + -1094730640) | 0; b = ((b << 23) | (b >>> 9)) + c | 0;
  a = (a + (b ^ c ^ d) + x13 + 681279174) | 0; a = ((a << 4) | (a >>> 28)) + b | 0;
  d = (d + (a ^ b ^ c) + x0 + -358537222) | 0; d = ((d << 11) | (d >>> 21)) + a | 0;
  c = (c + (d ^ a ^ b) + x3 + -722521979) | 0; c = ((c << 16) | (c >>> 16)) + d | 0;
  b = (b + (c ^ d ^ a) + x6 + 76029189) | 0; b = ((b << 23) | (b >>> 9)) + c | 0;
  a = (a + (b ^ c ^ d) + x9 + -640364487) | 0; a = ((a << 4) | (a >>> 28)) + b | 0;
  d = (d + (a ^ b ^ c) + x12 + -421815835) | 0; d = ((d << 11) | (d >>> 21)) + a | 0;
  c = (c + (d ^ a ^ b) + x15 + 530742520) | 0; c = ((c << 16) | (c >>> 16)) + d | 0;
  b = (b + (c ^ d ^ a) + x2 + -995338651) | 0; b = ((b << 23) | (b >>> 9)) + c | 0;

  a = (a + (c ^ (b | ~d)) + x0 + -198630844) | 0; a = ((a << 6) | (a >>> 26)) + b | 0;
  d = (d + (b ^ (a | ~c)) + x7 + 1126891415) | 0; d = ((d << 10) | (d >>> 22)) + a | 0;
  c = (c + (a ^ (d | ~b)) + x14 + -1416354905) | 0; c = ((c << 15) | (c >>> 17)) + d | 0;
  b = (b + (d ^ (c | ~a)) + x5 + -57434055) | 0; b = ((b << 21) | (b >>> 11)) + c | 0;
  a = (a + (c ^ (b | ~d)) + x12 + 1700485571) | 0; a = ((a << 6) | (a >>> 26)) + b | 0;
  d = (d + (b ^ (a | ~c)) + x3 + -1894986606) | 0; d = ((d << 10) | (d >>> 22)) + a | 0;
  c = (c + (a ^ (d | ~b)) + x10 + -1051523) | 0; c = ((c << 15) | (c >>> 17)) + d | 0;
  b = (b + (d ^ (c | ~a)) + x1 + -2054922799) | 0; b = ((b << 21) | (b >>> 11)) + c | 0;
  a = (a + (c ^ (b | ~d)) + x8 + 1873313359) | 0; a = ((a << 6) | (a >>> 26)) + b | 0;
  d = (d + (b ^ (a | ~c)) + x15 + -30611744) | 0; d = ((d << 10) | (d >>> 22)) + a | 0;
  c = (c + (a ^ (d | ~b)) + x6 + -1560198380) | 0; c = ((c << 15) | (c >>> 17)) + d | 0;
  b = (b + (d ^ (c | ~a)) + x13 + 1309151649) | 0; b = ((b << 21) | (b >>> 11)) + c | 0;
  a = (a + (c ^ (b | ~d)) + x4 + -145523070) | 0; a = ((a << 6) | (a >>> 26)) + b | 0;
  d = (d + (b ^ (a | ~c)) + x11 + -1120210379) | 0; d = ((d << 10) | (d >>> 22)) + a | 0;
  c = (c + (a ^ (d | ~b)) + x2 + 718787259) | 0; c = ((c << 15) | (c >>> 17)) + d | 0;
  b = (b + (d ^ (c | ~a)) + x9 + -343485551) | 0; b = ((b << 21) | (b >>> 11)) + c | 0;

  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
}
