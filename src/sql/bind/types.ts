/**
 * SQL types as the binder sees them, and the rules between them: numeric promotion (REAL stays REAL with exact
 * numbers; anything with DOUBLE is DOUBLE), DECIMAL precision, datetime/interval arithmetic, comparability,
 * assignability (what a pump may insert into a column) and CAST.
 */
import { MAX_DECIMAL_PRECISION, type TypeKeyword, type TypeName } from '../ast.js';

export type TypeKind = TypeKeyword | 'INTERVAL' | 'NULL' | 'ROW' | 'CURSOR' | 'ANY';

export interface SqlType {
  kind: TypeKind;
  /** CHAR/VARCHAR/BINARY/VARBINARY length, DECIMAL precision. */
  precision?: number;
  scale?: number;
  /** ROW fields; undefined for a row whose fields are only known at run time (any COLUMNn is accepted). */
  fields?: Column[];
}

export interface Column {
  name: string;
  type: SqlType;
  notNull?: boolean;
  /** ROWTIME, APPROXIMATE_ARRIVAL_TIME: readable by name, not part of `*`. */
  hidden?: boolean;
}

export const t = (kind: TypeKind, precision?: number, scale?: number): SqlType => ({
  kind,
  ...(precision !== undefined ? { precision } : {}),
  ...(scale !== undefined ? { scale } : {}),
});
export const ANY = t('ANY');
export const NULL = t('NULL');
export const BOOLEAN = t('BOOLEAN');
export const BIGINT = t('BIGINT');
export const INTEGER = t('INTEGER');
export const DOUBLE = t('DOUBLE');
export const TIMESTAMP = t('TIMESTAMP');
export const INTERVAL = t('INTERVAL');
export const VARCHAR = (n?: number): SqlType => t('VARCHAR', n);

export function fromTypeName(n: TypeName): SqlType {
  if (n.name === 'DECIMAL') return t('DECIMAL', n.precision ?? MAX_DECIMAL_PRECISION, n.scale ?? 0);
  return t(n.name, n.precision);
}

const INT_RANK: Partial<Record<TypeKind, number>> = { TINYINT: 1, SMALLINT: 2, INTEGER: 3, BIGINT: 4 };
const INT_DIGITS: Partial<Record<TypeKind, number>> = { TINYINT: 3, SMALLINT: 5, INTEGER: 10, BIGINT: 19 };

export const isUnknown = (x: SqlType) => x.kind === 'ANY' || x.kind === 'NULL';
export const isInteger = (x: SqlType) => INT_RANK[x.kind] !== undefined;
export const isExact = (x: SqlType) => isInteger(x) || x.kind === 'DECIMAL';
export const isApprox = (x: SqlType) => x.kind === 'REAL' || x.kind === 'DOUBLE';
export const isNumeric = (x: SqlType) => isExact(x) || isApprox(x);
export const isChar = (x: SqlType) => x.kind === 'CHAR' || x.kind === 'VARCHAR';
export const isBinary = (x: SqlType) => x.kind === 'BINARY' || x.kind === 'VARBINARY';
export const isDatetime = (x: SqlType) => x.kind === 'DATE' || x.kind === 'TIME' || x.kind === 'TIMESTAMP';

export function show(x: SqlType): string {
  if (x.kind === 'DECIMAL') return `DECIMAL(${x.precision},${x.scale})`;
  if (x.kind === 'NULL') return 'NULL';
  if (x.kind === 'ROW') return x.fields ? `ROW(${x.fields.map((f) => `${f.name} ${show(f.type)}`).join(', ')})` : 'ROW';
  return x.precision !== undefined ? `${x.kind}(${x.precision})` : x.kind;
}

function asDecimal(x: SqlType): { p: number; s: number } {
  if (x.kind === 'DECIMAL') return { p: x.precision ?? MAX_DECIMAL_PRECISION, s: x.scale ?? 0 };
  return { p: INT_DIGITS[x.kind] ?? MAX_DECIMAL_PRECISION, s: 0 };
}

const cap = (n: number) => Math.min(MAX_DECIMAL_PRECISION, n);

/** The type of `a op b` for numeric a and b. */
export function numericResult(a: SqlType, b: SqlType, op: string): SqlType {
  if (a.kind === 'DOUBLE' || b.kind === 'DOUBLE') return DOUBLE;
  if (a.kind === 'REAL' || b.kind === 'REAL') return t('REAL');
  if (isInteger(a) && isInteger(b)) return INT_RANK[a.kind]! >= INT_RANK[b.kind]! ? t(a.kind) : t(b.kind);
  const x = asDecimal(a);
  const y = asDecimal(b);
  switch (op) {
    case '*':
      return t('DECIMAL', cap(x.p + y.p), Math.min(cap(x.p + y.p), x.s + y.s));
    case '/': {
      const s = Math.min(MAX_DECIMAL_PRECISION, Math.max(6, x.s + y.p + 1));
      return t('DECIMAL', MAX_DECIMAL_PRECISION, s);
    }
    default: {
      const s = Math.max(x.s, y.s);
      const p = cap(Math.max(x.p - x.s, y.p - y.s) + s + 1);
      return t('DECIMAL', p, Math.min(p, s));
    }
  }
}

/** Can values of these types be compared with = and < ? */
export function comparable(a: SqlType, b: SqlType): boolean {
  if (isUnknown(a) || isUnknown(b)) return true;
  if (isNumeric(a)) return isNumeric(b);
  if (isChar(a)) return isChar(b);
  if (isBinary(a)) return isBinary(b);
  return a.kind === b.kind && a.kind !== 'ROW' && a.kind !== 'CURSOR';
}

/** The type both branches of CASE / COALESCE / UNION share, or undefined when there is none. */
export function common(a: SqlType, b: SqlType): SqlType | undefined {
  if (isUnknown(a)) return b;
  if (isUnknown(b)) return a;
  if (isNumeric(a) && isNumeric(b)) return numericResult(a, b, '+');
  if (isChar(a) && isChar(b)) {
    const n = a.precision !== undefined && b.precision !== undefined ? Math.max(a.precision, b.precision) : undefined;
    return VARCHAR(n);
  }
  if (isBinary(a) && isBinary(b)) return t('VARBINARY');
  return a.kind === b.kind ? a : undefined;
}

/**
 * May a value of type `from` be stored in a column of type `to`? SQL's store assignment: any number into any numeric
 * column (KDA's own console template puts COUNT(*), a BIGINT, into an INTEGER column; a value that does not fit sends
 * the row to error_stream at run time), strings into strings (a longer one is cut, as KDA does when reading records),
 * and otherwise only the same kind. Booleans, times and strings never convert implicitly.
 */
export function assignable(from: SqlType, to: SqlType, _literal = false): boolean {
  if (isUnknown(from) || to.kind === 'ANY') return true;
  if (isNumeric(from)) return isNumeric(to);
  if (isChar(from)) return isChar(to);
  if (isBinary(from)) return isBinary(to);
  return from.kind === to.kind && from.kind !== 'INTERVAL';
}

/** Is CAST(from AS to) allowed? */
export function castable(from: SqlType, to: SqlType): boolean {
  if (isUnknown(from)) return true;
  if (isChar(from) || isChar(to)) return from.kind !== 'ROW' && from.kind !== 'CURSOR';
  if (isNumeric(from) && isNumeric(to)) return true;
  if (isDatetime(from) && isDatetime(to)) return !(from.kind === 'DATE' && to.kind === 'TIME') && !(from.kind === 'TIME' && to.kind === 'DATE');
  if (from.kind === 'INTERVAL') return isExact(to);
  if (isBinary(from)) return isBinary(to);
  return from.kind === to.kind;
}
