import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { MAX_HASH_KEY, openLog, VirtualClock, type FsyncPolicy, type Log, type LogOptions } from '../../src/index.js';

/**
 * Crash recovery of a data directory. Damage is done to the files directly, the way a crash or a bad disk would do it,
 * and the log is then reopened on the same directory. The frame layout used to find frame boundaries is the one
 * documented in src/log/frame.ts: u32 length | u32 crc | u32 recordCount | records.
 */

const STREAM = 's';

interface Rec {
  seq: string;
  pk: string;
  data: string; // hex
  ehk?: string;
}

interface Acked extends Rec {
  shardId: string;
}

interface Frame {
  start: number;
  end: number;
  count: number;
}

const dirs: string[] = [];
function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-'));
  dirs.push(dir);
  return dir;
}
function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  const i = dirs.indexOf(dir);
  if (i >= 0) dirs.splice(i, 1);
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  vi.useRealTimers();
});

function open(dir: string, clock: VirtualClock, extra: Partial<LogOptions> = {}): Promise<Log> {
  return openLog({ dir, clock, fsync: 'always', ...extra });
}

async function shardDir(log: Log, dir: string, shardId: string, streamName = STREAM): Promise<string> {
  const d = await log.describeStream(streamName);
  return path.join(dir, 'streams', `${streamName}.${d.streamCreationTimestamp}`, shardId);
}

/** Segment files of a shard directory, oldest first. */
function segments(shardPath: string): string[] {
  if (!fs.existsSync(shardPath)) return [];
  return fs
    .readdirSync(shardPath)
    .filter((f) => /^\d{16}\.seg$/.test(f))
    .sort()
    .map((f) => path.join(shardPath, f));
}

/** Frame boundaries of a segment file, found by walking the length prefixes. */
function framesOf(bytes: Buffer): Frame[] {
  const out: Frame[] = [];
  let at = 0;
  while (at + 12 <= bytes.length) {
    const length = bytes.readUInt32LE(at);
    if (length < 12 || at + length > bytes.length) break;
    out.push({ start: at, end: at + length, count: bytes.readUInt32LE(at + 8) });
    at += length;
  }
  return out;
}

async function readShard(log: Log, shardId: string, streamName = STREAM): Promise<Rec[]> {
  let iterator: string | null = await log.getShardIterator({ streamName, shardId, shardIteratorType: 'TRIM_HORIZON' });
  const out: Rec[] = [];
  while (iterator) {
    const r = await log.getRecords({ shardIterator: iterator });
    for (const x of r.records) {
      const rec: Rec = { seq: x.sequenceNumber, pk: x.partitionKey, data: x.data.toString('hex') };
      if (x.explicitHashKey !== undefined) rec.ehk = x.explicitHashKey;
      out.push(rec);
    }
    if (r.records.length === 0) break;
    iterator = r.nextShardIterator;
  }
  return out;
}

async function readAllShards(log: Log, streamName = STREAM): Promise<Map<string, Rec[]>> {
  const out = new Map<string, Rec[]>();
  for (const s of (await log.describeStream(streamName)).shards) out.set(s.shardId, await readShard(log, s.shardId, streamName));
  return out;
}

interface InputRecord {
  partitionKey: string;
  data: Uint8Array;
  explicitHashKey?: string;
}

async function put(log: Log, records: InputRecord[], acked: Acked[], streamName = STREAM): Promise<void> {
  const result = await log.putRecords({ streamName, records });
  expect(result.failedRecordCount).toBe(0);
  result.records.forEach((r, i) => {
    if (!('shardId' in r)) throw new Error('unexpected failure');
    const input = records[i]!;
    const rec: Acked = { shardId: r.shardId, seq: r.sequenceNumber, pk: input.partitionKey, data: Buffer.from(input.data).toString('hex') };
    if (input.explicitHashKey !== undefined) rec.ehk = input.explicitHashKey;
    acked.push(rec);
  });
}

function ackedOf(acked: Acked[], shardId: string): Rec[] {
  return acked
    .filter((a) => a.shardId === shardId)
    .sort((a, b) => (a.seq < b.seq ? -1 : 1))
    .map(({ shardId: _shard, ...rec }) => rec);
}

const recordArb: fc.Arbitrary<InputRecord> = fc.record(
  {
    partitionKey: fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('é', 'key-😀', 'k')),
    data: fc.uint8Array({ maxLength: 300 }),
    explicitHashKey: fc.bigInt({ min: 0n, max: MAX_HASH_KEY }).map(String),
  },
  { requiredKeys: ['partitionKey', 'data'] },
);
const batchesArb = fc.array(fc.array(recordArb, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 8 });

/** Puts the batches into a fresh log, closes it, and says which shards have segment files. */
async function populate(dir: string, clock: VirtualClock, shardCount: number, batches: InputRecord[][], segmentBytes?: number) {
  const options = segmentBytes === undefined ? {} : { segmentBytes };
  const log = await open(dir, clock, options);
  await log.createStream({ streamName: STREAM, shardCount });
  const acked: Acked[] = [];
  for (const batch of batches) {
    await put(log, batch, acked);
    clock.advance(7);
  }
  const shardIds = (await log.describeStream(STREAM)).shards.map((s) => s.shardId);
  const withFiles: { shardId: string; last: string }[] = [];
  for (const shardId of shardIds) {
    const segs = segments(await shardDir(log, dir, shardId));
    if (segs.length > 0) withFiles.push({ shardId, last: segs[segs.length - 1]! });
  }
  await log.close();
  return { acked, shardIds, withFiles, options };
}

/** After reopening: every shard but `damaged` holds exactly what was acknowledged; `damaged` holds `expected`. */
async function checkShards(log: Log, acked: Acked[], shardIds: string[], damaged: string, expected: Rec[]) {
  const read = await readAllShards(log);
  expect([...read.keys()]).toEqual(shardIds);
  for (const shardId of shardIds) {
    expect(read.get(shardId)).toEqual(shardId === damaged ? expected : ackedOf(acked, shardId));
  }
  const all = [...read.values()].flat().map((r) => r.seq);
  expect(new Set(all).size).toBe(all.length);
  return all;
}

/** New puts after recovery sort after every surviving record, on every shard. */
async function checkNewPutsSortLast(log: Log, survivors: string[]) {
  const max = survivors.reduce((m, s) => (s > m ? s : m), '');
  const shards = (await log.describeStream(STREAM)).shards.filter((s) => s.sequenceNumberRange.endingSequenceNumber === undefined);
  const records = shards.map((s) => ({ partitionKey: 'after', data: Buffer.from('new'), explicitHashKey: s.hashKeyRange.startingHashKey }));
  const result = await log.putRecords({ streamName: STREAM, records });
  expect(result.failedRecordCount).toBe(0);
  for (const r of result.records) {
    if (!('sequenceNumber' in r)) throw new Error('unexpected failure');
    expect(r.sequenceNumber > max).toBe(true);
  }
  for (const s of shards) {
    const recs = await readShard(log, s.shardId);
    expect(recs[recs.length - 1]?.data).toBe(Buffer.from('new').toString('hex'));
  }
}

describe('recovery: a truncated last segment', () => {
  it('keeps exactly a prefix of whole records, cuts the rest, and reports what it cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        batchesArb,
        fc.constantFrom(undefined, 1024),
        fc.nat(),
        fc.nat(),
        async (shardCount, batches, segmentBytes, pick, cutSeed) => {
          const dir = tmpDir();
          const clock = new VirtualClock();
          const { acked, shardIds, withFiles, options } = await populate(dir, clock, shardCount, batches, segmentBytes);
          const target = withFiles[pick % withFiles.length]!;
          const bytes = fs.readFileSync(target.last);
          const frames = framesOf(bytes);
          expect(frames.length).toBeGreaterThan(0);
          expect(frames[frames.length - 1]!.end).toBe(bytes.length);
          const cut = cutSeed % (bytes.length + 1);
          fs.truncateSync(target.last, cut);

          const whole = frames.filter((f) => f.end <= cut);
          const keptEnd = whole.length > 0 ? whole[whole.length - 1]!.end : 0;
          const inLast = frames.reduce((n, f) => n + f.count, 0);
          const shardAcked = ackedOf(acked, target.shardId);
          const keep = shardAcked.length - inLast + whole.reduce((n, f) => n + f.count, 0);

          const log = await open(dir, clock, options);
          expect(log.recoveredTornBytes).toBe(cut - keptEnd);
          const survivors = await checkShards(log, acked, shardIds, target.shardId, shardAcked.slice(0, keep));
          // The file itself was cut back to the last whole frame (or removed when nothing was left in it).
          if (keptEnd > 0) expect(fs.statSync(target.last).size).toBe(keptEnd);
          else expect(fs.existsSync(target.last)).toBe(false);
          await checkNewPutsSortLast(log, survivors);
          await log.close();

          // A clean reopen finds nothing more to cut and the same records.
          const again = await open(dir, clock, options);
          expect(again.recoveredTornBytes).toBe(0);
          expect((await readShard(again, target.shardId)).slice(0, keep)).toEqual(shardAcked.slice(0, keep));
          await again.close();
          removeDir(dir);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('drops a frame cut one byte short and keeps the one before it', async () => {
    const dir = tmpDir();
    const clock = new VirtualClock();
    const batches = [[{ partitionKey: 'a', data: Buffer.from('first') }], [{ partitionKey: 'a', data: Buffer.from('second') }]];
    const { acked, shardIds, withFiles } = await populate(dir, clock, 1, batches);
    const file = withFiles[0]!.last;
    const size = fs.statSync(file).size;
    fs.truncateSync(file, size - 1);
    const log = await open(dir, clock);
    const frames = framesOf(fs.readFileSync(file));
    expect(frames).toHaveLength(1);
    expect(log.recoveredTornBytes).toBe(size - 1 - frames[0]!.end);
    await checkShards(log, acked, shardIds, shardIds[0]!, ackedOf(acked, shardIds[0]!).slice(0, 1));
    await log.close();
  });
});

describe('recovery: a torn or damaged tail', () => {
  it('cuts random garbage appended after the last frame and keeps every record', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        batchesArb,
        fc.nat(),
        fc.uint8Array({ minLength: 1, maxLength: 400 }),
        async (shardCount, batches, pick, garbage) => {
          const dir = tmpDir();
          const clock = new VirtualClock();
          const { acked, shardIds, withFiles } = await populate(dir, clock, shardCount, batches);
          const target = withFiles[pick % withFiles.length]!;
          const size = fs.statSync(target.last).size;
          fs.appendFileSync(target.last, garbage);

          const log = await open(dir, clock);
          expect(log.recoveredTornBytes).toBe(garbage.length);
          expect(fs.statSync(target.last).size).toBe(size);
          const survivors = await checkShards(log, acked, shardIds, target.shardId, ackedOf(acked, target.shardId));
          await checkNewPutsSortLast(log, survivors);
          await log.close();
          removeDir(dir);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('cuts a torn copy of a real frame (a write that stopped part way)', async () => {
    await fc.assert(
      fc.asyncProperty(batchesArb, fc.nat(), async (batches, seed) => {
        const dir = tmpDir();
        const clock = new VirtualClock();
        const { acked, shardIds, withFiles } = await populate(dir, clock, 1, batches);
        const file = withFiles[0]!.last;
        const bytes = fs.readFileSync(file);
        const last = framesOf(bytes).at(-1)!;
        // The first bytes of a frame just like the last one: header and records valid, the end missing.
        const partial = bytes.subarray(last.start, last.start + (seed % (last.end - last.start)));
        fs.appendFileSync(file, partial);
        const log = await open(dir, clock);
        expect(log.recoveredTornBytes).toBe(partial.length);
        await checkShards(log, acked, shardIds, shardIds[0]!, ackedOf(acked, shardIds[0]!));
        await log.close();
        removeDir(dir);
      }),
      { numRuns: 25 },
    );
  });

  it('drops the last frame when one of its bytes is flipped, and keeps the frames before it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        batchesArb,
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (shardCount, batches, pick, where, xor) => {
          const dir = tmpDir();
          const clock = new VirtualClock();
          const { acked, shardIds, withFiles } = await populate(dir, clock, shardCount, batches);
          const target = withFiles[pick % withFiles.length]!;
          const bytes = fs.readFileSync(target.last);
          const frames = framesOf(bytes);
          const last = frames[frames.length - 1]!;
          const at = last.start + (where % (last.end - last.start));
          bytes[at] = bytes[at]! ^ xor;
          fs.writeFileSync(target.last, bytes);

          const shardAcked = ackedOf(acked, target.shardId);
          const log = await open(dir, clock);
          expect(log.recoveredTornBytes).toBe(last.end - last.start);
          const survivors = await checkShards(log, acked, shardIds, target.shardId, shardAcked.slice(0, shardAcked.length - last.count));
          await checkNewPutsSortLast(log, survivors);
          await log.close();
          removeDir(dir);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('recovery: a crash (the Log is dropped, never closed)', () => {
  it('keeps every acknowledged record, including across a split, and new puts sort after them', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.oneof(fc.array(recordArb, { minLength: 1, maxLength: 8 }), fc.constant('split' as const)), { minLength: 1, maxLength: 10 }),
        fc.array(recordArb, { minLength: 0, maxLength: 5 }),
        fc.constantFrom(undefined, 1024),
        async (shardCount, ops, unawaited, segmentBytes) => {
          const dir = tmpDir();
          const clock = new VirtualClock();
          const options = segmentBytes === undefined ? {} : { segmentBytes };
          const first = await open(dir, clock, options);
          await first.createStream({ streamName: STREAM, shardCount });
          const acked: Acked[] = [];
          for (const op of ops) {
            if (op === 'split') {
              const open = (await first.listShards(STREAM)).filter((s) => !s.sequenceNumberRange.endingSequenceNumber);
              const s = open[0]!;
              const lo = BigInt(s.hashKeyRange.startingHashKey);
              const hi = BigInt(s.hashKeyRange.endingHashKey);
              await first.splitShard({ streamName: STREAM, shardToSplit: s.shardId, newStartingHashKey: ((lo + hi) / 2n).toString() });
            } else {
              await put(first, op, acked);
            }
            clock.advance(3);
          }
          const before = await first.describeStream(STREAM);
          // Appends not yet acknowledged when the crash comes: they may or may not survive, but nothing else may appear.
          const pending = unawaited.length > 0 ? first.putRecords({ streamName: STREAM, records: unawaited }) : null;

          // Crash: `first` is simply abandoned.
          const second = await open(dir, clock, options);
          const pendingSeqs = new Set<string>();
          if (pending) for (const r of (await pending).records) if ('sequenceNumber' in r) pendingSeqs.add(r.sequenceNumber);
          expect(second.recoveredTornBytes).toBe(0);
          expect(await second.describeStream(STREAM)).toEqual(before);
          const read = await readAllShards(second);
          const bySeq = new Map([...read.values()].flat().map((r) => [r.seq, r]));
          expect(bySeq.size).toBe([...read.values()].flat().length);
          for (const a of acked) {
            const { shardId, ...rec } = a;
            expect(bySeq.get(a.seq)).toEqual(rec);
            expect(read.get(shardId)).toContainEqual(rec);
          }
          for (const seq of bySeq.keys()) expect(acked.some((a) => a.seq === seq) || pendingSeqs.has(seq)).toBe(true);
          await checkNewPutsSortLast(second, [...bySeq.keys()]);
          await second.close();
          await first.close();
          removeDir(dir);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('recovers after a crash right after createStream, with no record ever written', async () => {
    const dir = tmpDir();
    const clock = new VirtualClock();
    const first = await open(dir, clock);
    await first.createStream({ streamName: STREAM, shardCount: 2 });
    const second = await open(dir, clock);
    expect(await second.listStreams()).toEqual([STREAM]);
    expect([...(await readAllShards(second)).values()].flat()).toEqual([]);
    await checkNewPutsSortLast(second, []);
    await second.close();
    await first.close();
  });
});

describe('recovery: sealed segments and their saved indexes', () => {
  type Damage = 'delete-all' | 'delete-one' | 'flip-byte' | 'truncate' | 'stale-size' | 'swap' | 'garbage-after-segment' | 'none';

  /** Writes enough records (and moves the clock between them) to fill several segments. */
  async function fill(dir: string, clock: VirtualClock, segmentBytes: number, count: number, dataBytes: number) {
    const log = await open(dir, clock, { segmentBytes });
    await log.createStream({ streamName: STREAM, shardCount: 1 });
    const acked: Acked[] = [];
    const arrivals: number[] = [];
    for (let i = 0; i < count; i++) {
      const data = Buffer.alloc(dataBytes, i % 251);
      data.writeUInt32LE(i, 0);
      // Keys of one length make every sealed segment the same size (so a swapped index is not caught by its size).
      await put(log, [{ partitionKey: `k${String(i).padStart(4, '0')}`, data }], acked);
      arrivals.push(clock.now());
      clock.advance(1000);
    }
    const shardId = acked[0]!.shardId;
    const sdir = await shardDir(log, dir, shardId);
    await log.close();
    return { acked, arrivals, shardId, sdir };
  }

  function damage(sdir: string, how: Damage, pick: number, where: number, xor: number): number {
    const segs = segments(sdir);
    const sealed = segs.slice(0, -1);
    const idx = sealed.map((s) => s.replace(/\.seg$/, '.idx'));
    const one = idx[pick % idx.length]!;
    switch (how) {
      case 'delete-all':
        for (const f of idx) fs.rmSync(f);
        return 0;
      case 'delete-one':
        fs.rmSync(one);
        return 0;
      case 'flip-byte': {
        const b = fs.readFileSync(one);
        const at = where % b.length;
        b[at] = b[at]! ^ xor;
        fs.writeFileSync(one, b);
        return 0;
      }
      case 'truncate': {
        const b = fs.readFileSync(one);
        fs.writeFileSync(one, b.subarray(0, where % b.length));
        return 0;
      }
      case 'stale-size': {
        // The index of an earlier life of the segment: it records a length the segment no longer has.
        const b = fs.readFileSync(one);
        b.writeDoubleLE(b.readDoubleLE(8) + 1 + (where % 100), 8);
        fs.writeFileSync(one, b);
        return 0;
      }
      case 'swap': {
        // Another segment's index under this segment's name.
        const other = idx[(pick + 1) % idx.length]!;
        if (other !== one) fs.copyFileSync(other, one);
        return 0;
      }
      case 'garbage-after-segment': {
        // A sealed segment that grew after its index was written: the index no longer matches and is ignored.
        const seg = sealed[pick % sealed.length]!;
        const junk = Buffer.alloc(1 + (where % 50), xor);
        fs.appendFileSync(seg, junk);
        return junk.length;
      }
      case 'none':
        return 0;
    }
  }

  async function checkEverything(log: Log, acked: Acked[], arrivals: number[], shardId: string) {
    const expected = ackedOf(acked, shardId);
    expect(await readShard(log, shardId)).toEqual(expected);
    // Seeks go through the (loaded or rebuilt) sparse index.
    for (let i = 0; i < expected.length; i += 3) {
      const at = await log.getShardIterator({ streamName: STREAM, shardId, shardIteratorType: 'AT_SEQUENCE_NUMBER', startingSequenceNumber: expected[i]!.seq });
      expect((await log.getRecords({ shardIterator: at, limit: 1 })).records[0]?.sequenceNumber).toBe(expected[i]!.seq);
      const ts = await log.getShardIterator({ streamName: STREAM, shardId, shardIteratorType: 'AT_TIMESTAMP', timestamp: arrivals[i]! });
      expect((await log.getRecords({ shardIterator: ts, limit: 1 })).records[0]?.sequenceNumber).toBe(expected[i]!.seq);
      const after = await log.getShardIterator({ streamName: STREAM, shardId, shardIteratorType: 'AFTER_SEQUENCE_NUMBER', startingSequenceNumber: expected[i]!.seq });
      expect((await log.getRecords({ shardIterator: after, limit: 1 })).records[0]?.sequenceNumber).toBe(expected[i + 1]?.seq);
    }
  }

  it('writes an index beside every sealed segment and none beside the active one', async () => {
    const dir = tmpDir();
    const clock = new VirtualClock();
    const { sdir, acked, arrivals, shardId } = await fill(dir, clock, 2048, 30, 300);
    const segs = segments(sdir);
    expect(segs.length).toBeGreaterThan(3);
    for (const s of segs.slice(0, -1)) expect(fs.existsSync(s.replace(/\.seg$/, '.idx'))).toBe(true);
    expect(fs.existsSync(segs.at(-1)!.replace(/\.seg$/, '.idx'))).toBe(false);
    // No segment is larger than the limit (each frame here is far smaller than it).
    for (const s of segs) expect(fs.statSync(s).size).toBeLessThanOrEqual(2048);
    expect(fs.readdirSync(sdir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const log = await open(dir, clock, { segmentBytes: 2048 });
    await checkEverything(log, acked, arrivals, shardId);
    await log.close();
  });

  it('notices a change to any single byte of a saved index, header or entries, and scans instead', async () => {
    const dir = tmpDir();
    const clock = new VirtualClock();
    const { acked, arrivals, shardId, sdir } = await fill(dir, clock, 48 * 1024, 30, 4000);
    const idx = segments(sdir)[0]!.replace(/\.seg$/, '.idx');
    const original = fs.readFileSync(idx);
    expect(original.length).toBeGreaterThan(48 + 24); // more than one entry
    for (let at = 0; at < original.length; at++) {
      for (const xor of [0x01, 0x80]) {
        const bytes = Buffer.from(original);
        bytes[at] = bytes[at]! ^ xor;
        fs.writeFileSync(idx, bytes);
        const log = await open(dir, clock, { segmentBytes: 48 * 1024 });
        try {
          await checkEverything(log, acked, arrivals, shardId);
        } catch (err) {
          throw new Error(`index byte ${at} ^ ${xor}: ${String(err)}`);
        } finally {
          await log.close();
        }
      }
    }
  });

  it('recovers everything whatever happens to the .idx files (the index is rebuilt by scanning)', async () => {
    const damages: Damage[] = ['delete-all', 'delete-one', 'flip-byte', 'truncate', 'stale-size', 'swap', 'garbage-after-segment', 'none'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...damages),
        // Small segments hold one index entry each; 48 KiB ones hold several (an entry every 16 KiB).
        fc.constantFrom({ segmentBytes: 2048, count: 24, dataBytes: 300 }, { segmentBytes: 48 * 1024, count: 40, dataBytes: 4000 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (how, shape, pick, where, xor) => {
          const dir = tmpDir();
          const clock = new VirtualClock();
          const { acked, arrivals, shardId, sdir } = await fill(dir, clock, shape.segmentBytes, shape.count, shape.dataBytes);
          expect(segments(sdir).length).toBeGreaterThan(2);
          const torn = damage(sdir, how, pick, where, xor);
          const log = await open(dir, clock, { segmentBytes: shape.segmentBytes });
          expect(log.recoveredTornBytes).toBe(torn);
          await checkEverything(log, acked, arrivals, shardId);
          // Appending after recovery still works, and a second reopen agrees.
          await put(log, [{ partitionKey: 'more', data: Buffer.alloc(shape.dataBytes, 7) }], acked);
          arrivals.push(clock.now());
          await log.close();
          const again = await open(dir, clock, { segmentBytes: shape.segmentBytes });
          expect(again.recoveredTornBytes).toBe(0);
          await checkEverything(again, acked, arrivals, shardId);
          await again.close();
          removeDir(dir);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('recovery: metadata', () => {
  async function describeAll(log: Log) {
    const out: Record<string, unknown> = {};
    for (const name of await log.listStreams()) {
      out[name] = {
        description: await log.describeStream(name),
        shards: await log.listShards(name),
        consumers: await log.listStreamConsumers(name),
      };
    }
    return out;
  }

  function noTmp(dir: string) {
    expect(fs.existsSync(path.join(dir, 'meta.json.tmp'))).toBe(false);
    // Whatever is there parses: never a half-written file.
    JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
  }

  it('streams, lineage, retention, consumers, modes and record sizes survive close and reopen exactly', async () => {
    const dir = tmpDir();
    const clock = new VirtualClock();
    const log = await open(dir, clock);
    await log.createStream({ streamName: 'lineage', shardCount: 3 });
    noTmp(dir);
    clock.advance(1000);
    const shards = await log.listShards('lineage');
    const s0 = shards[0]!;
    const mid = (BigInt(s0.hashKeyRange.startingHashKey) + BigInt(s0.hashKeyRange.endingHashKey)) / 2n;
    await log.putRecords({ streamName: 'lineage', records: [{ partitionKey: 'a', data: Buffer.from('1') }, { partitionKey: 'b', data: Buffer.from('2') }] });
    await log.splitShard({ streamName: 'lineage', shardToSplit: s0.shardId, newStartingHashKey: mid.toString() });
    noTmp(dir);
    clock.advance(1000);
    await log.mergeShards({ streamName: 'lineage', shardToMerge: shards[1]!.shardId, adjacentShardToMerge: shards[2]!.shardId });
    clock.advance(1000);
    await log.increaseStreamRetentionPeriod({ streamName: 'lineage', retentionPeriodHours: 168 });
    await log.registerStreamConsumer({ streamName: 'lineage', consumerName: 'c1' });
    clock.advance(1000);
    await log.registerStreamConsumer({ streamName: 'lineage', consumerName: 'c2' });
    await log.deregisterStreamConsumer({ streamName: 'lineage', consumerName: 'c1' });
    await log.createStream({ streamName: 'ondemand', streamMode: 'ON_DEMAND', retentionPeriodHours: 48 });
    await log.createStream({ streamName: 'switched', shardCount: 2 });
    await log.updateStreamMode({ streamName: 'switched', streamMode: 'ON_DEMAND' });
    await log.updateMaxRecordSize({ streamName: 'switched', maxRecordSizeInKiB: 4096 });
    await log.createStream({ streamName: 'scaled', shardCount: 2 });
    await log.updateShardCount({ streamName: 'scaled', targetShardCount: 3 });
    await log.createStream({ streamName: 'gone', shardCount: 1 });
    await log.deleteStream({ streamName: 'gone' });
    noTmp(dir);
    const before = await describeAll(log);
    expect(Object.keys(before)).toEqual(['lineage', 'ondemand', 'scaled', 'switched']);
    await log.close();
    noTmp(dir);

    const reopened = await open(dir, clock);
    expect(await describeAll(reopened)).toEqual(before);
    const desc = (await reopened.describeStream('lineage')).shards;
    expect(desc.filter((s) => s.parentShardId === s0.shardId)).toHaveLength(2);
    expect(desc.filter((s) => s.adjacentParentShardId !== undefined)).toHaveLength(1);
    // The stream's directory went with it.
    expect(fs.readdirSync(path.join(dir, 'streams')).some((d) => d.startsWith('gone.'))).toBe(false);
    await reopened.close();
    noTmp(dir);
  });

  it('replaces meta.json by rename (a new file each time), never writing it in place', async () => {
    const dir = tmpDir();
    const clock = new VirtualClock();
    const log = await open(dir, clock);
    await log.createStream({ streamName: 'a', shardCount: 1 });
    const meta = path.join(dir, 'meta.json');
    const inode1 = fs.statSync(meta).ino;
    await log.createStream({ streamName: 'b', shardCount: 1 });
    const inode2 = fs.statSync(meta).ino;
    expect(inode2).not.toBe(inode1);
    expect(JSON.parse(fs.readFileSync(meta, 'utf8')).streams.map((s: { streamName: string }) => s.streamName)).toEqual(['a', 'b']);
    noTmp(dir);
    await log.close();
  });

  it('ignores a meta.json.tmp left by a crash mid-write, and the next save replaces it', async () => {
    const dir = tmpDir();
    const clock = new VirtualClock();
    const log = await open(dir, clock);
    await log.createStream({ streamName: 'kept', shardCount: 1 });
    await log.close();
    fs.writeFileSync(path.join(dir, 'meta.json.tmp'), '{"version":1,"streams":[{"streamName":"hal');
    const reopened = await open(dir, clock);
    expect(await reopened.listStreams()).toEqual(['kept']);
    await reopened.createStream({ streamName: 'next', shardCount: 1 });
    noTmp(dir);
    await reopened.close();
    const third = await open(dir, clock);
    expect(await third.listStreams()).toEqual(['kept', 'next']);
    await third.close();
  });

  it('removes stream directories that no stream in meta.json owns (a crash during DeleteStream)', async () => {
    const dir = tmpDir();
    const clock = new VirtualClock();
    const log = await open(dir, clock);
    await log.createStream({ streamName: 'kept', shardCount: 1 });
    await log.putRecord({ streamName: 'kept', partitionKey: 'p', data: Buffer.from('x') });
    await log.close();
    const orphan = path.join(dir, 'streams', 'deleted.12345', 'shardId-000000000000');
    fs.mkdirSync(orphan, { recursive: true });
    fs.writeFileSync(path.join(orphan, '0000000000000000.seg'), 'junk');
    const reopened = await open(dir, clock);
    expect(fs.existsSync(path.join(dir, 'streams', 'deleted.12345'))).toBe(false);
    expect((await reopened.describeStream('kept')).shards).toHaveLength(1);
    expect((await readAllShards(reopened, 'kept')).get('shardId-000000000000')).toHaveLength(1);
    await reopened.close();
  });
});

describe('recovery: fsync policies', () => {
  const policies: FsyncPolicy[] = ['always', 'batch', 'never'];
  for (const fsync of policies) {
    it(`'${fsync}': concurrent puts resolve, read back correctly, and survive reopen`, async () => {
      const dir = tmpDir();
      const clock = new VirtualClock();
      const options: Partial<LogOptions> = { fsync, fsyncBatchMs: 2, segmentBytes: 4096 };
      const log = await open(dir, clock, options);
      await log.createStream({ streamName: STREAM, shardCount: 2 });
      const acked: Acked[] = [];
      const batches = Array.from({ length: 20 }, (_, b) =>
        Array.from({ length: 5 }, (_, i) => ({ partitionKey: `p${b}-${i}`, data: Buffer.from(`${fsync}:${b}:${i}`) })),
      );
      // Real timers: `batch` resolves on its own timer. Nothing here asserts anything about time.
      await Promise.all(batches.map((batch) => put(log, batch, acked)));
      expect(acked).toHaveLength(100);
      const shardIds = (await log.describeStream(STREAM)).shards.map((s) => s.shardId);
      const check = async (l: Log) => {
        const read = await readAllShards(l);
        for (const id of shardIds) expect(read.get(id)).toEqual(ackedOf(acked, id));
      };
      await check(log);
      await log.close();
      const reopened = await open(dir, clock, options);
      expect(reopened.recoveredTornBytes).toBe(0);
      await check(reopened);
      await reopened.close();
    });
  }

  it("'batch': close waits for appends that queued while a sync was running", async () => {
    // Fake timers make the order of events exact: the first sync is in flight when the second append arrives.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const dir = tmpDir();
    const clock = new VirtualClock();
    const log = await open(dir, clock, { fsync: 'batch', fsyncBatchMs: 5 });
    await log.createStream({ streamName: STREAM, shardCount: 1 });
    const first = log.putRecord({ streamName: STREAM, partitionKey: 'a', data: Buffer.from('first') });
    vi.advanceTimersByTime(5); // the first round's fdatasync starts
    const second = log.putRecord({ streamName: STREAM, partitionKey: 'a', data: Buffer.from('second') });
    const outcomes = Promise.allSettled([first, second]);
    await log.close();
    vi.runAllTimers(); // anything close left on a timer runs now, after the files are closed
    const [a, b] = await outcomes;
    expect(a.status).toBe('fulfilled');
    expect(b.status).toBe('fulfilled');
    vi.useRealTimers();
    const reopened = await open(dir, clock);
    expect((await readShard(reopened, 'shardId-000000000000')).map((r) => Buffer.from(r.data, 'hex').toString())).toEqual(['first', 'second']);
    await reopened.close();
  });
});
