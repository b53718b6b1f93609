/**
 * A hash table from group keys to dense group numbers (0, 1, 2, ... in order of first appearance), in typed arrays.
 * Key values are turned into numbers first: numbers and times are themselves, booleans 0/1, strings and binary values
 * an id from the table's own byte dictionary (looked up by the bytes where they lie, so no JS string is made per row;
 * freed with the table when a window closes), NULL a flag. No string is ever concatenated to make a key.
 */
import type { SqlType } from '../sql/bind/types.js';
import { ByteDictionary } from './byte-dictionary.js';
import { ColumnBuilder, isNull, readNumber, readValue, storageOf, viewOf, type ColumnView } from './columns.js';
import type { Value } from './values.js';

const EMPTY = -1;

export class GroupTable {
  /** Number of groups. */
  size = 0;
  private codes: Float64Array;
  private nulls: Uint8Array;
  private slots: Int32Array;
  private mask: number;
  private readonly dictionary = new ByteDictionary();
  /** Key positions whose codes are ids in `dictionary` (text or binary keys), learnt as rows are encoded. */
  private readonly text: Uint8Array;
  private readonly scratch: Float64Array;
  private readonly scratchNulls: Uint8Array;
  /** One text key: the group of each dictionary id, EMPTY when none yet (see textGroupsOf). */
  private byId = new Int32Array(0);
  private readonly bits = new Float64Array(1);
  private readonly halves = new Int32Array(this.bits.buffer);

  constructor(
    private readonly width: number,
    capacity = 16,
  ) {
    const cap = 1 << Math.ceil(Math.log2(Math.max(capacity, 16)));
    this.slots = new Int32Array(cap * 2).fill(EMPTY);
    this.mask = cap * 2 - 1;
    this.codes = new Float64Array(cap * Math.max(width, 1));
    this.nulls = new Uint8Array(cap * Math.max(width, 1));
    this.scratch = new Float64Array(Math.max(width, 1));
    this.text = new Uint8Array(Math.max(width, 1));
    this.scratchNulls = new Uint8Array(Math.max(width, 1));
  }

  /** The group of row `i` of the key columns, added if new. */
  groupOf(keys: readonly ColumnView[], i: number): number {
    return this.findOrInsert(this.encode(keys, i, true)!, true);
  }

  /** groupOf() for rows from ≤ i < to, into out[i]: one call per batch (or run of rows) keeps the loop here. */
  groupsOf(keys: readonly ColumnView[], from: number, to: number, out: Int32Array): void {
    const c = keys[0];
    if (this.width === 1 && (c!.kind === 'utf8' || c!.kind === 'bin')) return this.textGroupsOf(c!, from, to, out);
    for (let i = from; i < to; i++) out[i] = this.findOrInsert(this.encode(keys, i, true)!, true);
  }

  /**
   * groupsOf() for one text key, the commonest PARTITION BY / GROUP BY: the string's dictionary id gives the group
   * through `byId`, so a row costs one dictionary lookup instead of that and a second hash probe.
   */
  private textGroupsOf(c: ColumnView, from: number, to: number, out: Int32Array): void {
    const bytes = c.values as Uint8Array;
    const offsets = c.offsets!;
    const keys = [c];
    for (let i = from; i < to; i++) {
      if (isNull(c, i)) {
        out[i] = this.groupOf(keys, i);
        continue;
      }
      const id = this.dictionary.intern(bytes, offsets[i]!, offsets[i + 1]!, true);
      let g = id < this.byId.length ? this.byId[id]! : EMPTY;
      if (g === EMPTY) {
        g = this.groupOf(keys, i);
        if (id >= this.byId.length) this.growById(id);
        this.byId[id] = g;
      }
      out[i] = g;
    }
  }

  private growById(id: number): void {
    const next = new Int32Array(Math.max(16, 2 * (id + 1))).fill(EMPTY);
    next.set(this.byId);
    this.byId = next;
  }

  /** The group with the same key as group `g` of another table of the same key columns, added if new. */
  groupLike(other: GroupTable, g: number): number {
    const w = this.width;
    for (let k = 0; k < w; k++) {
      const nul = other.nulls[g * w + k]!;
      let code = other.codes[g * w + k]!;
      if (other.text[k] === 1 && nul === 0) {
        this.text[k] = 1;
        const bytes = other.dictionary.bytes(code);
        code = this.dictionary.intern(bytes, 0, bytes.length, true);
      }
      this.scratch[k] = code;
      this.scratchNulls[k] = nul;
    }
    return this.findOrInsert(this.hash(this.scratch, this.scratchNulls, 0), true);
  }

  /** The group of row `i` of the key columns, or -1 when there is none. */
  find(keys: readonly ColumnView[], i: number): number {
    const h = this.encode(keys, i, false);
    return h === undefined ? -1 : this.findOrInsert(h, false);
  }

  /** Put row i's key codes in the scratch arrays; returns their hash (undefined: a string no group has). */
  private encode(keys: readonly ColumnView[], i: number, insert: boolean): number | undefined {
    for (let k = 0; k < this.width; k++) {
      const c = keys[k]!;
      let code = 0;
      let nul = 0;
      if (isNull(c, i)) nul = 1;
      else if (c.kind === 'utf8' || c.kind === 'bin') {
        this.text[k] = 1;
        code = this.dictionary.intern(c.values as Uint8Array, c.offsets![i]!, c.offsets![i + 1]!, insert);
        if (code < 0) return undefined;
      }
      else if (c.kind === 'bool') code = readValue(c, i) ? 1 : 0;
      else code = readNumber(c, i);
      this.scratch[k] = code;
      this.scratchNulls[k] = nul;
    }
    return this.hash(this.scratch, this.scratchNulls, 0);
  }

  private hash(codes: Float64Array, nulls: Uint8Array, base: number): number {
    let h = 0x9e3779b9 | 0;
    for (let k = 0; k < this.width; k++) {
      this.bits[0] = codes[base + k]!;
      h = Math.imul(h ^ this.halves[0]!, 0x85ebca6b) ^ Math.imul(this.halves[1]! ^ (nulls[base + k]! << 7), 0xc2b2ae35);
      h ^= h >>> 15;
    }
    return h;
  }

  private findOrInsert(hash: number, insert: boolean): number {
    const w = this.width;
    for (let p = hash & this.mask; ; p = (p + 1) & this.mask) {
      const g = this.slots[p]!;
      if (g === EMPTY) {
        if (!insert) return -1;
        const id = this.size;
        if ((id + 1) * Math.max(w, 1) > this.codes.length) this.growCodes();
        for (let k = 0; k < w; k++) {
          this.codes[id * w + k] = this.scratch[k]!;
          this.nulls[id * w + k] = this.scratchNulls[k]!;
        }
        this.slots[p] = id;
        this.size++;
        if (this.size * 2 > this.slots.length) this.rehash();
        return id;
      }
      let same = true;
      for (let k = 0; k < w && same; k++) {
        same = this.nulls[g * w + k] === this.scratchNulls[k] && (this.scratchNulls[k] === 1 || this.codes[g * w + k] === this.scratch[k]);
      }
      if (same) return g;
    }
  }

  private growCodes(): void {
    const codes = new Float64Array(this.codes.length * 2);
    codes.set(this.codes);
    this.codes = codes;
    const nulls = new Uint8Array(this.nulls.length * 2);
    nulls.set(this.nulls);
    this.nulls = nulls;
  }

  /** Double the slot array and re-place every group, recomputing its hash from the stored codes. */
  private rehash(): void {
    const w = this.width;
    this.slots = new Int32Array(this.slots.length * 2).fill(EMPTY);
    this.mask = this.slots.length - 1;
    for (let g = 0; g < this.size; g++) {
      const h = this.hash(this.codes, this.nulls, g * w);
      let p = h & this.mask;
      while (this.slots[p] !== EMPTY) p = (p + 1) & this.mask;
      this.slots[p] = g;
    }
  }

  /** Key k of group g as a value of the given storage kind. */
  keyValue(g: number, k: number, kind: ColumnView['kind']): Value {
    const w = this.width;
    if (this.nulls[g * w + k] === 1) return null;
    const code = this.codes[g * w + k]!;
    if (kind === 'utf8') return this.dictionary.text(code);
    if (kind === 'bin') return this.dictionary.bytes(code).slice();
    if (kind === 'bool') return code === 1;
    return code;
  }

  /** Every group's key values, in group order: the table's part of a checkpoint. */
  savedKeys(types: readonly SqlType[]): Value[][] {
    const kinds = types.map(storageOf);
    return Array.from({ length: this.size }, (_, g) => kinds.map((kind, k) => this.keyValue(g, k, kind)));
  }

  /**
   * Add groups from key values (saved ones, or another table's), in order, so they get the same group numbers as
   * when saved; returns each row's group.
   */
  loadKeys(types: readonly SqlType[], keys: readonly Value[][]): number[] {
    const views = types.map((type, k) => {
      const b = new ColumnBuilder(type, keys.length);
      for (const values of keys) b.append(values[k] ?? null);
      return viewOf(b.finish());
    });
    return keys.map((_, i) => this.groupOf(views, i));
  }
}
