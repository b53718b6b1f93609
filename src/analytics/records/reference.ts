/**
 * loadReferenceTable: the S3 stand-in. The object of an S3ReferenceDataSource is the file
 * `root/<bucket>/<FileKey>` (bucket from BucketARN `arn:aws:s3:::bucket`), or else `root/<FileKey>`. It is decoded with
 * the ReferenceSchema into a batch of the table's columns (no ROWTIME):
 * - CSV: the whole file split on RecordRowDelimiter (quoted delimiters allowed), cells by position;
 * - JSON: a file starting with '[' is one JSON array whose elements are records; otherwise one record per line
 *   (blank lines skipped). RecordRowPath and the mappings apply to each record as to a stream record.
 * A record that fails mapping fails the load, with an error naming the file and the line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import { arrowSchema, batchOf } from '../../exec/arrow.js';
import type { Value } from '../../exec/values.js';
import type { ReferenceDataSourceShape } from '../config.js';
import { MappingError } from './convert.js';
import { csvDelimiters, csvRowConverter, jsonDocRows, jsonPlan, recordColumnDefs, splitCsv } from './decode.js';
import { ColumnWriter } from './writer.js';

export class ReferenceDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReferenceDataError';
  }
}

/** The file a reference data source reads (the first candidate that exists). */
export function referenceFile(source: ReferenceDataSourceShape, root: string): string {
  const s3 = source.S3ReferenceDataSource;
  if (!s3 || typeof s3.FileKey !== 'string') throw new ReferenceDataError(`reference table ${source.TableName}: S3ReferenceDataSource.FileKey is required`);
  const key = s3.FileKey.replace(/^\/+/, '');
  const bucket = /^arn:[^:]*:s3:::([^/]+)/.exec(s3.BucketARN ?? '')?.[1];
  const candidates = [...(bucket ? [join(root, bucket, key)] : []), join(root, key)];
  // The S3 stand-in is the root directory and nothing above it: a key with `..` must not read other files.
  const top = resolve(root);
  if (candidates.some((f) => { const r = relative(top, resolve(f)); return r.startsWith('..') || isAbsolute(r); })) {
    throw new ReferenceDataError(`reference table ${source.TableName}: FileKey ${JSON.stringify(s3.FileKey)} leaves the S3 root`);
  }
  const found = candidates.find((f) => existsSync(f));
  if (!found) {
    throw new ReferenceDataError(
      `reference table ${source.TableName}: no file for s3://${bucket ?? '?'}/${key}; looked for ${candidates.join(' and ')}`,
    );
  }
  return found;
}

const lineOf = (text: string, offset: number): number => {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
};

export function loadReferenceTable(source: ReferenceDataSourceShape, root: string): RecordBatch {
  const file = referenceFile(source, root);
  const schema = source.ReferenceSchema;
  if (!schema) throw new ReferenceDataError(`reference table ${source.TableName}: ReferenceSchema is required`);
  let columns;
  try {
    columns = recordColumnDefs(schema);
  } catch (e) {
    throw new ReferenceDataError(`reference table ${source.TableName}: ${(e as Error).message}`);
  }
  const text = readFileSync(file, 'utf8');
  const rows: Value[][] = [];
  const fail = (where: string, e: unknown): never => {
    if (!(e instanceof MappingError)) throw e;
    throw new ReferenceDataError(`reference table ${source.TableName}: ${file}${where}: ${e.message}`);
  };
  if (schema.RecordFormat.RecordFormatType === 'CSV') {
    const { colDelim, rowDelim } = csvDelimiters(schema);
    const convert = csvRowConverter(schema);
    for (const r of splitCsv(text, colDelim, rowDelim)) {
      try {
        rows.push(convert(r));
      } catch (e) {
        fail(`:${lineOf(text, r.start)}`, e);
      }
    }
  } else {
    const docRows = jsonDocRows(jsonPlan(schema));
    if (text.trimStart().startsWith('[')) {
      let doc: unknown[];
      try {
        doc = JSON.parse(text) as unknown[];
      } catch (e) {
        throw new ReferenceDataError(`reference table ${source.TableName}: ${file}: not valid JSON (${(e as Error).message})`);
      }
      doc.forEach((d, i) => {
        try {
          rows.push(...docRows(d));
        } catch (e) {
          fail(` element ${i + 1}`, e);
        }
      });
    } else {
      text.split('\n').forEach((line, i) => {
        if (line.trim() === '') return;
        try {
          let d: unknown;
          try {
            d = JSON.parse(line);
          } catch (e) {
            throw new MappingError(`record is not valid JSON (${(e as Error).message})`);
          }
          rows.push(...docRows(d));
        } catch (e) {
          fail(`:${i + 1}`, e);
        }
      });
    }
  }
  const writers = columns.map((c) => new ColumnWriter(c.type, rows.length));
  for (const row of rows) for (let c = 0; c < writers.length; c++) writers[c]!.append(row[c]!);
  return batchOf(arrowSchema(columns), writers.map((w) => w.finish()), rows.length);
}
