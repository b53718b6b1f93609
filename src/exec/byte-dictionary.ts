/**
 * Interned byte strings: each distinct byte sequence (a UTF-8 string or a binary value) gets a dense id, found by
 * hashing the bytes where they lie, so a row's key is looked up without making a JS string. The bytes are kept in one
 * growing arena; ids are only decoded to text when a key is written out.
 */
import { decodeUtf8 } from './columns.js';

const EMPTY = -1;

export class ByteDictionary {
  private arena = new Uint8Array(1024);
  private used = 0;
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  private hashes = new Int32Array(64);
  private count = 0;
  private slots = new Int32Array(128).fill(EMPTY);
  private mask = 127;

  /** The id of bytes[start, end), added when `insert` (else -1 when unknown). */
  intern(bytes: Uint8Array, start: number, end: number, insert: boolean): number {
    let h = 0x811c9dc5 | 0;
    for (let k = start; k < end; k++) h = Math.imul(h ^ bytes[k]!, 0x01000193);
    const length = end - start;
    for (let p = h & this.mask; ; p = (p + 1) & this.mask) {
      const id = this.slots[p]!;
      if (id === EMPTY) return insert ? this.add(p, h, bytes, start, end) : -1;
      if (this.hashes[id] !== h || this.ends[id]! - this.starts[id]! !== length) continue;
      const at = this.starts[id]!;
      let same = true;
      for (let k = 0; k < length && same; k++) same = this.arena[at + k] === bytes[start + k];
      if (same) return id;
    }
  }

  private add(slot: number, hash: number, bytes: Uint8Array, start: number, end: number): number {
    const id = this.count++;
    if (id === this.starts.length) this.growIds();
    const length = end - start;
    if (this.used + length > this.arena.length) {
      const next = new Uint8Array(Math.max(this.arena.length * 2, this.used + length));
      next.set(this.arena.subarray(0, this.used));
      this.arena = next;
    }
    this.arena.set(bytes.subarray(start, end), this.used);
    this.starts[id] = this.used;
    this.ends[id] = this.used + length;
    this.used += length;
    this.hashes[id] = hash;
    this.slots[slot] = id;
    if (this.count * 2 > this.slots.length) this.rehash();
    return id;
  }

  private growIds(): void {
    const grow = (a: Int32Array) => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.starts = grow(this.starts);
    this.ends = grow(this.ends);
    this.hashes = grow(this.hashes);
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2).fill(EMPTY);
    this.mask = this.slots.length - 1;
    for (let id = 0; id < this.count; id++) {
      let p = this.hashes[id]! & this.mask;
      while (this.slots[p] !== EMPTY) p = (p + 1) & this.mask;
      this.slots[p] = id;
    }
  }

  /** The bytes of an id (a view of the arena: copy before keeping it past the next intern). */
  bytes(id: number): Uint8Array {
    return this.arena.subarray(this.starts[id]!, this.ends[id]!);
  }

  text(id: number): string {
    return decodeUtf8(this.arena, this.starts[id]!, this.ends[id]!);
  }
}
