import { t, type SqlType } from '../../../src/sql/bind/types.js';
import { SCALAR_FUNCTIONS } from '../../../src/exec/functions/index.js';
import { SqlRuntimeError, type Value } from '../../../src/exec/values.js';

export const T = {
  BOOLEAN: t('BOOLEAN'),
  TINYINT: t('TINYINT'),
  SMALLINT: t('SMALLINT'),
  INTEGER: t('INTEGER'),
  BIGINT: t('BIGINT'),
  REAL: t('REAL'),
  DOUBLE: t('DOUBLE'),
  DEC: (p: number, s: number) => t('DECIMAL', p, s),
  CHAR: (n: number) => t('CHAR', n),
  VARCHAR: (n?: number) => t('VARCHAR', n),
  BINARY: (n: number) => t('BINARY', n),
  VARBINARY: (n?: number) => t('VARBINARY', n),
  DATE: t('DATE'),
  TIME: t('TIME'),
  TIMESTAMP: t('TIMESTAMP'),
  INTERVAL: t('INTERVAL'),
  ANY: t('ANY'),
  NULL: t('NULL'),
  ROW: t('ROW'),
};

/** The function `name` made for these types, with the strict-null rule applied as the compiler does. */
export function fn(name: string, argTypes: SqlType[], result: SqlType): (...args: Value[]) => Value {
  const f = SCALAR_FUNCTIONS.get(name);
  if (!f) throw new Error(`no function ${name}`);
  const impl = f.make(argTypes, result);
  return (...args) => (f.nulls === 'strict' && args.some((a) => a === null) ? null : impl(...args));
}

/** The errorName of the SqlRuntimeError `thunk` throws (fails the test if it throws something else or nothing). */
export function errorOf(thunk: () => unknown): string {
  try {
    thunk();
  } catch (e) {
    if (e instanceof SqlRuntimeError) return e.errorName;
    throw e;
  }
  throw new Error('expected a SqlRuntimeError');
}

/** Epoch ms of an ISO-ish UTC text. */
export const ts = (s: string): number => Date.parse(s.replace(' ', 'T') + (s.endsWith('Z') ? '' : 'Z'));
