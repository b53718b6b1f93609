/**
 * Checkpoints: one JSON file per application, replaced atomically (temp file, fsync, rename), so a crash mid-write
 * leaves the previous checkpoint intact. Values JSON cannot carry (±Infinity, NaN, bigint, bytes) are tagged, because
 * operator state and rowtime bounds hold them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../log/storage.js';
import type { ReaderCheckpoint } from '../log/index.js';

export interface OutputProgress {
  /** Rows this output has been given so far (the next row's index). */
  produced: number;
  /** Encoded records not yet acknowledged by the destination, by row index. */
  pending: { index: number; data: Uint8Array }[];
  /** For a log-stream output: where its destination stream ended when the checkpoint was taken. */
  destination?: ReaderCheckpoint;
}

export interface Checkpoint {
  version: 1;
  /** CURRENT_TIMESTAMP of the run: fixed at the first start, so a restart computes the same rows. */
  startTime: number;
  bound: number;
  /** Input records consumed since the first start. */
  recordsIn: number;
  /** Per input (by index in Inputs): the first record not yet consumed of each shard. */
  inputs: ReaderCheckpoint[];
  /** Per source stream: the last ROWTIME given (ROWTIMEs stay non-decreasing across a restart). */
  floors: Record<string, number>;
  operators: unknown[];
  outputs: Record<string, OutputProgress>;
}

export const CHECKPOINT_FILE = 'checkpoint.json';

function replacer(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  if (typeof raw === 'number' && !Number.isFinite(raw)) return { $num: String(raw) };
  if (typeof raw === 'bigint') return { $big: raw.toString() };
  if (raw instanceof Uint8Array) return { $bytes: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64') };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    const keys = Object.keys(v);
    if (keys.length === 1) {
      if (typeof v.$num === 'string') return Number(v.$num);
      if (typeof v.$big === 'string') return BigInt(v.$big);
      if (typeof v.$bytes === 'string') return new Uint8Array(Buffer.from(v.$bytes, 'base64'));
    }
  }
  return value;
}

export function serialize(c: Checkpoint): string {
  return JSON.stringify(c, replacer);
}

export function deserialize(text: string): Checkpoint {
  const c = JSON.parse(text, reviver) as Checkpoint;
  if (c.version !== 1) throw new Error(`unsupported checkpoint version ${String(c.version)}`);
  return c;
}

export function saveCheckpoint(dir: string, c: Checkpoint): void {
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, CHECKPOINT_FILE), serialize(c));
}

/** The last complete checkpoint, or undefined when there is none (a leftover temp file is ignored). */
export function loadCheckpoint(dir: string): Checkpoint | undefined {
  const file = path.join(dir, CHECKPOINT_FILE);
  if (!fs.existsSync(file)) return undefined;
  return deserialize(fs.readFileSync(file, 'utf8'));
}
