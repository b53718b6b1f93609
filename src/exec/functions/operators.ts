/**
 * Operators: arithmetic (typed by the binder's result type), negation, comparison, three-valued logic, IS tests, and
 * the null functions COALESCE and NULLIF.
 *
 * Arithmetic on numbers follows the result type: integer types truncate division towards zero and check the type's
 * range (NUMERIC_OUT_OF_RANGE); DECIMAL rounds to the result's scale (half away from zero) and checks its precision;
 * REAL rounds with Math.fround; DOUBLE is plain IEEE (x/0 is Infinity or NaN, as in Java). Division or modulo by zero
 * with an exact result type is DIVISION_BY_ZERO. Datetime arithmetic: TIMESTAMP ± INTERVAL; DATE ± INTERVAL (floored to
 * the day); TIME ± INTERVAL (wraps around 24 hours); a datetime minus one of the same kind is an INTERVAL in ms;
 * INTERVAL ± INTERVAL; INTERVAL * number and INTERVAL / number (ms truncated towards zero; / 0 is DIVISION_BY_ZERO).
 *
 * Comparisons of numbers, strings, booleans and datetimes use JS's relational operators (strings by UTF-16 code units;
 * NaN compares false with everything, as Java's double operators); binary strings compare bytewise. CHAR compared with
 * CHAR ignores trailing spaces (PAD SPACE: CHAR(6) 'AMZN  ' = 'AMZN'); a VARCHAR side compares exactly.
 */
import type { SqlType } from '../../sql/bind/types.js';
import { SqlRuntimeError, type Value } from '../values.js';
import { makeCast } from './cast.js';
import { compareBytes, compareValues } from './compare.js';
import type { ScalarFunction } from './index.js';
import { decimalCheck, integerCheck, isIntegerKind, remainder } from './numeric.js';
import { msOfDay } from './time.js';

type Binary = (a: Value, b: Value) => Value;

function divisionByZero(a: Value): never {
  throw new SqlRuntimeError('DIVISION_BY_ZERO', `division of ${a} by zero`);
}

/** Plain JS arithmetic on numbers. */
function plain(op: string): (a: number, b: number) => number {
  switch (op) {
    case '+':
      return (a, b) => a + b;
    case '-':
      return (a, b) => a - b;
    case '*':
      return (a, b) => a * b;
    case '/':
      return (a, b) => a / b;
    default:
      return (a, b) => a % b;
  }
}

function arithmetic(op: string, args: SqlType[], result: SqlType): Binary {
  const k = result.kind;
  if (isIntegerKind(k)) {
    const check = integerCheck(result);
    switch (op) {
      case '+':
        return (a, b) => check((a as number) + (b as number));
      case '-':
        return (a, b) => check((a as number) - (b as number));
      case '*':
        return (a, b) => check((a as number) * (b as number) + 0);
      case '/':
        return (a, b) => (b === 0 ? divisionByZero(a) : check(Math.trunc((a as number) / (b as number)) + 0));
      default:
        return (a, b) => (b === 0 ? divisionByZero(a) : ((a as number) % (b as number)) + 0);
    }
  }
  if (k === 'DECIMAL') {
    const check = decimalCheck(result);
    const f = op === '%' ? remainder(args) : plain(op);
    if (op === '/' || op === '%') return (a, b) => (b === 0 ? divisionByZero(a) : check(f(a as number, b as number)));
    return (a, b) => check(f(a as number, b as number));
  }
  if (k === 'REAL') {
    const f = plain(op);
    return (a, b) => Math.fround(f(a as number, b as number));
  }
  if (k === 'DOUBLE') return plain(op) as Binary;
  if (k === 'INTERVAL') {
    switch (op) {
      case '+':
      case '-':
        return plain(op) as Binary;
      case '*':
        return (a, b) => Math.trunc((a as number) * (b as number)) + 0;
      case '/':
        return (a, b) => (b === 0 ? divisionByZero(a) : Math.trunc((a as number) / (b as number)) + 0);
    }
  }
  if (k === 'DATE') {
    const f = plain(op);
    return (a, b) => {
      const v = f(a as number, b as number);
      return v - msOfDay(v);
    };
  }
  if (k === 'TIME') {
    const f = plain(op);
    return (a, b) => msOfDay(f(a as number, b as number));
  }
  if (k === 'TIMESTAMP') return plain(op) as Binary;
  // Unknown result type (an argument of unknown type): datetime minus datetime or plain numbers.
  const f = plain(op);
  if (op === '/' || op === '%') return (a, b) => (b === 0 ? divisionByZero(a) : f(a as number, b as number));
  return f as Binary;
}

function negate(args: SqlType[], result: SqlType): (a: Value) => Value {
  const t = result.kind === 'ANY' || result.kind === 'NULL' ? (args[0] ?? result) : result;
  if (isIntegerKind(t.kind)) {
    const check = integerCheck(t);
    return (a) => check(0 - (a as number));
  }
  if (t.kind === 'REAL' || t.kind === 'DOUBLE') return (a) => -(a as number);
  return (a) => 0 - (a as number);
}

const isBinaryType = (t: SqlType | undefined) => t?.kind === 'BINARY' || t?.kind === 'VARBINARY';
const isUnknownType = (t: SqlType | undefined) => !t || t.kind === 'ANY' || t.kind === 'NULL';

/** Strings without trailing spaces: CHAR compared with CHAR pads the shorter with spaces (SQL's PAD SPACE). */
function comparePadded(a: Value, b: Value): number {
  let x = a as string;
  let y = b as string;
  if (x.endsWith(' ')) x = x.replace(/ +$/, '');
  if (y.endsWith(' ')) y = y.replace(/ +$/, '');
  return x < y ? -1 : x > y ? 1 : 0;
}

function comparison(op: string, args: SqlType[]): Binary {
  const padded = args[0]?.kind === 'CHAR' && args[1]?.kind === 'CHAR';
  const generic = padded || isBinaryType(args[0]) || isBinaryType(args[1]) || isUnknownType(args[0]) || isUnknownType(args[1]);
  if (generic) {
    const cmp = padded
      ? comparePadded
      : isBinaryType(args[0]) || isBinaryType(args[1])
        ? (a: Value, b: Value) => compareBytes(a as Uint8Array, b as Uint8Array)
        : compareValues;
    switch (op) {
      case '=':
        return (a, b) => cmp(a, b) === 0;
      case '<>':
        return (a, b) => cmp(a, b) !== 0;
      case '<':
        return (a, b) => cmp(a, b) < 0;
      case '<=':
        return (a, b) => cmp(a, b) <= 0;
      case '>':
        return (a, b) => cmp(a, b) > 0;
      default:
        return (a, b) => cmp(a, b) >= 0;
    }
  }
  switch (op) {
    case '=':
      return (a, b) => a === b;
    case '<>':
      return (a, b) => a !== b;
    case '<':
      return (a, b) => (a as number) < (b as number);
    case '<=':
      return (a, b) => (a as number) <= (b as number);
    case '>':
      return (a, b) => (a as number) > (b as number);
    default:
      return (a, b) => (a as number) >= (b as number);
  }
}

const NUMERIC = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'REAL', 'DOUBLE', 'DECIMAL']);
const strict = (make: ScalarFunction['make']): ScalarFunction => ({ nulls: 'strict', make });
const lenient = (make: ScalarFunction['make']): ScalarFunction => ({ nulls: 'lenient', make });

export const OPERATORS: Record<string, ScalarFunction> = {
  NEG: strict((args, result) => negate(args, result)),
  AND: lenient(() => (a, b) => (a === false || b === false ? false : a === null || b === null ? null : true)),
  OR: lenient(() => (a, b) => (a === true || b === true ? true : a === null || b === null ? null : false)),
  NOT: lenient(() => (a) => (a === null ? null : !a)),
  'IS NULL': lenient(() => (a) => a === null),
  'IS NOT NULL': lenient(() => (a) => a !== null),
  'IS TRUE': lenient(() => (a) => a === true),
  'IS NOT TRUE': lenient(() => (a) => a !== true),
  'IS FALSE': lenient(() => (a) => a === false),
  'IS NOT FALSE': lenient(() => (a) => a !== false),
  'IS UNKNOWN': lenient(() => (a) => a === null),
  'IS NOT UNKNOWN': lenient(() => (a) => a !== null),
  COALESCE: lenient((args, result) => {
    // numbers take the result type (a DECIMAL constant in a REAL COALESCE is rounded to float32)
    const conv = args.map((a) => (a.kind !== result.kind && NUMERIC.has(a.kind) && NUMERIC.has(result.kind) ? makeCast(a, result) : undefined));
    if (conv.every((c) => c === undefined)) {
      if (args.length === 2) return (a, b) => (a !== null ? a : b);
      return (...vs) => {
        for (const v of vs) if (v !== null) return v;
        return null;
      };
    }
    return (...vs) => {
      for (let i = 0; i < vs.length; i++) {
        const v = vs[i]!;
        if (v !== null) return conv[i] ? conv[i]!(v) : v;
      }
      return null;
    };
  }),
  NULLIF: lenient((args) => {
    const eq = comparison('=', args);
    return (a, b) => (a === null ? null : b === null ? a : eq(a, b) ? null : a);
  }),
};
for (const op of ['+', '-', '*', '/', '%']) OPERATORS[op] = strict((args, result) => arithmetic(op, args, result));
for (const op of ['=', '<>', '<', '<=', '>', '>=']) OPERATORS[op] = strict((args) => comparison(op, args));

