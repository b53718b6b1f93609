/**
 * Input preprocessing (InputLambdaProcessor), per the documented contract: the released records go to the function
 * base64-encoded with their Kinesis metadata; each comes back Ok (with new data), Dropped, or ProcessingFailed (to
 * error_stream). A function that throws or answers out of contract is retried on the next round with the same records.
 */
import type { Row } from '../exec/arrow.js';
import { formatSequenceNumber } from '../log/index.js';
import { recordError } from './errors.js';
import { repliesById, type AppFunction, type PreprocessReply } from './functions.js';
import type { ReleasedRecord } from './inputs.js';
import type { InputRecord } from './records/index.js';

/** The records each released record becomes (possibly none), or undefined when the call must be retried. */
export async function preprocess(
  group: readonly ReleasedRecord[],
  fn: AppFunction,
  applicationArn: string,
  streamArn: string,
  onError: (row: Row) => void,
  now: () => number,
): Promise<InputRecord[][] | undefined> {
  const sent: { owner: number; record: InputRecord }[] = [];
  group.forEach((r, owner) => {
    const sequenceNumber = formatSequenceNumber(r.counter);
    for (const u of r.records) sent.push({ owner, record: { data: u.data, arrival: r.arrival, partitionKey: u.partitionKey, sequenceNumber, shardId: r.shardId } });
  });
  const request = {
    invocationId: `${group[0]?.shardId ?? ''}:${group[0]?.counter ?? 0}`,
    applicationArn,
    streamArn,
    records: sent.map(({ record }, i) => ({
      recordId: String(i),
      data: Buffer.from(record.data).toString('base64'),
      kinesisStreamRecordMetadata: {
        shardId: record.shardId,
        partitionKey: record.partitionKey,
        sequenceNumber: record.sequenceNumber,
        approximateArrivalTimestamp: record.arrival,
      },
    })),
  };
  let replies: Map<string, PreprocessReply['records'][number]>;
  try {
    replies = repliesById(await fn(request), ['Ok', 'Dropped', 'ProcessingFailed']);
  } catch {
    return undefined;
  }
  const out: InputRecord[][] = group.map(() => []);
  sent.forEach(({ owner, record }, i) => {
    const reply = replies.get(String(i));
    if (reply?.result === 'Ok') out[owner]!.push({ ...record, data: new Uint8Array(Buffer.from(reply.data ?? '', 'base64')) });
    else if (reply?.result !== 'Dropped') {
      const message = reply ? 'the preprocessing function answered ProcessingFailed' : 'the preprocessing function gave no result for this record';
      onError(recordError(record, message, null, now(), 'PREPROCESSING_FAILED'));
    }
  });
  return out;
}
