import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openLog, RecordRun, type FsyncPolicy, type Log, type PutRecordInput } from '../src/index.js';
import { mb, report, type BenchOptions } from './harness.js';

/**
 * `sluice bench log`: append and read throughput of the shard log, in process.
 * Appends are PutRecords calls of 500 records with 64 calls in flight (as a busy server would issue them, and enough
 * that a `batch` sync round is never the limit) over a 4-shard stream, with distinct partition keys so every record
 * pays for its MD5 routing.
 */
const BATCH = 500;
const IN_FLIGHT = 64;
const SHARDS = 4;

export async function benchLog(options: BenchOptions): Promise<void> {
  const caseMs = options.quick ? 400 : 2000;
  const root = fs.mkdtempSync(path.join(typeof options.flags.dir === 'string' ? options.flags.dir : os.tmpdir(), 'sluice-bench-'));
  // --only PREFIX runs the cases whose names start with it (e.g. --only append-100B, --only read-5GB).
  const only = typeof options.flags.only === 'string' ? options.flags.only : '';
  const wants = (name: string) => name.startsWith(only) || only.startsWith(name);
  try {
    if (wants('disk-sequential-write')) {
      report(options, { suite: 'log', case: 'disk-sequential-write', ...diskWriteRate(root, options.quick ? 64 : 256) });
    }
    for (const size of [100, 1024]) {
      if (wants(`append-${size}B-memory`) || wants(`read-${size}B-memory`)) {
        const memory = await openLog();
        report(options, { suite: 'log', case: `append-${size}B-memory`, ...(await appendCase(memory, size, caseMs)) });
        await readCases(options, memory, size, 'memory');
        await memory.close();
      }
      for (const fsync of ['never', 'batch', 'always'] as FsyncPolicy[]) {
        if (!wants(`append-${size}B-${fsync}`) && !(fsync === 'never' && wants(`read-${size}B-disk`))) continue;
        const dir = fs.mkdtempSync(path.join(root, `${fsync}-`));
        const log = await openLog({ dir, fsync, fsyncBatchMs: 5 });
        report(options, { suite: 'log', case: `append-${size}B-${fsync}`, ...(await appendCase(log, size, caseMs)) });
        if (fsync === 'never') {
          // Write back what the append case left dirty first, so the reads measure the log, not competing write-back.
          execFileSync('sync');
          await readCases(options, log, size, 'disk');
        }
        await log.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    if (options.flags.large) await largeReadCase(options, root, Number(options.flags.large));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

function batches(size: number): PutRecordInput[][] {
  const data = Buffer.alloc(size, 0x61);
  let k = 0;
  return Array.from({ length: IN_FLIGHT * 2 }, () =>
    Array.from({ length: BATCH }, () => ({ partitionKey: `device-${(k++ % 100_000).toString(36)}`, data })),
  );
}

async function appendCase(log: Log, size: number, caseMs: number) {
  await log.createStream({ streamName: 'bench', shardCount: SHARDS });
  const work = batches(size);
  const inFlight: Promise<unknown>[] = [];
  let records = 0;
  const start = performance.now();
  for (let i = 0; performance.now() - start < caseMs; i++) {
    inFlight.push(log.putRecords({ streamName: 'bench', records: work[i % work.length]! }));
    records += BATCH;
    if (inFlight.length >= IN_FLIGHT) await inFlight.shift();
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - start) / 1000;
  const keyBytes = 11;
  return { records_per_s: records / seconds, mb_per_s: mb((records * (size + keyBytes)) / seconds), record_bytes: size };
}

/** Reads the whole 'bench' stream: columnar (readInto) and as Kinesis-shaped objects (getRecords). */
async function readCases(options: BenchOptions, log: Log, size: number, where: string): Promise<void> {
  for (const shape of ['columnar', 'objects'] as const) {
    const start = performance.now();
    const { records, bytes } = await readWholeStream(log, shape);
    const seconds = (performance.now() - start) / 1000;
    report(options, { suite: 'log', case: `read-${size}B-${where}-${shape}`, records_per_s: records / seconds, mb_per_s: mb(bytes / seconds), records });
  }
}

/** Reads every shard of 'bench' from TRIM_HORIZON to its end, calling `afterRead` after each GetRecords. */
async function readWholeStream(log: Log, shape: 'columnar' | 'objects', afterRead: (records: number) => void = () => {}) {
  const run = new RecordRun();
  let records = 0;
  let bytes = 0;
  for (const shard of await log.listShards('bench')) {
    let it: string | null = await log.getShardIterator({ streamName: 'bench', shardId: shard.shardId, shardIteratorType: 'TRIM_HORIZON' });
    while (it) {
      let got: number;
      if (shape === 'columnar') {
        const position = log.readInto(it, run);
        got = run.count;
        bytes += run.bytes;
        it = position.nextShardIterator;
      } else {
        const out = await log.getRecords({ shardIterator: it });
        got = out.records.length;
        for (const r of out.records) bytes += r.data.length + r.partitionKey.length;
        it = out.nextShardIterator;
      }
      records += got;
      afterRead(records);
      if (got === 0) break;
    }
  }
  return { records, bytes };
}

/** The disk's own sequential write rate with one fsync at the end: the ceiling for the log's appends. */
function diskWriteRate(dir: string, mib: number) {
  const file = path.join(dir, 'disk-rate');
  const chunk = Buffer.alloc(1 << 20, 0x5a);
  const fd = fs.openSync(file, 'w');
  const start = performance.now();
  for (let i = 0; i < mib; i++) fs.writeSync(fd, chunk);
  fs.fsyncSync(fd);
  const seconds = (performance.now() - start) / 1000;
  fs.closeSync(fd);
  fs.rmSync(file);
  return { mb_per_s: mb((mib << 20) / seconds), written_mb: mib };
}

/**
 * Memory: writes `gb` GB of 1 KiB records, then reads it all from TRIM_HORIZON. The log streams segments from disk,
 * so resident memory stays flat however large the stream is.
 */
async function largeReadCase(options: BenchOptions, root: string, gb: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(root, 'large-'));
  const log = await openLog({ dir, fsync: 'never' });
  await log.createStream({ streamName: 'bench', shardCount: SHARDS });
  const work = batches(1024);
  const target = gb * 1e9;
  for (let bytes = 0, i = 0; bytes < target; i++) {
    await log.putRecords({ streamName: 'bench', records: work[i % work.length]! });
    bytes += BATCH * 1024;
  }
  global.gc?.();
  const rssStart = process.memoryUsage().rss;
  let rssMax = rssStart;
  let sampledAt = 0;
  const start = performance.now();
  const { records, bytes } = await readWholeStream(log, 'columnar', (n) => {
    if (n - sampledAt < 100_000) return;
    sampledAt = n;
    rssMax = Math.max(rssMax, process.memoryUsage().rss);
  });
  const seconds = (performance.now() - start) / 1000;
  report(options, {
    suite: 'log',
    case: `read-${gb}GB-disk-rss`,
    records_per_s: records / seconds,
    mb_per_s: mb(bytes / seconds),
    stream_gb: mb(bytes) / 1000,
    rss_start_mb: mb(rssStart),
    rss_max_mb: mb(rssMax),
  });
  await log.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
