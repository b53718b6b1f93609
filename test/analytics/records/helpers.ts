import { rowsFromBatch, type Row } from '../../../src/exec/arrow.js';
import type { RecordColumnShape, SourceSchemaShape } from '../../../src/analytics/config.js';
import type { Decoded, InputRecord } from '../../../src/analytics/records/index.js';

const enc = new TextEncoder();

export const bytes = (s: string): Uint8Array => enc.encode(s);

export function jsonSchema(columns: RecordColumnShape[], rowPath = '$'): SourceSchemaShape {
  return {
    RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: rowPath } } },
    RecordEncoding: 'UTF-8',
    RecordColumns: columns,
  };
}

export function csvSchema(columns: RecordColumnShape[], col = ',', row = '\n'): SourceSchemaShape {
  return {
    RecordFormat: { RecordFormatType: 'CSV', MappingParameters: { CSVMappingParameters: { RecordColumnDelimiter: col, RecordRowDelimiter: row } } },
    RecordEncoding: 'UTF-8',
    RecordColumns: columns,
  };
}

export const records = (texts: string[], arrival0 = 1000): InputRecord[] => texts.map((t, i) => ({ data: bytes(t), arrival: arrival0 + i }));

/** The rows of a decoded batch without ROWTIME / APPROXIMATE_ARRIVAL_TIME. */
export function values(d: Decoded): Row[] {
  return rowsFromBatch(d.batch).map((r) => {
    const { ROWTIME: _r, APPROXIMATE_ARRIVAL_TIME: _a, ...rest } = r;
    return rest;
  });
}
