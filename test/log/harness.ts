/**
 * What the log's property tests share: a fresh log per run (in memory or in a data directory) on a VirtualClock,
 * error-code assertions, and cheap seeded byte arrays.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';
import { openLog, SluiceError, VirtualClock, type ErrorCode, type Log, type LogOptions } from '../../src/index.js';

export type Backend = 'memory' | 'directory';
export const BACKENDS: Backend[] = ['memory', 'directory'];

export interface Harness {
  log: Log;
  clock: VirtualClock;
  /** Closes the log and opens it again from its directory (directory logs only). */
  reopen(): Promise<void>;
}

/** Opens a fresh log on a VirtualClock, runs `body`, then closes it and removes its data directory. */
export async function withLog<T>(backend: Backend, extra: Partial<LogOptions>, body: (h: Harness) => Promise<T>): Promise<T> {
  const clock = new VirtualClock();
  const dir = backend === 'directory' ? fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-')) : undefined;
  const options: LogOptions = dir ? { dir, clock, fsync: 'never', ...extra } : { clock, ...extra };
  const h: Harness = {
    log: await openLog(options),
    clock,
    async reopen() {
      if (!dir) throw new Error('only a directory log can be reopened');
      await h.log.close();
      h.log = await openLog(options);
    },
  };
  try {
    return await body(h);
  } finally {
    await h.log.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function expectCode(action: () => Promise<unknown>, code: ErrorCode): Promise<SluiceError> {
  let caught: unknown;
  try {
    await action();
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(SluiceError);
  expect((caught as SluiceError).code, (caught as Error).message).toBe(code);
  return caught as SluiceError;
}

/** Byte arrays from a seed (xorshift) rather than byte by byte: shrinking a large workload stays fast. */
export const bytesArb = (minLength: number, maxLength: number): fc.Arbitrary<Uint8Array> =>
  fc.tuple(fc.integer({ min: minLength, max: maxLength }), fc.nat()).map(([n, seed]) => {
    const out = new Uint8Array(n);
    let x = seed | 1;
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = x & 0xff;
    }
    return out;
  });
