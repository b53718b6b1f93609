/**
 * The demo application `npm start` runs: the documented demo stream's stock ticks, per-ticker tumbling counts every
 * 10 seconds and a 30-second sliding average price. Shared by the live demo (demo.ts), `sluice bench app` and the
 * golden case test/apps/demo-application.
 */
import type { ApplicationShape } from '../analytics/config.js';

export const DEMO_STREAM = 'kinesis-analytics-demo-stream';
export const DEMO_TICKERS: { symbol: string; sector: string; price: number }[] = [
  { symbol: 'AMZN', sector: 'RETAIL', price: 84.51 },
  { symbol: 'AAPL', sector: 'TECHNOLOGY', price: 43.12 },
  { symbol: 'MSFT', sector: 'TECHNOLOGY', price: 56.9 },
  { symbol: 'INTC', sector: 'TECHNOLOGY', price: 22.4 },
  { symbol: 'TBV', sector: 'FINANCIAL', price: 12.85 },
  { symbol: 'XOM', sector: 'ENERGY', price: 71.3 },
];

export const DEMO_CODE = `CREATE OR REPLACE STREAM "TICKER_COUNTS" (ticker_symbol VARCHAR(4), ticker_count INTEGER);
CREATE OR REPLACE STREAM "PRICE_AVERAGES" (ticker_symbol VARCHAR(4), price REAL, avg_price DOUBLE);
CREATE OR REPLACE PUMP "COUNT_PUMP" AS INSERT INTO "TICKER_COUNTS"
  SELECT STREAM ticker_symbol, COUNT(*) AS ticker_count
  FROM "SOURCE_SQL_STREAM_001"
  GROUP BY ticker_symbol, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);
CREATE OR REPLACE PUMP "AVERAGE_PUMP" AS INSERT INTO "PRICE_AVERAGES"
  SELECT STREAM ticker_symbol, price,
    AVG(CAST(price AS DOUBLE)) OVER (PARTITION BY ticker_symbol RANGE INTERVAL '30' SECOND PRECEDING) AS avg_price
  FROM "SOURCE_SQL_STREAM_001";
`;

const ACCOUNT = '123456789012';
const streamArn = (name: string) => `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/${name}`;

/** The configuration: the demo stream in, TICKER_COUNTS and PRICE_AVERAGES out to streams of the same log, as JSON. */
export function demoConfig(outputs: { counts: string; averages: string } = { counts: 'demo-ticker-counts', averages: 'demo-price-averages' }): ApplicationShape {
  return {
    ApplicationName: 'sluice-demo',
    Inputs: [
      {
        NamePrefix: 'SOURCE_SQL_STREAM',
        KinesisStreamsInput: { ResourceARN: streamArn(DEMO_STREAM) },
        InputSchema: {
          RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } },
          RecordEncoding: 'UTF-8',
          RecordColumns: [
            { Name: 'TICKER_SYMBOL', SqlType: 'VARCHAR(4)', Mapping: '$.TICKER_SYMBOL' },
            { Name: 'SECTOR', SqlType: 'VARCHAR(16)', Mapping: '$.SECTOR' },
            { Name: 'CHANGE', SqlType: 'REAL', Mapping: '$.CHANGE' },
            { Name: 'PRICE', SqlType: 'REAL', Mapping: '$.PRICE' },
          ],
        },
      },
    ],
    Outputs: [
      { Name: 'TICKER_COUNTS', KinesisStreamsOutput: { ResourceARN: streamArn(outputs.counts) }, DestinationSchema: { RecordFormatType: 'JSON' } },
      { Name: 'PRICE_AVERAGES', KinesisStreamsOutput: { ResourceARN: streamArn(outputs.averages) }, DestinationSchema: { RecordFormatType: 'JSON' } },
    ],
  };
}

/** A deterministic stream of ticks: a random walk per ticker (xorshift, seeded). */
export class TickGenerator {
  private state: number;
  private readonly prices = DEMO_TICKERS.map((t) => t.price);
  constructor(seed = 42) {
    this.state = seed >>> 0 || 1;
  }
  private random(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 0x1_0000_0000;
  }
  next(): { TICKER_SYMBOL: string; SECTOR: string; CHANGE: number; PRICE: number } {
    const i = Math.floor(this.random() * DEMO_TICKERS.length);
    const t = DEMO_TICKERS[i]!;
    const change = Math.round((this.random() - 0.5) * 200) / 100;
    const price = Math.max(1, Math.round((this.prices[i]! + change) * 100) / 100);
    this.prices[i] = price;
    return { TICKER_SYMBOL: t.symbol, SECTOR: t.sector, CHANGE: change, PRICE: price };
  }
}
