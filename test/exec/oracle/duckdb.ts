/**
 * A small DuckDB harness for oracle tests: load rows into in-memory tables (through an appender, so values never go
 * through SQL text) and read query results back as plain rows with JS numbers (BIGINT, HUGEINT, DECIMAL → number;
 * TIMESTAMP → epoch milliseconds).
 */
import {
  DuckDBDecimalValue, DuckDBInstance, DuckDBTimestampMillisecondsValue, DuckDBTimestampValue, type DuckDBConnection, type DuckDBValue,
} from '@duckdb/node-api';
import type { Row } from '../../../src/exec/arrow.js';
import type { Value } from '../../../src/exec/values.js';

export type DuckColumnType = 'BOOLEAN' | 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'VARCHAR' | 'TIMESTAMP';

export interface DuckColumn {
  name: string;
  type: DuckColumnType;
}

/** `"name"` with inner quotes doubled. */
export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export class DuckOracle {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  static async create(): Promise<DuckOracle> {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    return new DuckOracle(instance, await instance.connect());
  }

  /** (Re)create table `name` holding `rows` (keyed by column name; a missing key is NULL). TIMESTAMP values are ms. */
  async table(name: string, columns: DuckColumn[], rows: readonly Row[]): Promise<void> {
    await this.connection.run(`DROP TABLE IF EXISTS ${quoteIdent(name)}`);
    await this.connection.run(`CREATE TABLE ${quoteIdent(name)} (${columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`);
    const appender = await this.connection.createAppender(name);
    for (const row of rows) {
      for (const c of columns) {
        const v = row[c.name];
        if (v === null || v === undefined) {
          appender.appendNull();
          continue;
        }
        switch (c.type) {
          case 'BOOLEAN':
            appender.appendBoolean(v as boolean);
            break;
          case 'INTEGER':
            appender.appendInteger(v as number);
            break;
          case 'BIGINT':
            appender.appendBigInt(BigInt(v as number));
            break;
          case 'DOUBLE':
            appender.appendDouble(v as number);
            break;
          case 'VARCHAR':
            appender.appendVarchar(v as string);
            break;
          case 'TIMESTAMP':
            appender.appendTimestamp(new DuckDBTimestampValue(BigInt(v as number) * 1000n));
            break;
        }
      }
      appender.endRow();
    }
    appender.flushSync();
    appender.closeSync();
  }

  /** Run a query (with optional positional parameters `$1`, `$2`, ...) and read every row. */
  async query(sql: string, params?: DuckDBValue[]): Promise<Row[]> {
    const reader = await this.connection.runAndReadAll(sql, params);
    return reader.getRowObjects().map((r) => {
      const out: Row = {};
      for (const [k, v] of Object.entries(r)) out[k] = toJs(v);
      return out;
    });
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

export function toJs(v: DuckDBValue): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof DuckDBDecimalValue) return v.toDouble();
  if (v instanceof DuckDBTimestampValue) return Number(v.micros / 1000n);
  if (v instanceof DuckDBTimestampMillisecondsValue) return Number(v.millis);
  throw new Error(`duckdb oracle: no JS conversion for ${String(v)}`);
}
