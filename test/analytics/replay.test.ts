import { describe, expect, it } from 'vitest';
import { replay } from '../../src/analytics/replay.js';
import { COUNTS, config, json, streamOutput, T0 } from './helpers.js';

describe('replay', () => {
  it('runs to the end on a virtual clock, closing every window', async () => {
    const records = [0, 1000, 5000, 12000, 15000, 31000].map((dt, i) => ({ arrival: T0 + dt, data: json({ TICKER: i % 2 ? 'AMZN' : 'AAPL', PRICE: i }) }));
    const r = await replay(COUNTS, config('in', [streamOutput('DEST', 'out')]), records);
    expect(r.outputs.DEST).toEqual([
      { ROWTIME: T0 + 10000, TICKER: 'AAPL', WIN: T0, C: 2, TOTAL: 2 },
      { ROWTIME: T0 + 10000, TICKER: 'AMZN', WIN: T0, C: 1, TOTAL: 1 },
      { ROWTIME: T0 + 20000, TICKER: 'AMZN', WIN: T0 + 10000, C: 1, TOTAL: 3 },
      { ROWTIME: T0 + 20000, TICKER: 'AAPL', WIN: T0 + 10000, C: 1, TOTAL: 4 },
      { ROWTIME: T0 + 40000, TICKER: 'AMZN', WIN: T0 + 30000, C: 1, TOTAL: 5 },
    ]);
    expect(r.streams.SOURCE_SQL_STREAM_001).toHaveLength(6);
    expect(r.errors).toEqual([]);
  });

  it('sends records the mapping refuses to error_stream, and an error_stream output delivers them', async () => {
    const records = [json({ TICKER: 'AAPL', PRICE: 1 }), new TextEncoder().encode('not json'), json({ TICKER: 'AMZN', PRICE: 'x' })].map((data, i) => ({ arrival: T0 + i, data }));
    const r = await replay(COUNTS, config('in', [streamOutput('DEST', 'out'), streamOutput('error_stream', 'errs')]), records);
    expect(r.errors.length).toBe(2);
    expect(r.outputs.error_stream).toBe(r.errors);
    expect(r.errors[0]!.DATA_ROW).toBe(Buffer.from('not json').toString('hex'));
    expect(r.outputs.DEST).toEqual([{ ROWTIME: T0 + 10000, TICKER: 'AAPL', WIN: T0, C: 1, TOTAL: 1 }]);
  });
});
