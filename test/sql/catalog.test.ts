/** The catalog an application configuration defines, and the checks made against it. */
import { describe, expect, it } from 'vitest';
import { show } from '../../src/sql/bind/types.js';
import { catalogFromConfig, ConfigError, parseSqlType, sourceStreamNames } from '../../src/sql/catalog.js';
import { checkApplication, Codes } from '../../src/sql/index.js';

describe('catalog from configuration', () => {
  it('names source streams NamePrefix_001 ... _00N', () => {
    expect(sourceStreamNames('SOURCE_SQL_STREAM', 3)).toEqual(['SOURCE_SQL_STREAM_001', 'SOURCE_SQL_STREAM_002', 'SOURCE_SQL_STREAM_003']);
    const c = catalogFromConfig({ Inputs: [{ NamePrefix: 'clicks', InputParallelism: { Count: 2 }, InputSchema: { RecordColumns: [{ Name: 'url', SqlType: 'VARCHAR(64)' }] } }] });
    expect(c.relationNames(['source'])).toEqual(['clicks_001', 'clicks_002']);
    expect(c.relation('clicks_001')!.columns.map((x) => [x.name, show(x.type)])).toEqual([['url', 'VARCHAR(64)'], ['APPROXIMATE_ARRIVAL_TIME', 'TIMESTAMP']]);
    expect(c.relation('error_stream')!.kind).toBe('error');
  });

  it('defaults to an open SOURCE_SQL_STREAM_001 without inputs', () => {
    const c = catalogFromConfig();
    expect(c.relationNames(['source'])).toEqual(['SOURCE_SQL_STREAM_001']);
    expect(c.relation('SOURCE_SQL_STREAM_001')!.open).toBe(true);
  });

  it('reads SqlType spellings and refuses unknown ones', () => {
    expect(show(parseSqlType('decimal(10, 2)'))).toBe('DECIMAL(10,2)');
    expect(show(parseSqlType('DOUBLE PRECISION'))).toBe('DOUBLE');
    expect(show(parseSqlType('character varying(7)'))).toBe('VARCHAR(7)');
    expect(show(parseSqlType('INT'))).toBe('INTEGER');
    expect(() => parseSqlType('TEXT')).toThrow(ConfigError);
    expect(() => catalogFromConfig({ Inputs: [{ NamePrefix: 'x', InputParallelism: { Count: 65 } }] })).toThrow(/1 to 64/);
  });

  it('checks that each output names an in-application stream, case included', () => {
    const code = 'CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (a INTEGER);';
    expect(checkApplication(code, { Outputs: [{ Name: 'DESTINATION_SQL_STREAM' }] }).diagnostics).toEqual([]);
    const r = checkApplication(code, { Outputs: [{ Name: 'destination_sql_stream' }] });
    expect(r.ok).toBe(false);
    expect(r.diagnostics.map((d) => [d.code, d.message])).toEqual([
      [Codes.UNKNOWN_OUTPUT, 'Outputs[0].Name "destination_sql_stream" is not an in-application stream of this code; did you mean DESTINATION_SQL_STREAM?'],
    ]);
  });

  it('resolves unquoted lower-case stream names to the upper-case source', () => {
    const code = `CREATE OR REPLACE STREAM out_s (u VARCHAR(64));
CREATE OR REPLACE PUMP p AS INSERT INTO out_s SELECT STREAM "url" FROM clicks_001;`;
    const config = { Inputs: [{ NamePrefix: 'CLICKS', InputSchema: { RecordColumns: [{ Name: 'url', SqlType: 'VARCHAR(64)' }] } }] };
    expect(checkApplication(code, config).diagnostics).toEqual([]);
    const quoted = checkApplication(code.replace('clicks_001', '"clicks_001"'), config);
    expect(quoted.diagnostics.map((d) => d.message)).toEqual(['no stream or table named "clicks_001"; did you mean CLICKS_001?']);
  });
});
