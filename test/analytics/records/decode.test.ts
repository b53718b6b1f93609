import { describe, expect, it } from 'vitest';
import { rowsFromBatch } from '../../../src/exec/arrow.js';
import { columnDefs } from '../../../src/exec/arrow.js';
import { makeDecoder, MappingError, sourceColumnsOf } from '../../../src/analytics/records/index.js';
import { bytes, csvSchema, jsonSchema, records, values } from './helpers.js';

const ORDER = JSON.stringify({
  customerName: 'John Doe',
  address: { city: 'Anytown', street: { number: '123' } },
  orders: [
    { orderId: '23284', itemName: 'Widget', itemPrice: 33.99 },
    { orderId: '63122', itemName: 'Gadget', itemPrice: 22.5 },
  ],
});

describe('JSON mappings', () => {
  it('nested paths, bracket names and array indexes', () => {
    const dec = makeDecoder(jsonSchema([
      { Name: 'name', SqlType: 'VARCHAR(16)', Mapping: '$.customerName' },
      { Name: 'city', SqlType: 'VARCHAR(16)', Mapping: '$.address.city' },
      { Name: 'number', SqlType: 'INTEGER', Mapping: "$['address']['street'].number" },
      { Name: 'second', SqlType: 'VARCHAR(8)', Mapping: '$.orders[1].itemName' },
      { Name: 'none', SqlType: 'VARCHAR(8)', Mapping: '$.address.nothing.deeper' },
    ]));
    expect(values(dec.decode(records([ORDER]), 0))).toEqual([{ name: 'John Doe', city: 'Anytown', number: 123, second: 'Gadget', none: null }]);
  });

  it('$.arr[0:] gives the array as JSON text', () => {
    const dec = makeDecoder(jsonSchema([{ Name: 'orders', SqlType: 'VARCHAR(200)', Mapping: '$.orders[0:]' }]));
    expect(values(dec.decode(records([ORDER]), 0))[0]!.orders).toBe(JSON.stringify(JSON.parse(ORDER).orders));
  });

  it('$.arr[0:].x flattens: one row per element, other fields repeated', () => {
    const dec = makeDecoder(jsonSchema([
      { Name: 'name', SqlType: 'VARCHAR(16)', Mapping: '$.customerName' },
      { Name: 'orderId', SqlType: 'INTEGER', Mapping: '$.orders[0:].orderId' },
      { Name: 'price', SqlType: 'DOUBLE', Mapping: '$.orders[0:].itemPrice' },
    ]));
    const out = dec.decode(records([ORDER, '{"customerName": "Empty", "orders": []}', '{"customerName": "None"}']), 0);
    expect(values(out)).toEqual([
      { name: 'John Doe', orderId: 23284, price: 33.99 },
      { name: 'John Doe', orderId: 63122, price: 22.5 },
      { name: 'Empty', orderId: null, price: null },
      { name: 'None', orderId: null, price: null },
    ]);
    const rows = rowsFromBatch(out.batch);
    // rows of one record share its ROWTIME and arrival
    expect(rows.map((r) => r.APPROXIMATE_ARRIVAL_TIME)).toEqual([1000, 1000, 1001, 1002]);
    expect(rows.map((r) => r.ROWTIME)).toEqual([1000, 1000, 1001, 1002]);
  });

  it('a failing element fails the whole record', () => {
    const dec = makeDecoder(jsonSchema([{ Name: 'id', SqlType: 'INTEGER', Mapping: '$.a[0:].id' }]));
    const out = dec.decode(records(['{"a": [{"id": 1}, {"id": "x"}]}', '{"a": [{"id": 2}]}']), 0);
    expect(values(out)).toEqual([{ id: 2 }]);
    expect(out.errors).toEqual([{ index: 0, message: 'column "id": cannot convert "x" to INTEGER' }]);
  });

  it('only one array can be flattened', () => {
    expect(() =>
      makeDecoder(jsonSchema([
        { Name: 'a', SqlType: 'INTEGER', Mapping: '$.a[0:].x' },
        { Name: 'b', SqlType: 'INTEGER', Mapping: '$.b[0:].x' },
      ])),
    ).toThrow(MappingError);
  });

  it('RecordRowPath to a nested object or array of rows', () => {
    const cols = [{ Name: 'id', SqlType: 'INTEGER', Mapping: '$.id' }];
    const obj = makeDecoder(jsonSchema(cols, '$.data'));
    expect(values(obj.decode(records(['{"data": {"id": 7}}']), 0))).toEqual([{ id: 7 }]);
    const arr = makeDecoder(jsonSchema(cols, '$.data[0:]'));
    expect(values(arr.decode(records(['{"data": [{"id": 1}, {"id": 2}]}']), 0))).toEqual([{ id: 1 }, { id: 2 }]);
    const top = makeDecoder(jsonSchema(cols));
    expect(values(top.decode(records(['[{"id": 1}, {"id": 2}]']), 0))).toEqual([{ id: 1 }, { id: 2 }]);
    const missing = obj.decode(records(['{"other": 1}']), 0);
    expect(missing.errors[0]!.message).toMatch(/RecordRowPath/);
  });

  it('a record that is not an object is an error', () => {
    const dec = makeDecoder(jsonSchema([{ Name: 'id', SqlType: 'INTEGER', Mapping: '$.id' }]));
    const out = dec.decode(records(['5', '"x"', 'null', '', '{"id": 1} x']), 0);
    expect(out.batch.numRows).toBe(0);
    expect(out.errors.map((e) => e.index)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('the batch', () => {
  const schema = jsonSchema([
    { Name: 'ticker_symbol', SqlType: 'VARCHAR(4)', Mapping: '$.ticker_symbol' },
    { Name: 'PRICE', SqlType: 'REAL', Mapping: '$.PRICE' },
  ]);

  it('columns: ROWTIME, the RecordColumns as written, APPROXIMATE_ARRIVAL_TIME', () => {
    const out = makeDecoder(schema).decode(records(['{"ticker_symbol": "AMZN", "PRICE": 1}']), 0);
    expect(columnDefs(out.batch.schema).map((c) => `${c.name} ${c.type.kind}${c.type.precision ? `(${c.type.precision})` : ''}`)).toEqual([
      'ROWTIME TIMESTAMP',
      'ticker_symbol VARCHAR(4)',
      'PRICE REAL',
      'APPROXIMATE_ARRIVAL_TIME TIMESTAMP',
    ]);
    expect(sourceColumnsOf(schema).map((c) => c.name)).toEqual(['ROWTIME', 'ticker_symbol', 'PRICE', 'APPROXIMATE_ARRIVAL_TIME']);
  });

  it('ROWTIME = max(rowtimeFloor, previous, arrival); errors do not move it', () => {
    const dec = makeDecoder(schema);
    const recs = [
      { data: bytes('{"PRICE": 1}'), arrival: 500 },
      { data: bytes('{"PRICE": 2}'), arrival: 2000 },
      { data: bytes('{"PRICE": "bad"}'), arrival: 5000 },
      { data: bytes('{"PRICE": 3}'), arrival: 1500 },
      { data: bytes('{"PRICE": 4}'), arrival: 2500 },
    ];
    const out = dec.decode(recs, 1000);
    const rows = rowsFromBatch(out.batch);
    expect(rows.map((r) => r.ROWTIME)).toEqual([1000, 2000, 2000, 2500]);
    expect(rows.map((r) => r.APPROXIMATE_ARRIVAL_TIME)).toEqual([500, 2000, 1500, 2500]);
    expect(out.lastRowtime).toBe(2500);
    const next = dec.decode([{ data: bytes('{"PRICE": 5}'), arrival: 100 }], out.lastRowtime);
    expect(rowsFromBatch(next.batch)[0]!.ROWTIME).toBe(2500);
    expect(dec.decode([], 777).lastRowtime).toBe(777);
  });
});

describe('CSV', () => {
  const cols = [
    { Name: 'ticker', SqlType: 'VARCHAR(4)' },
    { Name: 'price', SqlType: 'DOUBLE' },
    { Name: 'qty', SqlType: 'INTEGER' },
  ];

  it('columns by position; fewer cells give NULLs, extra cells are ignored; empty cells are NULL', () => {
    const dec = makeDecoder(csvSchema(cols));
    expect(values(dec.decode(records(['AMZN,84.5,10', 'AAPL,1.5', 'MSFTX,2,3,extra,more', ',,']), 0))).toEqual([
      { ticker: 'AMZN', price: 84.5, qty: 10 },
      { ticker: 'AAPL', price: 1.5, qty: null },
      { ticker: 'MSFT', price: 2, qty: 3 },
      { ticker: null, price: null, qty: null },
    ]);
  });

  it('a record may hold several rows; custom delimiters', () => {
    const dec = makeDecoder(csvSchema(cols, '|', '\n'));
    const out = dec.decode(records(['AMZN|1|2\nAAPL|3|4\n', 'MSFT|5|6\r\nINTC|7|8']), 0);
    expect(values(out)).toEqual([
      { ticker: 'AMZN', price: 1, qty: 2 },
      { ticker: 'AAPL', price: 3, qty: 4 },
      { ticker: 'MSFT', price: 5, qty: 6 },
      { ticker: 'INTC', price: 7, qty: 8 },
    ]);
    expect(rowsFromBatch(out.batch).map((r) => r.APPROXIMATE_ARRIVAL_TIME)).toEqual([1000, 1000, 1001, 1001]);
    const multi = makeDecoder(csvSchema(cols, '::', ';;'));
    expect(values(multi.decode(records(['A::1::2;;B::3::4']), 0))).toEqual([
      { ticker: 'A', price: 1, qty: 2 },
      { ticker: 'B', price: 3, qty: 4 },
    ]);
    const tab = makeDecoder(csvSchema(cols, '\t', '\n'));
    expect(values(tab.decode(records(['A\t1\t2']), 0))).toEqual([{ ticker: 'A', price: 1, qty: 2 }]);
  });

  it('quoting: delimiters and doubled quotes inside quotes; a quoted empty cell is an empty string', () => {
    const dec = makeDecoder(csvSchema([{ Name: 's', SqlType: 'VARCHAR(20)' }, { Name: 't', SqlType: 'VARCHAR(20)' }]));
    expect(values(dec.decode(records(['"a,b","say ""hi"""', '"line\nbreak",""', 'plain,"x"']), 0))).toEqual([
      { s: 'a,b', t: 'say "hi"' },
      { s: 'line\nbreak', t: '' },
      { s: 'plain', t: 'x' },
    ]);
  });

  it('conversion rules apply to cells; a bad cell fails the record', () => {
    const dec = makeDecoder(csvSchema([{ Name: 'b', SqlType: 'BOOLEAN' }, { Name: 'n', SqlType: 'SMALLINT' }, { Name: 't', SqlType: 'TIMESTAMP' }]));
    const out = dec.decode(records(['TRUE, 12 ,2024-01-02 03:04:05.006', 'no,1,', 'true,x,', 'true,1,2024-01-02\nfalse,70000,']), 0);
    expect(values(out)).toEqual([
      { b: true, n: 12, t: Date.UTC(2024, 0, 2, 3, 4, 5, 6) },
      { b: false, n: 1, t: null },
    ]);
    expect(out.errors.map((e) => e.index)).toEqual([2, 3]);
    expect(values(dec.decode(records(['true,1,1709288430456']), 0))[0]!.t).toBe(1709288430456);
    expect(out.errors[0]!.message).toBe('column "n": cannot convert "x" to SMALLINT');
    expect(out.errors[1]!.message).toContain('70000');
  });
});

describe('decodeRuns: records as byte ranges of one buffer', () => {
  it('gives the rows, ROWTIMEs and errors decode gives, the records cut anywhere into runs', () => {
    const texts = [
      '{"TICKER_SYMBOL": "AMZN", "SECTOR": "TECHNOLOGY", "CHANGE": -0.23, "PRICE": 84.51}',
      '{"TICKER_SYMBOL": "AAPL", "PRICE": 1e2, "CHANGE": 0}',
      '{"TICKER_SYMBOL": "ZZ", "PRICE": "x"}', // fails conversion
      '{"TICKER_SYMBOL": "MSFT", "PRICE": 1.', // malformed, the next record's bytes follow it
      '{"TICKER_SYMBOL": "\\u0041B", "SECTOR": {"nested": 1}, "PRICE": 2}',
      'true',
      '{"PRICE": 3, "TICKER_SYMBOL": "INTC"}   ',
    ];
    const dec = makeDecoder(jsonSchema([
      { Name: 'TICKER_SYMBOL', SqlType: 'VARCHAR(4)', Mapping: '$.TICKER_SYMBOL' },
      { Name: 'SECTOR', SqlType: 'VARCHAR(16)', Mapping: '$.SECTOR' },
      { Name: 'CHANGE', SqlType: 'REAL', Mapping: '$.CHANGE' },
      { Name: 'PRICE', SqlType: 'REAL', Mapping: '$.PRICE' },
    ]));
    const arrivals = texts.map((_, i) => 1000 + (i % 3) * 10);
    const want = dec.decode(texts.map((t, i) => ({ data: Buffer.from(t), arrival: arrivals[i]! })), 500);
    // one buffer: each record followed by junk bytes (as in a log frame), so reading past a record's end shows
    const parts: Buffer[] = [];
    const start = new Uint32Array(texts.length);
    const length = new Uint32Array(texts.length);
    let at = 3;
    parts.push(Buffer.from('}}}'));
    texts.forEach((t, i) => {
      const b = Buffer.from(t);
      start[i] = at;
      length[i] = b.length;
      parts.push(b, Buffer.from('0}, "'));
      at += b.length + 5;
    });
    const bytes = Buffer.concat(parts);
    const arrival = Float64Array.from(arrivals);
    for (const cuts of [[0, 7], [0, 3, 7], [0, 1, 2, 5, 6, 7]]) {
      const runs = cuts.slice(1).map((to, k) => ({ bytes, start, length, arrival, from: cuts[k]!, to }));
      const got = dec.decodeRuns!(runs, 500);
      expect(rowsFromBatch(got.batch)).toEqual(rowsFromBatch(want.batch));
      expect(got.errors).toEqual(want.errors);
      expect(got.lastRowtime).toBe(want.lastRowtime);
    }
    expect(want.errors.map((e) => e.index)).toEqual([2, 3, 5]);
  });
});
