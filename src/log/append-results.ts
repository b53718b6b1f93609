import { formatSequenceNumber } from './sequence-number.js';

export type PutRecordsResultEntry =
  | { shardId: string; sequenceNumber: string }
  | { errorCode: 'ProvisionedThroughputExceededException'; errorMessage: string };

/**
 * What one append did, compactly: the shard each record was routed to, and which records the throughput limits
 * refused; the others got consecutive counters from `firstCounter`, in input order. The per-record result objects
 * PutRecords returns (an object and a 56-digit string each) were an eighth of the append path's time in garbage
 * collection, so they are made only when a caller reads them.
 */
export class AppendedRecords {
  readonly failedRecordCount: number;

  constructor(
    /** The first admitted record's counter (-1 if none was). */
    private readonly firstCounter: number,
    /** Each record's shard, as an index into `shardIds`. */
    private readonly slotOf: readonly number[],
    /** The shards' ids when the records were routed (resharding later does not change where they went). */
    private readonly shardIds: readonly string[],
    /** 1 for each record refused by its shard's throughput limit; null if none was. */
    private readonly throttled: Uint8Array | null,
    /** The error message of a record throttled by the shard with this id. */
    private readonly throttleMessage: (shardId: string) => string,
  ) {
    this.failedRecordCount = throttled ? throttled.reduce((sum, t) => sum + t, 0) : 0;
  }

  /** Whether record i was refused by its shard's throughput limit (and so not written). */
  refused(i: number): boolean {
    return this.throttled !== null && this.throttled[i] === 1;
  }

  entries(): PutRecordsResultEntry[] {
    const out: PutRecordsResultEntry[] = new Array(this.slotOf.length);
    let counter = this.firstCounter;
    for (let i = 0; i < out.length; i++) {
      const shardId = this.shardIds[this.slotOf[i]!]!;
      out[i] = this.throttled?.[i]
        ? { errorCode: 'ProvisionedThroughputExceededException', errorMessage: this.throttleMessage(shardId) }
        : { shardId, sequenceNumber: formatSequenceNumber(counter++) };
    }
    return out;
  }
}

export interface PutRecordsOutput {
  failedRecordCount: number;
  records: PutRecordsResultEntry[];
}

/**
 * PutRecords' output, whose `records` array is built on first read (then kept): a plain object with an ordinary
 * enumerable property as far as spreading, JSON and deep equality can tell.
 */
export function putRecordsOutput(appended: AppendedRecords): PutRecordsOutput {
  let records: PutRecordsResultEntry[] | undefined;
  return {
    failedRecordCount: appended.failedRecordCount,
    get records() {
      return (records ??= appended.entries());
    },
    set records(value: PutRecordsResultEntry[]) {
      records = value;
    },
  };
}
