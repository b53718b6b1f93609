/**
 * The built-in functions of the KDA dialect, as the binder needs them: what kind each is (scalar, aggregate, analytic,
 * group window, table function), and a signature check that returns the result type or a message in the user's terms.
 */
import type * as A from '../ast.js';
import {
  ANY, BIGINT, BOOLEAN, DOUBLE, INTEGER, TIMESTAMP, VARCHAR, common, comparable, isChar, isDatetime, isExact,
  isInteger, isNumeric, isUnknown, show, t, type Column, type SqlType,
} from './types.js';

export type FunctionKind = 'scalar' | 'aggregate' | 'analytic' | 'groupWindow' | 'groupWindowAccessor';

/** Arguments as the checker sees them: their types, and the literal AST where an argument's value matters. */
export interface ArgInfo {
  type: SqlType;
  expr: A.Expr;
}

type Check = (args: ArgInfo[]) => SqlType | string;

export interface BuiltinFunction {
  kind: FunctionKind;
  check: Check;
}

const numeric = (a: ArgInfo) => isNumeric(a.type) || isUnknown(a.type);
const char = (a: ArgInfo) => isChar(a.type) || isUnknown(a.type);
const time = (a: ArgInfo) => isDatetime(a.type) || isUnknown(a.type);
const interval = (a: ArgInfo) => a.type.kind === 'INTERVAL' || isUnknown(a.type);
const bigintish = (a: ArgInfo) => a.type.kind === 'TIMESTAMP' || isInteger(a.type) || isUnknown(a.type);

/** A checker for a fixed list of argument tests (optional ones after `required`). */
function sig(names: string[], tests: ((a: ArgInfo) => boolean)[], result: (args: ArgInfo[]) => SqlType, required = tests.length): Check {
  return (args) => {
    if (args.length < required || args.length > tests.length) {
      const n = required === tests.length ? `${required}` : `${required} to ${tests.length}`;
      return `takes ${n} argument${tests.length === 1 ? '' : 's'} (${names.join(', ')}), not ${args.length}`;
    }
    for (let i = 0; i < args.length; i++) {
      if (!tests[i]!(args[i]!)) return `argument ${i + 1} (${names[i]}) cannot be ${show(args[i]!.type)}`;
    }
    return result(args);
  };
}

const same = (i = 0) => (args: ArgInfo[]) => args[i]!.type;
const fixed = (x: SqlType) => () => x;
const anyArg = () => true;

const SCALARS: Record<string, Check> = {
  ABS: sig(['number'], [numeric], same()),
  CEIL: sig(['number'], [numeric], same()),
  CEILING: sig(['number'], [numeric], same()),
  FLOOR: sig(['number'], [numeric], same()),
  EXP: sig(['number'], [numeric], fixed(DOUBLE)),
  LN: sig(['number'], [numeric], fixed(DOUBLE)),
  LOG10: sig(['number'], [numeric], fixed(DOUBLE)),
  SQRT: sig(['number'], [numeric], fixed(DOUBLE)),
  POWER: sig(['base', 'exponent'], [numeric, numeric], fixed(DOUBLE)),
  MOD: sig(['dividend', 'divisor'], [(a) => isExact(a.type) || isUnknown(a.type), (a) => isExact(a.type) || isUnknown(a.type)], same(1)),
  CHAR_LENGTH: sig(['string'], [char], fixed(INTEGER)),
  CHARACTER_LENGTH: sig(['string'], [char], fixed(INTEGER)),
  INITCAP: sig(['string'], [char], same()),
  LOWER: sig(['string'], [char], same()),
  UPPER: sig(['string'], [char], same()),
  SUBSTRING: sig(['string', 'start', 'length'], [char, numeric, numeric], () => VARCHAR(), 2),
  REGEX_REPLACE: sig(['string', 'regex', 'replacement', 'position', 'occurrence'], [char, char, char, numeric, numeric], () => VARCHAR(), 3),
  COALESCE: coalesce,
  NULLIF: (args) => (args.length !== 2 ? 'takes 2 arguments' : comparable(args[0]!.type, args[1]!.type) ? args[0]!.type : `cannot compare ${show(args[0]!.type)} with ${show(args[1]!.type)}`),
  TSDIFF: sig(['timestamp1', 'timestamp2'], [bigintish, bigintish], fixed(BIGINT)),
  UNIX_TIMESTAMP: sig(['timestamp'], [time], fixed(BIGINT)),
  TO_TIMESTAMP: sig(['milliseconds'], [(a) => isInteger(a.type) || isUnknown(a.type)], fixed(TIMESTAMP)),
  CHAR_TO_DATE: sig(['format', 'string'], [char, char], fixed(t('DATE'))),
  CHAR_TO_TIME: sig(['format', 'string'], [char, char], fixed(t('TIME'))),
  CHAR_TO_TIMESTAMP: sig(['format', 'string'], [char, char], fixed(TIMESTAMP)),
  DATE_TO_CHAR: sig(['format', 'date'], [char, time], () => VARCHAR()),
  TIME_TO_CHAR: sig(['format', 'time'], [char, time], () => VARCHAR()),
  TIMESTAMP_TO_CHAR: sig(['format', 'timestamp'], [char, time], () => VARCHAR()),
  CURRENT_ROW_TIMESTAMP: sig([], [], fixed(TIMESTAMP)),
  // Log parsing: row-valued; read as alias.r.COLUMN1 ...
  REGEX_LOG_PARSE: sig(['line', 'regex', 'columns'], [char, char, char], (a) => logRow(regexGroups(a[1]!.expr)), 2),
  FAST_REGEX_LOG_PARSER: sig(['line', 'regex', 'columns'], [char, char, char], (a) => logRow(regexGroups(a[1]!.expr)), 2),
  W3C_LOG_PARSE: sig(['line', 'format'], [char, char], (a) => logRow(w3cColumns(a[1]!.expr))),
  SYS_LOG_PARSE: sig(['line'], [char], () => logRow(undefined)),
  FIXED_COLUMN_LOG_PARSE: sig(['line', 'columns'], [char, char], () => logRow(undefined)),
  VARIABLE_COLUMN_LOG_PARSE: sig(['line', 'columns', 'delimiter', 'escape'], [char, anyArg, char, char], () => logRow(undefined), 2),
};

function coalesce(args: ArgInfo[]): SqlType | string {
  if (args.length < 1) return 'takes at least one argument';
  let acc = args[0]!.type;
  for (const a of args.slice(1)) {
    const c = common(acc, a.type);
    if (!c) return `arguments have no common type (${show(acc)} and ${show(a.type)})`;
    acc = c;
  }
  return acc;
}

const AGGREGATES: Record<string, Check> = {
  COUNT: () => BIGINT,
  SUM: sig(['number'], [numeric], (a) => (isInteger(a[0]!.type) ? BIGINT : a[0]!.type)),
  AVG: sig(['number'], [numeric], same()),
  MIN: sig(['value'], [anyArg], same()),
  MAX: sig(['value'], [anyArg], same()),
  FIRST_VALUE: sig(['value'], [anyArg], same()),
  LAST_VALUE: sig(['value'], [anyArg], same()),
  EXP_AVG: sig(['number', 'half-life'], [numeric, interval], fixed(DOUBLE)),
  STDDEV_POP: sig(['number'], [numeric], fixed(DOUBLE)),
  STDDEV_SAMP: sig(['number'], [numeric], fixed(DOUBLE)),
  STDDEV: sig(['number'], [numeric], fixed(DOUBLE)),
  VAR_POP: sig(['number'], [numeric], fixed(DOUBLE)),
  VAR_SAMP: sig(['number'], [numeric], fixed(DOUBLE)),
  ANY: sig(['condition'], [(a) => a.type.kind === 'BOOLEAN' || isUnknown(a.type)], fixed(BOOLEAN)),
  EVERY: sig(['condition'], [(a) => a.type.kind === 'BOOLEAN' || isUnknown(a.type)], fixed(BOOLEAN)),
};

const ANALYTIC: Record<string, Check> = {
  LAG: sig(['value', 'offset', 'default'], [anyArg, numeric, anyArg], same(), 1),
  NTH_VALUE: sig(['value', 'n'], [anyArg, numeric], same()),
  MONOTONIC: sig(['value'], [anyArg], same()),
};

const GROUP_WINDOWS: Record<string, Check> = {
  TUMBLE: sig(['time', 'size'], [time, interval], fixed(TIMESTAMP)),
  HOP: sig(['time', 'slide', 'size'], [time, interval, interval], fixed(TIMESTAMP)),
  SESSION: sig(['time', 'gap'], [time, interval], fixed(TIMESTAMP)),
};

const ACCESSORS: Record<string, Check> = {};
for (const w of ['TUMBLE', 'HOP', 'SESSION']) {
  for (const end of ['START', 'END', 'ROWTIME']) ACCESSORS[`${w}_${end}`] = (args) => GROUP_WINDOWS[w]!(args);
}

export function builtin(name: string): BuiltinFunction | undefined {
  if (SCALARS[name]) return { kind: 'scalar', check: SCALARS[name] };
  if (AGGREGATES[name]) return { kind: 'aggregate', check: AGGREGATES[name] };
  if (ANALYTIC[name]) return { kind: 'analytic', check: ANALYTIC[name] };
  if (GROUP_WINDOWS[name]) return { kind: 'groupWindow', check: GROUP_WINDOWS[name] };
  if (ACCESSORS[name]) return { kind: 'groupWindowAccessor', check: ACCESSORS[name] };
  return undefined;
}

export const BUILTIN_NAMES: string[] = [
  ...Object.keys(SCALARS), ...Object.keys(AGGREGATES), ...Object.keys(ANALYTIC), ...Object.keys(GROUP_WINDOWS), ...Object.keys(ACCESSORS),
];

/** Niladic functions written without parentheses, fixed at query start (CURRENT_ROW_TIMESTAMP takes `()`). */
export const NILADIC: Record<string, SqlType> = {
  CURRENT_TIMESTAMP: TIMESTAMP,
  LOCALTIMESTAMP: TIMESTAMP,
  CURRENT_DATE: t('DATE'),
  CURRENT_TIME: t('TIME'),
  LOCALTIME: t('TIME'),
  CURRENT_ROW_TIMESTAMP: TIMESTAMP,
};

// ---- row-valued log parsers -----------------------------------------------------------------------------------------
function logRow(n: number | undefined): SqlType {
  if (n === undefined) return { kind: 'ROW' };
  const fields: Column[] = Array.from({ length: n }, (_, i) => ({ name: `COLUMN${i + 1}`, type: VARCHAR(1024) }));
  return { kind: 'ROW', fields };
}

/** Capturing groups of a literal regex (`(?:` and escaped parentheses do not count). */
function regexGroups(e: A.Expr): number | undefined {
  if (e.kind !== 'string') return undefined;
  const m = e.value.match(/(?<!\\)\((?!\?)/g);
  return m ? m.length : 0;
}

const W3C: Record<string, number> = { COMMON: 7, 'COMMON WITH VHOST': 8, 'NCSA EXTENDED': 9, COMBINED: 9 };
function w3cColumns(e: A.Expr): number | undefined {
  return e.kind === 'string' ? W3C[e.value.toUpperCase()] : undefined;
}

// ---- table functions -------------------------------------------------------------------------------------------------
export interface TableFunctionSpec {
  /** Minimum and maximum arguments after the CURSOR. */
  args: [number, number];
  /** Output columns: the cursor's columns and what the function adds. */
  output: (input: Column[], args: ArgInfo[]) => Column[] | string;
}

const appended = (...extra: Column[]) => (input: Column[]) => [...input, ...extra];

export const TABLE_FUNCTIONS: Record<string, TableFunctionSpec> = {
  RANDOM_CUT_FOREST: { args: [0, 4], output: appended({ name: 'ANOMALY_SCORE', type: DOUBLE }) },
  RANDOM_CUT_FOREST_WITH_EXPLANATION: {
    args: [0, 5],
    output: appended({ name: 'ANOMALY_SCORE', type: DOUBLE }, { name: 'ANOMALY_EXPLANATION', type: VARCHAR(20480) }),
  },
  HOTSPOTS: { args: [3, 3], output: appended({ name: 'HOTSPOTS_RESULT', type: VARCHAR(20480) }) },
  COUNT_DISTINCT_ITEMS_TUMBLING: {
    args: [2, 2],
    output: (input, args) => namedColumn(input, args[0]) ?? [{ name: 'NUMBER_OF_DISTINCT_ITEMS', type: BIGINT }],
  },
  TOP_K_ITEMS_TUMBLING: {
    args: [3, 3],
    output: (input, args) => {
      const err = namedColumn(input, args[0]);
      if (err) return err;
      const name = (args[0]!.expr as A.StringLiteral).value;
      const col = input.find((c) => c.name === name);
      return [{ name, type: col?.type ?? ANY }, { name: 'MOST_FREQUENT_VALUES', type: BIGINT }];
    },
  },
  /**
   * GROUP_RANK(CURSOR, rankByColumnName, rankOutColumnName, sortOrder, outputOrder, maxIdle, outputMax): the cursor's
   * rows with their rank within each ROWTIME group added as an INTEGER column named by rankOutColumnName.
   */
  GROUP_RANK: {
    args: [6, 6],
    output: (input, args) => {
      const err = namedColumn(input, args[0]);
      if (err) return err.replace('the second argument', 'the second argument (rankByColumnName)');
      const rankBy = (args[0]!.expr as A.StringLiteral).value;
      const ranked = input.find((c) => c.name === rankBy);
      if (ranked && !isInteger(ranked.type) && !isChar(ranked.type) && !isUnknown(ranked.type)) {
        return `ranks by an integer or string column; '${rankBy}' is ${show(ranked.type)}`;
      }
      const out = args[1]!.expr;
      if (out.kind !== 'string' || out.value === '') return "the third argument (rankOutColumnName) names the rank column as a string, e.g. 'groupRank'";
      for (const [i, what] of [[2, 'sortOrder'], [3, 'outputOrder']] as const) {
        const a = args[i]!.expr;
        if (a.kind !== 'string' || !['ASC', 'DESC'].includes(a.value.toUpperCase())) return `${what} must be 'asc' or 'desc'`;
      }
      for (const [i, what] of [[4, 'maxIdle (milliseconds; 0 for no timeout)'], [5, 'outputMax (rows per group; 0 for no limit)']] as const) {
        const ty = args[i]!.type;
        if (!isInteger(ty) && !isUnknown(ty)) return `${what} must be an integer, not ${show(ty)}`;
      }
      if (input.some((c) => c.name === out.value)) return `the cursor already has a column '${out.value}'; name the rank column differently`;
      return [...input, { name: out.value, type: INTEGER }];
    },
  },
};

/** The 'column name' argument of the tumbling sketches must name a column of the cursor. */
function namedColumn(input: Column[], a: ArgInfo | undefined): string | undefined {
  if (!a || a.expr.kind !== 'string') return "the second argument names a column of the cursor as a string, e.g. 'TICKER_SYMBOL'";
  const name = a.expr.value;
  if (input.length > 0 && !input.some((c) => c.name === name)) return `the cursor has no column '${name}'`;
  return undefined;
}

