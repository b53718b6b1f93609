/**
 * `sluice demo [--duration SECONDS] [--rate TICKS_PER_S]` (what `npm start` runs): the KDA demo, live. An in-memory
 * log holds `kinesis-analytics-demo-stream`; a generator writes stock ticks to it on the wall clock; the demo
 * application (demo-app.ts: per-ticker tumbling counts every 10 s and a 30 s sliding average) runs on the Application
 * runtime in live mode, so windows close as wall-clock time passes even when no tick arrives; its output rows are
 * printed as they are emitted. Ctrl-C (or the end of --duration) stops.
 *
 * `sluice demo log [--dir DIR]`: the shard log on its own: a stream, records across shards, a split and a merge while
 * writing, and a reader that follows the lineage and gets every key's records back in order.
 */
import { parseArgs } from 'node:util';
import { Application } from '../analytics/application.js';
import { rowsFromBatch, type Row } from '../exec/arrow.js';
import { openLog, VirtualClock, WallClock } from '../index.js';
import { DEMO_STREAM, demoConfig, DEMO_CODE, TickGenerator } from './demo-app.js';
import { formatTimestamp } from './apptest/values.js';

export async function run(args: string[]): Promise<number> {
  if (args[0] === 'log') return runLogDemo(args.slice(1));
  let parsed;
  try {
    parsed = parseArgs({ args, options: { duration: { type: 'string' }, rate: { type: 'string' } } });
  } catch (e) {
    console.error(`sluice demo: ${(e as Error).message}\nusage: sluice demo [--duration SECONDS] [--rate TICKS_PER_S] | sluice demo log [--dir DIR]`);
    return 2;
  }
  const duration = parsed.values.duration !== undefined ? Number(parsed.values.duration) : Infinity;
  const rate = parsed.values.rate !== undefined ? Number(parsed.values.rate) : 5;
  if (!(duration > 0) || !(rate > 0 && rate <= 10_000)) {
    console.error('sluice demo: --duration must be a positive number of seconds and --rate 1 to 10000 ticks per second');
    return 2;
  }
  const say = (line: string) => console.log(line);
  const clock = new WallClock();
  const log = await openLog({ clock });
  const config = demoConfig();
  await log.createStream({ streamName: DEMO_STREAM, shardCount: 2 });
  await log.createStream({ streamName: 'demo-ticker-counts', shardCount: 1 });
  await log.createStream({ streamName: 'demo-price-averages', shardCount: 1 });
  const app = new Application({ code: DEMO_CODE, config, log, clock, startingPosition: 'TRIM_HORIZON' });
  await app.open();

  let printed = 0;
  const time = (ms: number) => formatTimestamp(ms).slice(11);
  const num = (v: unknown, w = 8) => (typeof v === 'number' ? v.toFixed(2) : String(v)).padStart(w);
  app.listen('PRICE_AVERAGES', (batch) => {
    for (const r of rowsFromBatch(batch)) {
      printed++;
      say(`${time(Number(r.ROWTIME))}  PRICE_AVERAGES  ${String(r.TICKER_SYMBOL).padEnd(4)}  price ${num(r.PRICE)}  avg(30 s) ${num(r.AVG_PRICE)}`);
    }
  });
  app.listen('TICKER_COUNTS', (batch) => {
    const byWindow = new Map<number, Row[]>();
    for (const r of rowsFromBatch(batch)) {
      const t = Number(r.ROWTIME);
      byWindow.set(t, [...(byWindow.get(t) ?? []), r]);
    }
    for (const [end, rows] of byWindow) {
      printed += rows.length;
      const counts = rows.map((r) => `${r.TICKER_SYMBOL} ${r.TICKER_COUNT}`).join(', ');
      say(`${time(end)}  TICKER_COUNTS   window ${time(end - 10_000).slice(0, 8)}–${time(end).slice(0, 8)}: ${counts}`);
    }
  });
  app.listenErrors((row) => say(`error_stream: ${String(row.ERROR_NAME)} ${String(row.MESSAGE)}`));

  say(`${DEMO_STREAM}: 2 shards in memory, ${rate} stock ticks/s from a generator`);
  say(`application: per-ticker counts every 10 s (TICKER_COUNTS) and a 30 s sliding average price (PRICE_AVERAGES)`);
  say(Number.isFinite(duration) ? `running for ${duration} s` : 'running; Ctrl-C stops');

  const gen = new TickGenerator(Date.now() % 100_000);
  let sent = 0;
  const started = Date.now();
  const feed = setInterval(() => {
    // as many ticks as the rate asks for by now (the timer is coarse)
    const due = Math.floor(((Date.now() - started) / 1000) * rate) + 1 - sent;
    if (due <= 0) return;
    const records = Array.from({ length: due }, () => {
      const tick = gen.next();
      return { partitionKey: tick.TICKER_SYMBOL, data: Buffer.from(JSON.stringify(tick)) };
    });
    sent += records.length;
    void log.putRecords({ streamName: DEMO_STREAM, records });
  }, Math.max(10, Math.min(200, 1000 / rate)));
  app.start(100);

  await new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      if (timer) clearTimeout(timer);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (Number.isFinite(duration)) timer = setTimeout(stop, duration * 1000);
  });
  clearInterval(feed);
  await app.stop();
  await log.close();
  say(`stopped: ${sent} ticks sent, ${printed} rows printed`);
  return 0;
}

/** `sluice demo log`: what the shard log does, in a minute. */
async function runLogDemo(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { dir: { type: 'string' } } });
  const clock = new VirtualClock(Date.UTC(2026, 0, 27));
  const log = await openLog({ clock, ...(values.dir ? { dir: values.dir } : {}) });
  const say = (line: string) => console.log(line);
  const name = `demo-${(await log.listStreams()).length}`;
  await log.createStream({ streamName: name, shardCount: 2 });
  say(`created stream ${name} with 2 shards${values.dir ? ` in ${values.dir}` : ' (in memory)'}`);

  const sensors = ['boiler', 'chiller', 'pump-a', 'pump-b', 'fan'];
  let sent = 0;
  const putRound = async (round: number) => {
    const records = sensors.map((s) => ({ partitionKey: s, data: Buffer.from(JSON.stringify({ sensor: s, round, t: clock.now() })) }));
    const out = await log.putRecords({ streamName: name, records });
    sent += records.length - out.failedRecordCount;
    clock.advance(1000);
  };
  for (let round = 0; round < 4; round++) await putRound(round);
  const [first] = await log.listShards(name);
  const mid = (BigInt(first!.hashKeyRange.startingHashKey) + BigInt(first!.hashKeyRange.endingHashKey)) / 2n;
  await log.splitShard({ streamName: name, shardToSplit: first!.shardId, newStartingHashKey: mid.toString() });
  say(`split ${first!.shardId}: open shards now ${(await log.describeStream(name)).openShardCount}`);
  for (let round = 4; round < 8; round++) await putRound(round);
  await log.updateShardCount({ streamName: name, targetShardCount: 2 });
  say(`scaled back to 2 open shards (UpdateShardCount merges and splits, keeping lineage)`);
  for (let round = 8; round < 12; round++) await putRound(round);

  const shards = await log.listShards(name);
  for (const s of shards) {
    const parents = [s.parentShardId, s.adjacentParentShardId].filter(Boolean).join(' + ');
    const state = s.sequenceNumberRange.endingSequenceNumber ? 'closed' : 'open';
    say(`  ${s.shardId}  ${state.padEnd(6)} ${parents ? `parents ${parents}` : ''}`);
  }
  const records = log.reader(name).readAll();
  const rounds = new Map<string, number[]>();
  for (const r of records) {
    const { sensor, round } = JSON.parse(r.data.toString()) as { sensor: string; round: number };
    rounds.set(sensor, [...(rounds.get(sensor) ?? []), round]);
  }
  const inOrder = [...rounds.values()].every((list) => list.every((v, i) => v === i));
  say(`sent ${sent} records; a lineage-following reader got ${records.length} back`);
  for (const [sensor, list] of rounds) say(`  ${sensor.padEnd(8)} rounds ${list.join(',')}`);
  say(inOrder && records.length === sent ? 'every sensor’s records came back exactly once, in order' : 'MISMATCH: records lost, duplicated or out of order');
  await log.close();
  return inOrder && records.length === sent ? 0 : 1;
}
