/**
 * KPL record aggregation: many user records packed into one Kinesis record as
 * `magic || protobuf(AggregatedRecord) || md5(protobuf)`. See the KPL's aggregation-format.md.
 */
import crypto from 'node:crypto';
// protobufjs is CommonJS with no `exports` map, so NodeNext needs the file extension and a default import.
import protobuf from 'protobufjs/minimal.js';

export interface UserRecordInput {
  partitionKey: string;
  explicitHashKey?: string;
  data: Uint8Array;
}

export interface StoredRecord {
  data: Uint8Array;
  partitionKey: string;
  explicitHashKey?: string;
  sequenceNumber: string;
  approximateArrivalTimestamp: number;
}

export interface UserRecord extends StoredRecord {
  subSequenceNumber: number;
  aggregated: boolean;
}

const MAGIC = Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2);
const DIGEST_LENGTH = 16;

// Wire types and (field << 3 | wire type) tags, fixed by the .proto in the KPL.
const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const TAG_PK_TABLE = (1 << 3) | WIRE_LEN;
const TAG_EHK_TABLE = (2 << 3) | WIRE_LEN;
const TAG_RECORDS = (3 << 3) | WIRE_LEN;
const TAG_PK_INDEX = (1 << 3) | WIRE_VARINT;
const TAG_EHK_INDEX = (2 << 3) | WIRE_VARINT;
const TAG_DATA = (3 << 3) | WIRE_LEN;

const md5 = (bytes: Uint8Array): Buffer => crypto.hash('md5', bytes, 'buffer');

/**
 * Aggregates user records into one KPL record: returns the aggregated data bytes plus the partition key (and explicit
 * hash key, if the first record had one) a producer should put it with.
 */
export function aggregate(records: readonly UserRecordInput[]): {
  data: Buffer;
  partitionKey: string;
  explicitHashKey?: string;
} {
  if (records.length === 0) throw new RangeError('aggregate() needs at least one user record');

  const pkIndex = new Map<string, number>();
  const ehkIndex = new Map<string, number>();
  const indexOf = (table: Map<string, number>, key: string): number => {
    let i = table.get(key);
    if (i === undefined) {
      i = table.size;
      table.set(key, i);
    }
    return i;
  };
  const recordIndexes = records.map((r) => ({
    pk: indexOf(pkIndex, r.partitionKey),
    ehk: r.explicitHashKey === undefined ? undefined : indexOf(ehkIndex, r.explicitHashKey),
  }));

  const w = protobuf.Writer.create();
  // Maps iterate in insertion order, which is exactly index order.
  for (const pk of pkIndex.keys()) w.uint32(TAG_PK_TABLE).string(pk);
  for (const ehk of ehkIndex.keys()) w.uint32(TAG_EHK_TABLE).string(ehk);
  records.forEach((r, i) => {
    const { pk, ehk } = recordIndexes[i]!;
    // Indexes are small non-negative ints, whose uint32 varint is byte-identical to the uint64 one.
    w.uint32(TAG_RECORDS).fork().uint32(TAG_PK_INDEX).uint32(pk);
    if (ehk !== undefined) w.uint32(TAG_EHK_INDEX).uint32(ehk);
    w.uint32(TAG_DATA).bytes(r.data).ldelim();
  });
  const body = w.finish();

  const data = Buffer.concat([MAGIC, body, md5(body)]);
  const first = records[0]!;
  return first.explicitHashKey === undefined
    ? { data, partitionKey: first.partitionKey }
    : { data, partitionKey: first.partitionKey, explicitHashKey: first.explicitHashKey };
}

/** Magic present, long enough for magic + digest, and the MD5 of the protobuf body matches. */
export function isAggregated(data: Uint8Array): boolean {
  if (data.length < MAGIC.length + DIGEST_LENGTH) return false;
  for (let i = 0; i < MAGIC.length; i++) if (data[i] !== MAGIC[i]) return false;
  const bodyEnd = data.length - DIGEST_LENGTH;
  const digest = md5(data.subarray(MAGIC.length, bodyEnd));
  return digest.equals(data.subarray(bodyEnd));
}

/**
 * De-aggregates one stored record. Anything that is not a well-formed aggregated record (bad magic, too short, MD5
 * mismatch, protobuf that does not decode, an index out of range of its table) comes back as the plain record:
 * [{...record, subSequenceNumber: 0, aggregated: false}]. Sub-records share the sequence number and get
 * subSequenceNumber 0,1,2,... ; explicitHashKey only when the sub-record has an index.
 */
export function deaggregate(record: StoredRecord): UserRecord[] {
  const plain = (): UserRecord[] => [{ ...record, subSequenceNumber: 0, aggregated: false }];
  if (!isAggregated(record.data)) return plain();

  let decoded: DecodedAggregate;
  try {
    decoded = decodeAggregate(record.data.subarray(MAGIC.length, record.data.length - DIGEST_LENGTH));
  } catch {
    // Data that merely happens to look aggregated is still valid user data; the KCL likewise hands it back as is.
    return plain();
  }

  const { pkTable, ehkTable, records } = decoded;
  // Validate every index before building anything, so a bad sub-record late in the list can't yield a partial result.
  for (const r of records) {
    if (r.pk >= pkTable.length) return plain();
    if (r.ehk !== undefined && r.ehk >= ehkTable.length) return plain();
  }

  return records.map((r, i) => {
    const out: UserRecord = {
      data: r.data,
      partitionKey: pkTable[r.pk]!,
      sequenceNumber: record.sequenceNumber,
      approximateArrivalTimestamp: record.approximateArrivalTimestamp,
      subSequenceNumber: i,
      aggregated: true,
    };
    if (r.ehk !== undefined) out.explicitHashKey = ehkTable[r.ehk]!;
    return out;
  });
}

interface DecodedSubRecord {
  pk: number;
  ehk: number | undefined;
  data: Uint8Array;
}

interface DecodedAggregate {
  pkTable: string[];
  ehkTable: string[];
  records: DecodedSubRecord[];
}

/** Throws on anything malformed; the caller turns that into the plain-record fallback. */
function decodeAggregate(body: Uint8Array): DecodedAggregate {
  const reader = protobuf.Reader.create(body);
  const pkTable: string[] = [];
  const ehkTable: string[] = [];
  const records: DecodedSubRecord[] = [];
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    // Matching on the whole tag (not just the field number) means a known field with the wrong wire type is skipped
    // as unknown, which is what the reference (Java) protobuf parser does.
    switch (tag) {
      case TAG_PK_TABLE:
        pkTable.push(readString(reader));
        break;
      case TAG_EHK_TABLE:
        ehkTable.push(readString(reader));
        break;
      case TAG_RECORDS:
        records.push(decodeSubRecord(reader, reader.uint32()));
        break;
      default:
        skipUnknown(reader, tag);
    }
  }
  return { pkTable, ehkTable, records };
}

function decodeSubRecord(reader: protobuf.Reader, length: number): DecodedSubRecord {
  const end = reader.pos + length;
  if (end > reader.len) throw new Error('sub-record runs past the end of the message');
  let pk: number | undefined;
  let ehk: number | undefined;
  let data: Uint8Array | undefined;
  while (reader.pos < end) {
    const tag = reader.uint32();
    switch (tag) {
      case TAG_PK_INDEX:
        pk = toIndex(reader.uint64());
        break;
      case TAG_EHK_INDEX:
        ehk = toIndex(reader.uint64());
        break;
      case TAG_DATA:
        data = reader.bytes();
        break;
      default:
        // Tags (field 4) are not surfaced by the API, so they are skipped along with genuinely unknown fields.
        skipUnknown(reader, tag);
    }
    // A field whose own length is fine for the whole buffer can still overrun this sub-message.
    if (reader.pos > end) throw new Error('field runs past the end of its sub-record');
  }
  // proto2 `required` fields: a message missing them does not parse.
  if (pk === undefined || data === undefined) throw new Error('sub-record is missing a required field');
  return { pk, ehk, data };
}

/** Like reader.string(), but a length running past the end throws instead of being silently clamped (BufferReader). */
function readString(reader: protobuf.Reader): string {
  const b = reader.bytes();
  // Invalid UTF-8 decodes to U+FFFD rather than failing, as proto2 strings do in the Java KCL.
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
}

function skipUnknown(reader: protobuf.Reader, tag: number): void {
  // Field number 0 is illegal, and a stray end-group (4) has no group to close.
  if (tag >>> 3 === 0 || (tag & 7) === 4) throw new Error(`invalid tag ${tag}`);
  reader.skipType(tag & 7);
}

/** uint64 index as a JS number; anything that can't be a table index becomes +Infinity so the range check rejects it. */
function toIndex(v: number | { low: number; high: number }): number {
  if (typeof v === 'number') return v;
  return v.high !== 0 ? Number.POSITIVE_INFINITY : v.low >>> 0;
}
