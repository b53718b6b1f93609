import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { batchFromRows, rowsFromBatch } from '../../../src/exec/arrow.js';
import { t } from '../../../src/sql/bind/types.js';
import { discoverSchema, encodeRows, loadReferenceTable, makeDecoder } from '../../../src/analytics/records/index.js';
import type { ReferenceDataSourceShape } from '../../../src/analytics/config.js';
import { bytes, csvSchema, jsonSchema, records, values } from './helpers.js';

const dec = new TextDecoder();
const texts = (rs: Uint8Array[]) => rs.map((r) => dec.decode(r));

describe('encodeRows', () => {
  const cols = [
    { name: 'ROWTIME', type: t('TIMESTAMP') },
    { name: 'TICKER', type: t('VARCHAR', 8) },
    { name: 'PRICE', type: t('REAL') },
    { name: 'AVG', type: t('DOUBLE') },
    { name: 'N', type: t('BIGINT') },
    { name: 'OK', type: t('BOOLEAN') },
    { name: 'AMOUNT', type: t('DECIMAL', 8, 2) },
    { name: 'T', type: t('TIMESTAMP') },
  ];
  const batch = batchFromRows(cols, [
    { ROWTIME: Date.UTC(2024, 0, 1, 11, 1), TICKER: 'AMZN', PRICE: Math.fround(84.51), AVG: 1, N: 3, OK: true, AMOUNT: 12.3, T: Date.UTC(2024, 0, 1, 11, 0, 0, 5) },
    { ROWTIME: Date.UTC(2024, 0, 1, 11, 2), TICKER: 'a,"b"', PRICE: null, AVG: 1e21, N: null, OK: false, AMOUNT: null, T: null },
  ]);
  const out = ['TICKER', 'PRICE', 'AVG', 'N', 'OK', 'AMOUNT', 'T'];

  it('JSON: one object per row, ROWTIME only when listed, timestamps as text', () => {
    expect(texts(encodeRows(batch, out, 'JSON'))).toEqual([
      '{"TICKER":"AMZN","PRICE":84.51,"AVG":1.0,"N":3,"OK":true,"AMOUNT":12.30,"T":"2024-01-01 11:00:00.005"}',
      '{"TICKER":"a,\\"b\\"","PRICE":null,"AVG":1.0E21,"N":null,"OK":false,"AMOUNT":null,"T":null}',
    ]);
    expect(texts(encodeRows(batch, ['ROWTIME', 'TICKER'], 'JSON'))[0]).toBe('{"ROWTIME":"2024-01-01 11:01:00.000","TICKER":"AMZN"}');
    // ColumnDefs are accepted too
    expect(texts(encodeRows(batch, [cols[1]!], 'JSON'))[0]).toBe('{"TICKER":"AMZN"}');
  });

  it('CSV: comma-separated lines, quoted when needed, NULL empty', () => {
    expect(texts(encodeRows(batch, out, 'CSV'))).toEqual([
      'AMZN,84.51,1.0,3,true,12.30,2024-01-01 11:00:00.005\n',
      '"a,""b""",,1.0E21,,false,,\n',
    ]);
  });

  it('unknown columns are an error', () => {
    expect(() => encodeRows(batch, ['NOPE'], 'JSON')).toThrow(/NOPE/);
  });

  it('what it writes decodes back (JSON and CSV)', () => {
    const schemaCols = out.map((name) => ({ Name: name, SqlType: cols.find((c) => c.name === name)!.type.kind === 'DECIMAL' ? 'DECIMAL(8,2)' : name === 'TICKER' ? 'VARCHAR(8)' : cols.find((c) => c.name === name)!.type.kind, Mapping: `$.${name}` }));
    const expected = rowsFromBatch(batch).map(({ ROWTIME: _, ...rest }) => rest);
    const j = makeDecoder(jsonSchema(schemaCols)).decode(encodeRows(batch, out, 'JSON').map((data) => ({ data, arrival: 0 })), 0);
    expect(values(j)).toEqual(expected);
    const c = makeDecoder(csvSchema(schemaCols)).decode(encodeRows(batch, out, 'CSV').map((data) => ({ data, arrival: 0 })), 0);
    expect(values(c)).toEqual(expected);
  });
});

describe('loadReferenceTable', () => {
  const root = mkdtempSync(join(tmpdir(), 'sluice-ref-'));
  const source = (key: string, format: 'CSV' | 'JSON'): ReferenceDataSourceShape => ({
    TableName: 'CompanyName',
    S3ReferenceDataSource: { BucketARN: 'arn:aws:s3:::my-bucket', FileKey: key },
    ReferenceSchema: (format === 'CSV' ? csvSchema : jsonSchema)([
      { Name: 'Ticker', SqlType: 'VARCHAR(4)', Mapping: '$.Ticker' },
      { Name: 'Company', SqlType: 'VARCHAR(32)', Mapping: '$.Company' },
    ]),
  });

  it('reads root/<bucket>/<key>, else root/<key>; CSV and JSON', () => {
    mkdirSync(join(root, 'my-bucket', 'ref'), { recursive: true });
    writeFileSync(join(root, 'my-bucket', 'ref', 'companies.csv'), 'AMZN,Amazon\nAAPL,"Apple, Inc."\n');
    writeFileSync(join(root, 'companies.json'), '{"Ticker": "AMZN", "Company": "Amazon"}\n\n{"Ticker": "MSFT", "Company": "Microsoft"}\n');
    writeFileSync(join(root, 'companies-array.json'), '[{"Ticker": "INTC", "Company": "Intel"}]');
    const csv = loadReferenceTable(source('ref/companies.csv', 'CSV'), root);
    expect(rowsFromBatch(csv)).toEqual([
      { Ticker: 'AMZN', Company: 'Amazon' },
      { Ticker: 'AAPL', Company: 'Apple, Inc.' },
    ]);
    expect(csv.schema.fields.map((f) => f.name)).toEqual(['Ticker', 'Company']);
    expect(rowsFromBatch(loadReferenceTable(source('companies.json', 'JSON'), root))).toEqual([
      { Ticker: 'AMZN', Company: 'Amazon' },
      { Ticker: 'MSFT', Company: 'Microsoft' },
    ]);
    expect(rowsFromBatch(loadReferenceTable(source('companies-array.json', 'JSON'), root))).toEqual([{ Ticker: 'INTC', Company: 'Intel' }]);
  });

  it('refuses a FileKey that leaves the S3 root', () => {
    expect(() => loadReferenceTable(source('../outside.csv', 'CSV'), root)).toThrow(/leaves the S3 root/);
    expect(() => loadReferenceTable(source('ref/../../../etc/passwd', 'CSV'), root)).toThrow(/leaves the S3 root/);
  });

  it('a missing file names both places looked at; a bad record names the file and line', () => {
    expect(() => loadReferenceTable(source('nope.csv', 'CSV'), root)).toThrow(/my-bucket[/\\]nope\.csv and .*nope\.csv/);
    writeFileSync(join(root, 'bad.json'), '{"Ticker": "AMZN"}\n{"Ticker": [1]}\n');
    const src = source('bad.json', 'JSON');
    src.ReferenceSchema.RecordColumns[0]!.SqlType = 'INTEGER';
    expect(() => loadReferenceTable(src, root)).toThrow(/bad\.json:1: column "Ticker"/);
    writeFileSync(join(root, 'bad.csv'), '1,a\n\n2,b\nx,c\n');
    const csv = source('bad.csv', 'CSV');
    csv.ReferenceSchema.RecordColumns[0]!.SqlType = 'INTEGER';
    expect(() => loadReferenceTable(csv, root)).toThrow(/bad\.csv:4: column "Ticker": cannot convert "x" to INTEGER/);
  });
});

describe('discoverSchema', () => {
  it('JSON: the demo stream gives the demo schema', () => {
    const recs = [
      '{"TICKER_SYMBOL": "AMZN", "SECTOR": "TECHNOLOGY", "CHANGE": -0.23, "PRICE": 84.51}',
      '{"TICKER_SYMBOL": "TBV", "SECTOR": "RETAIL", "CHANGE": 1.2, "PRICE": 12}',
    ];
    const d = discoverSchema(recs.map(bytes));
    expect(d.InputSchema.RecordFormat).toEqual({ RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } });
    expect(d.InputSchema.RecordColumns).toEqual([
      { Name: 'TICKER_SYMBOL', SqlType: 'VARCHAR(4)', Mapping: '$.TICKER_SYMBOL' },
      { Name: 'SECTOR', SqlType: 'VARCHAR(16)', Mapping: '$.SECTOR' },
      { Name: 'CHANGE', SqlType: 'REAL', Mapping: '$.CHANGE' },
      { Name: 'PRICE', SqlType: 'REAL', Mapping: '$.PRICE' },
    ]);
    expect(d.ParsedInputRecords).toEqual([
      ['AMZN', 'TECHNOLOGY', '-0.23', '84.51'],
      ['TBV', 'RETAIL', '1.2', '12'],
    ]);
    expect(d.RawInputRecords).toEqual(recs);
    // and the schema decodes its samples
    expect(makeDecoder(d.InputSchema).decode(records(recs), 0).errors).toEqual([]);
  });

  it('JSON: nested objects, arrays, timestamps, booleans, big integers, renamed columns', () => {
    const d = discoverSchema([
      bytes('{"id": 1, "big": 5000000000, "ok": true, "at": "2024-01-01T00:00:00Z", "user": {"id": 7, "name": "x"}, "tags": ["a"], "1st": 1, "select": "s"}'),
      bytes('{"id": 2, "big": 1, "ok": false, "at": "2024-01-01 00:00:01.5", "user": {"id": 8, "name": "yy"}, "tags": [], "1st": 2.5, "select": null}'),
    ]);
    expect(d.InputSchema.RecordColumns).toEqual([
      { Name: 'id', SqlType: 'INTEGER', Mapping: '$.id' },
      { Name: 'big', SqlType: 'BIGINT', Mapping: '$.big' },
      { Name: 'ok', SqlType: 'BOOLEAN', Mapping: '$.ok' },
      { Name: 'COL_at', SqlType: 'TIMESTAMP', Mapping: '$.at' }, // AT is reserved
      { Name: 'user_id', SqlType: 'INTEGER', Mapping: '$.user.id' },
      { Name: 'name', SqlType: 'VARCHAR(2)', Mapping: '$.user.name' },
      { Name: 'tags', SqlType: 'VARCHAR(8)', Mapping: '$.tags[0:]' },
      { Name: 'COL_1st', SqlType: 'REAL', Mapping: "$['1st']" },
      { Name: 'COL_select', SqlType: 'VARCHAR(1)', Mapping: '$.select' },
    ]);
    const out = makeDecoder(d.InputSchema).decode(d.RawInputRecords.map((r) => ({ data: bytes(r), arrival: 0 })), 0);
    expect(out.errors).toEqual([]);
    expect(values(out)[0]).toMatchObject({ user_id: 7, tags: '["a"]', COL_1st: 1 });
  });

  it('CSV: COL1..COLn with the delimiter found', () => {
    const d = discoverSchema([bytes('AMZN|84.51|10|true'), bytes('AAPL|1|20|false\nMSFTX|2|30|true')]);
    expect(d.InputSchema.RecordFormat).toEqual({
      RecordFormatType: 'CSV',
      MappingParameters: { CSVMappingParameters: { RecordRowDelimiter: '\n', RecordColumnDelimiter: '|' } },
    });
    expect(d.InputSchema.RecordColumns).toEqual([
      { Name: 'COL1', SqlType: 'VARCHAR(8)' },
      { Name: 'COL2', SqlType: 'REAL' },
      { Name: 'COL3', SqlType: 'INTEGER' },
      { Name: 'COL4', SqlType: 'BOOLEAN' },
    ]);
    expect(d.ParsedInputRecords).toEqual([
      ['AMZN', '84.51', '10', 'true'],
      ['AAPL', '1', '20', 'false'],
      ['MSFTX', '2', '30', 'true'],
    ]);
  });
});
