/** error_stream rows the input side makes (the dataflow makes those of failing pumps). */
import type { Row } from '../exec/arrow.js';
import type { ErrorName } from '../exec/values.js';
import type { InputRecord } from './records/index.js';

/** A record the input could not use: DATA_ROW is the record's bytes in hex, DATA_ROWTIME its arrival. */
export function recordError(r: InputRecord, message: string, pump: string | null, now: number, name: ErrorName = 'MAPPING_FAILED'): Row {
  return {
    ERROR_TIME: now,
    ERROR_LEVEL: 'ERROR',
    ERROR_NAME: name,
    MESSAGE: message,
    DATA_ROWTIME: r.arrival,
    DATA_ROW: Buffer.from(r.data).toString('hex'),
    PUMP_NAME: pump,
  };
}
