/**
 * The scalar function library: every scalar built-in of the binder (src/sql/bind/functions.ts) and the operators the
 * expression compiler and the reference evaluator call per row, on the value conventions of ../values.ts.
 *
 * Names (upper case):
 * - built-ins: ABS CEIL CEILING FLOOR EXP LN LOG10 SQRT POWER MOD, CHAR_LENGTH CHARACTER_LENGTH INITCAP LOWER UPPER
 *   SUBSTRING REGEX_REPLACE, COALESCE NULLIF, TSDIFF UNIX_TIMESTAMP TO_TIMESTAMP, CHAR_TO_DATE CHAR_TO_TIME
 *   CHAR_TO_TIMESTAMP DATE_TO_CHAR TIME_TO_CHAR TIMESTAMP_TO_CHAR, and the log parsers REGEX_LOG_PARSE
 *   FAST_REGEX_LOG_PARSER W3C_LOG_PARSE SYS_LOG_PARSE FIXED_COLUMN_LOG_PARSE VARIABLE_COLUMN_LOG_PARSE.
 *   CURRENT_ROW_TIMESTAMP is not here: the runtime provides it.
 * - operators: + - * / % (binary), NEG, = <> < <= > >=, AND OR NOT, IS [NOT] NULL/TRUE/FALSE/UNKNOWN, ||,
 *   LIKE (s, pattern[, escape]), SIMILAR TO (s, pattern[, escape]), POSITION (needle, haystack),
 *   SUBSTRING_SIMILAR (s, pattern, escape), TRIM (side 'BOTH'|'LEADING'|'TRAILING', characters, s),
 *   OVERLAY (s, placing, from[, for]), FLOOR_TO / CEIL_TO (value, unit), STEP (value, width), EXTRACT (unit, value),
 *   INTERVAL_QUALIFIED (interval, unit), and the 17 temporal predicates of TEMPORAL_OPERATORS (src/sql/ast.ts) as
 *   (start1, end1, start2, end2). Units are the strings 'YEAR' 'MONTH' 'DAY' 'HOUR' 'MINUTE' 'SECOND'.
 *
 * Calling conventions: optional arguments are passed only when written, and make() picks the arity from
 * argTypes.length (SUBSTRING 2-3 arguments, also (s, regex[, n]) when the second is a string; REGEX_REPLACE 3-5; LIKE
 * and SIMILAR TO 2-3; OVERLAY 3-4; REGEX_LOG_PARSE 2-3; VARIABLE_COLUMN_LOG_PARSE 2-5). TRIM always gets its three
 * arguments (the compiler fills in 'BOTH' and ' '). `PERIOD(s, e) CONTAINS t` is CONTAINS(s, e, t, t).
 * `(t1 - t2) MINUTE TO SECOND` is INTERVAL_QUALIFIED(t1 - t2, 'SECOND') (the finest unit decides the truncation).
 * `makeCast(from, to)` (beside castValue) returns the cast as a function of non-null values, for compiled code.
 *
 * Row-valued results (the log parsers) are JS arrays of the row's column values in column order (COLUMN1 at index 0;
 * with a column list, the listed columns in order), or null when the line does not match. See log-parse.ts.
 *
 * Semantics and the choices made where KDA's reference is silent are documented in each module: numeric.ts,
 * operators.ts, strings.ts, patterns.ts, datetime.ts, java-date-format.ts, cast.ts, compare.ts, log-parse.ts.
 */
import type { SqlType } from '../../sql/bind/types.js';
import type { Value } from '../values.js';
import { DATETIME_FUNCTIONS } from './datetime.js';
import { LOG_FUNCTIONS } from './log-parse.js';
import { NUMERIC_FUNCTIONS } from './numeric.js';
import { OPERATORS } from './operators.js';
import { STRING_FUNCTIONS } from './strings.js';

export interface ScalarFunction {
  /** 'strict': NULL in any argument gives NULL and the implementation is never called with null. 'lenient': it sees nulls. */
  nulls: 'strict' | 'lenient';
  /** Build the implementation once per plan for these argument and result types. Throws SqlRuntimeError for a row-level failure. */
  make(argTypes: SqlType[], result: SqlType): (...args: Value[]) => Value;
}

export const SCALAR_FUNCTIONS: ReadonlyMap<string, ScalarFunction> = new Map(
  Object.entries({ ...NUMERIC_FUNCTIONS, ...STRING_FUNCTIONS, ...DATETIME_FUNCTIONS, ...LOG_FUNCTIONS, ...OPERATORS }),
);

/** CAST(value AS to) from a value of type `from`; SqlRuntimeError('CONVERSION_FAILED' | 'NUMERIC_OUT_OF_RANGE') on failure. */
export { castValue, makeCast } from './cast.js';
/** SQL comparison of two non-null values of comparable types: negative, 0, positive. */
export { compareValues } from './compare.js';
