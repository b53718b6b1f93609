/**
 * Records ⇄ Arrow for applications: decoders from input records (JSON with JSONPath mapping, CSV) to batches of a
 * source stream, encoders from output rows to records (JSON or CSV), reference tables from files, and schema
 * discovery. The implementations live beside this file and are re-exported here.
 */
import type { RecordBatch } from 'apache-arrow';
import type { ColumnDef } from '../../exec/arrow.js';

/** One input record as the application receives it (after KPL de-aggregation and preprocessing). */
export interface InputRecord {
  data: Uint8Array;
  /** ApproximateArrivalTimestamp, ms. */
  arrival: number;
  partitionKey?: string;
  sequenceNumber?: string;
  shardId?: string;
}

/** A record the mapping refused: it goes to error_stream with the reason. */
export interface RecordError {
  /** Position in the decoded list. */
  index: number;
  message: string;
}

export interface Decoded {
  /** Columns: ROWTIME, the RecordColumns in order, APPROXIMATE_ARRIVAL_TIME. One record may give several rows (JSON array flattening). */
  batch: RecordBatch;
  errors: RecordError[];
  /** The last ROWTIME given (for the next call's `rowtimeFloor`). */
  lastRowtime: number;
}

/**
 * Records `from..to-1` of a run held in one buffer: record i is `bytes[start[i] .. start[i] + length[i])`, arriving
 * at `arrival[i]`. Lets a reader hand the decoder many records without an object (or a copy) per record.
 */
export interface ByteRun {
  bytes: Uint8Array;
  start: Uint32Array;
  length: Uint32Array;
  arrival: Float64Array;
  from: number;
  to: number;
}

export interface RecordDecoder {
  /** ROWTIME = max(rowtimeFloor, previous ROWTIME, arrival): non-decreasing per in-application stream. */
  decode(records: readonly InputRecord[], rowtimeFloor: number): Decoded;
  /**
   * The same over the records of `runs`, in order, as one batch (optional: callers without it build InputRecords).
   * An error's `index` counts records across the runs (0 is the first run's `from`).
   */
  decodeRuns?(runs: readonly ByteRun[], rowtimeFloor: number): Decoded;
}

/** Columns of the source stream a schema makes (ROWTIME first, APPROXIMATE_ARRIVAL_TIME last). */
export type SourceColumns = ColumnDef[];

export { makeDecoder, makeGenericDecoder, sourceColumnsOf, recordColumnDefs, splitCsv, APPROXIMATE_ARRIVAL_TIME } from './decode.js';
export { MappingError, jsonConverter, csvConverter } from './convert.js';
export { encodeBatch, encodeRows, type EncodedRecords } from './encode.js';
export { loadReferenceTable, referenceFile, ReferenceDataError } from './reference.js';
export { discoverSchema, columnName, type DiscoveredSchema } from './discover.js';
