import { parseArgs } from 'node:util';
import { openLog, VirtualClock } from '../index.js';

/**
 * `sluice demo`: what the shard log does, in a minute: a stream, records across shards, a split and a merge while
 * writing, and a reader that follows the lineage and gets every key's records back in order.
 */
export async function run(args: string[]): Promise<number> {
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
