import { describe, expect, it } from 'vitest';
import { batchFromRows, rowsFromBatch, type Row } from '../../../src/exec/arrow.js';
import { Dataflow } from '../../../src/exec/dataflow.js';
import { compileProgram } from '../../../src/exec/program.js';
import { referenceRun } from '../reference/index.js';

const config = {
  Inputs: [
    {
      NamePrefix: 'SOURCE_SQL_STREAM',
      InputSchema: {
        RecordColumns: [
          { Name: 'TICKER', SqlType: 'VARCHAR(8)', Mapping: '$.TICKER' },
          { Name: 'PRICE', SqlType: 'DOUBLE', Mapping: '$.PRICE' },
        ],
      },
    },
  ],
};

const CODE = `
CREATE OR REPLACE STREAM "DEST" (TICKER VARCHAR(8), AVG_PRICE DOUBLE, N INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
  SELECT STREAM "TICKER",
    AVG("PRICE") OVER (PARTITION BY "TICKER" RANGE INTERVAL '1' SECOND PRECEDING),
    COUNT(*) OVER (PARTITION BY "TICKER" RANGE INTERVAL '1' SECOND PRECEDING)
  FROM SOURCE_SQL_STREAM_001;`;

describe('sliding windows', () => {
  it('keep state only for partitions with rows in the frame, with the same results', () => {
    // Keys come and go: each of 5,000 keys has rows over 300 ms, then is never seen again; a few come back later.
    const input: Row[] = Array.from({ length: 20_000 }, (_, i) => {
      const key = Math.floor(i / 4);
      return { ROWTIME: i * 25, TICKER: `K${i % 997 === 0 ? key % 50 : key}`, PRICE: i % 101 };
    });
    const program = compileProgram(CODE, config);
    const flow = new Dataflow(program, { startTime: 0, now: () => 0, tables: new Map() });
    const out: Row[] = [];
    flow.listen('DEST', (b) => out.push(...rowsFromBatch(b)));
    const schema = program.relations.get('SOURCE_SQL_STREAM_001')!.schema;
    let most = 0;
    const op = flow.operators.find((o) => o.constructor.name === 'SlidingOperator')!;
    for (let i = 0; i < input.length; i += 200) {
      flow.advance(input[i]!.ROWTIME as number);
      flow.push('SOURCE_SQL_STREAM_001', batchFromRows(schema, input.slice(i, i + 200)));
      most = Math.max(most, (op.save() as { keys: unknown[] }).keys.length);
    }
    // A second of rows is 40 rows, 10 keys: the table holds a few seconds' keys at most, not all 5,000.
    expect(most).toBeLessThan(200);
    flow.advance(Infinity);
    const expected = referenceRun(CODE, config, { streams: { SOURCE_SQL_STREAM_001: input } }).streams.DEST!;
    expect(out).toEqual(expected);
  });
});
