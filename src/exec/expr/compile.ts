/**
 * The expression compiler: a list of plan expressions becomes ONE JavaScript function, generated once per plan with
 * `new Function`, whose loop reads the input's typed arrays directly and writes the outputs' typed arrays. Per row
 * there is no allocation for numbers and booleans, no interpretation and no virtual call: numeric operators,
 * comparisons and SQL's three-valued AND/OR/NOT/IS are inlined; everything else calls the function library (made once
 * per plan for its argument types). A SqlRuntimeError thrown for a row marks that row failed; the caller sends it to
 * error_stream and the rest of the batch goes on.
 */
import { makeData, type Data } from 'apache-arrow';
import type { Expr, SubqueryExpr } from '../../plan/logical.js';
import { isApprox, isInteger, isNumeric, show, type SqlType } from '../../sql/bind/types.js';
import { arrowType } from '../arrow.js';
import { ColumnBuilder, constantColumn, decodeUtf8, storageOf, type ColumnView } from '../columns.js';
import { castValue, SCALAR_FUNCTIONS } from '../functions/index.js';
import { MS_PER_DAY, SqlRuntimeError, type RuntimeErrorName, type Value } from '../values.js';

/** What expressions may ask of the runtime: the query's start time and the current processing time. */
export interface EvalContext {
  /** CURRENT_TIMESTAMP and friends: fixed when the query starts (ms). */
  startTime: number;
  /** CURRENT_ROW_TIMESTAMP: the clock when the row is processed (ms). */
  now(): number;
}

export interface RowError {
  row: number;
  name: RuntimeErrorName;
  message: string;
}

/** The result of evaluating expressions over one batch. */
export interface Evaluated {
  columns: Data[];
  /** Rows that failed (their output values are NULL), in row order; empty when none did. */
  errors: RowError[];
}

export type Projector = (views: ColumnView[], n: number) => Evaluated;

/** A predicate's result: the indices of rows for which it is TRUE (not FALSE, not NULL, not failed). */
export interface Selected {
  selection: Int32Array;
  count: number;
  errors: RowError[];
}

export type Predicate = (views: ColumnView[], n: number) => Selected;

const INT_RANGE: Partial<Record<SqlType['kind'], number>> = { TINYINT: 2 ** 7, SMALLINT: 2 ** 15, INTEGER: 2 ** 31, BIGINT: 2 ** 63 };

/**
 * Compile expressions over input columns of the given types into one projector. A bare column reference is passed
 * through as the input's column (no copy, no decoding of strings) and a literal becomes a constant column; the rest
 * are computed in one loop.
 */
export function compileProjection(exprs: readonly Expr[], inputTypes: readonly SqlType[], ctx: EvalContext): Projector {
  const g = new Generator(inputTypes, ctx);
  const outs = exprs.flatMap((e, k) => {
    if (e.kind === 'column' || e.kind === 'literal') return [];
    const body: string[] = [];
    const r = g.gen(e, body);
    // Numbers go straight into a typed array (its Arrow type a constant of the function), 64-bit integers and
    // timestamps as two Int32 halves; the rest through a builder.
    const storage = storageOf(e.type);
    const direct = storage === 'num' || storage === 'i64';
    return [{ k, body, r, storage, direct, type: g.constant(direct ? arrowType(e.type) : e.type) }];
  });
  const prologue = outs
    .map(({ k, storage, type }) => {
      const nulls = `const N${k} = new Uint8Array((n + 7) >> 3); let Z${k} = 0;`;
      if (storage === 'num') return `const O${k} = new (K[${type}].ArrayType)(n); ${nulls}`;
      if (storage === 'i64') return `const O${k} = new Int32Array(2 * n); ${nulls}`;
      return `const O${k} = new B(K[${type}], n);`;
    })
    .join('\n');
  const store = (k: number, storage: string, v: string): string => {
    if (storage === 'num') return `O${k}[i] = ${v};`;
    if (storage === 'i64') return `{ const x = ${v}; const hi = Math.floor(x / 4294967296); O${k}[2 * i] = x - hi * 4294967296; O${k}[2 * i + 1] = hi; }`;
    return `O${k}.append(${v});`;
  };
  const rowBody = outs
    .map(({ k, body, r, storage, direct }) =>
      [
        ...body,
        direct
          ? `if (${r.nl}) Z${k}++; else { ${store(k, storage, r.v)} N${k}[i >> 3] |= 1 << (i & 7); }`
          : `if (${r.nl}) O${k}.appendNull(); else ${store(k, storage, r.v)}`,
      ].join('\n'),
    )
    .join('\n');
  const finished = new Map(
    outs.map(({ k, storage, direct, type }) => {
      if (!direct) return [k, `O${k}.finish()`];
      const data = storage === 'i64' ? `new BigInt64Array(O${k}.buffer)` : `O${k}`;
      return [k, `makeData({ type: K[${type}], length: n, nullCount: Z${k}, nullBitmap: Z${k} > 0 ? N${k} : undefined, data: ${data} })`];
    }),
  );
  const constant = g.constant(constantColumn);
  const finish = exprs
    .map((e, k) => {
      if (e.kind === 'column') return `V[${e.index}].data`;
      if (e.kind === 'literal') return `K[${constant}](K[${g.constant(e.type)}], K[${g.constant(e.value)}], n)`;
      return finished.get(k)!;
    })
    .join(',\n');
  const failHandler = outs
    .map(({ k, direct }) => (direct ? `Z${k}++;` : `if (O${k}.length === i) O${k}.appendNull();`))
    .join(' ');
  const loop = outs.length === 0 ? '' : `
for (let i = 0; i < n; i++) {
  try {
${rowBody}
  } catch (err) {
    if (!(err instanceof E)) throw err;
    errors.push({ row: i, name: err.errorName, message: err.message });
    ${failHandler}
  }
}`;
  const code = `
${g.columnPrologue()}
${prologue}
const errors = [];${loop}
return { columns: [${finish}], errors };`;
  return g.build(code) as Projector;
}

/** Compile a boolean expression into a function returning the rows where it is TRUE. */
export function compilePredicate(expr: Expr, inputTypes: readonly SqlType[], ctx: EvalContext): Predicate {
  const g = new Generator(inputTypes, ctx);
  const body: string[] = [];
  const r = g.gen(expr, body);
  const code = `
${g.columnPrologue()}
const selection = new Int32Array(n);
let count = 0;
const errors = [];
for (let i = 0; i < n; i++) {
  try {
${body.join('\n')}
    if (!${r.nl} && ${r.v} === true) selection[count++] = i;
  } catch (err) {
    if (!(err instanceof E)) throw err;
    errors.push({ row: i, name: err.errorName, message: err.message });
  }
}
return { selection, count, errors };`;
  return g.build(code) as Predicate;
}

interface Result {
  /** A JS expression (usually a variable) holding the value; meaningless when null. */
  v: string;
  /** A JS boolean expression: the value is NULL. */
  nl: string;
}

/** Generates the body of one compiled function; collects the constants and columns it refers to. */
class Generator {
  private readonly constants: unknown[] = [];
  private readonly columns = new Set<number>();
  private next = 0;

  constructor(
    private readonly inputTypes: readonly SqlType[],
    private readonly ctx: EvalContext,
  ) {}

  constant(x: unknown): number {
    this.constants.push(x);
    return this.constants.length - 1;
  }

  private temp(): string {
    return `t${this.next++}`;
  }

  columnPrologue(): string {
    return [...this.columns]
      .map((c) => `const c${c} = V[${c}].values, o${c} = V[${c}].offsets, m${c} = V[${c}].valid, b${c} = V[${c}].bitOffset;`)
      .join('\n');
  }

  build(code: string): (views: ColumnView[], n: number) => unknown {
    const factory = new Function('K', 'B', 'E', 'D', 'makeData', `return function compiled(V, n) {\n${code}\n};`);
    return factory(this.constants, ColumnBuilder, SqlRuntimeError, decodeUtf8, makeData) as (views: ColumnView[], n: number) => unknown;
  }

  gen(e: Expr, out: string[]): Result {
    switch (e.kind) {
      case 'literal':
        return this.literal(e.value, out);
      case 'column':
        return this.column(e.index, out);
      case 'cast':
        return this.cast(e.operand, e.type, out);
      case 'case':
        return this.caseWhen(e, out);
      case 'call':
        return this.call(e.fn, e.args, e.type, out);
      case 'subquery':
        return this.subquery(e, out);
    }
  }

  /**
   * A subquery, already evaluated (its values in `rows`). Scalar: its one value; NULL when it has no rows; more than
   * one row fails each row that evaluates it (INVALID_ARGUMENT, to error_stream). IN: a lookup in a Set built once,
   * three-valued as SQL's: TRUE if found; else NULL if the operand is NULL or the set holds a NULL; else FALSE (and
   * FALSE for an empty set, whatever the operand).
   */
  private subquery(e: SubqueryExpr, out: string[]): Result {
    const rows = e.rows;
    if (!rows) throw new Error('a subquery reached the expression compiler without being evaluated');
    if (e.mode === 'scalar') {
      if (rows.length <= 1) return this.literal(rows[0] ?? null, out);
      const message = `a scalar subquery returned ${rows.length} rows; it must return at most one`;
      out.push(`throw new E('INVALID_ARGUMENT', ${JSON.stringify(message)});`);
      return { v: 'null', nl: 'true' };
    }
    const keyOf = (v: Value): unknown => (v instanceof Uint8Array ? `x${Buffer.from(v).toString('hex')}` : v);
    const set = new Set<unknown>();
    let hasNull = false;
    for (const v of rows) {
      if (v === null) hasNull = true;
      else set.add(keyOf(v));
    }
    const x = this.gen(e.operand!, out);
    const v = this.temp();
    const nl = this.temp();
    if (rows.length === 0) {
      out.push(`const ${v} = false, ${nl} = false;`);
      return { v, nl };
    }
    const key = storageOf(e.operand!.type) === 'bin' ? `K[${this.constant(keyOf)}](${x.v})` : x.v;
    out.push(`let ${v} = null, ${nl} = true;`);
    out.push(`if (!(${x.nl})) { if (K[${this.constant(set)}].has(${key})) { ${v} = true; ${nl} = false; }${hasNull ? '' : ` else { ${v} = false; ${nl} = false; }`} }`);
    return { v, nl };
  }

  private literal(value: Value, out: string[]): Result {
    if (value === null) return { v: 'null', nl: 'true' };
    const t = this.temp();
    out.push(`const ${t} = K[${this.constant(value)}];`);
    return { v: t, nl: 'false' };
  }

  private column(c: number, out: string[]): Result {
    this.columns.add(c);
    const kind = storageOf(this.inputTypes[c]!);
    const v = this.temp();
    const nl = this.temp();
    out.push(`const ${nl} = m${c} !== null && ((m${c}[(b${c} + i) >> 3] >> ((b${c} + i) & 7)) & 1) === 0;`);
    const read: Record<typeof kind, string> = {
      num: `c${c}[i]`,
      i64: `c${c}[2 * i + 1] * 4294967296 + (c${c}[2 * i] >>> 0)`,
      day: `c${c}[i] * ${MS_PER_DAY}`,
      bool: `((c${c}[(b${c} + i) >> 3] >> ((b${c} + i) & 7)) & 1) === 1`,
      utf8: this.inputTypes[c]!.kind === 'ROW' ? `(${nl} ? null : JSON.parse(D(c${c}, o${c}[i], o${c}[i + 1])))` : `(${nl} ? null : D(c${c}, o${c}[i], o${c}[i + 1]))`,
      bin: `(${nl} ? null : c${c}.slice(o${c}[i], o${c}[i + 1]))`,
    };
    out.push(`const ${v} = ${read[kind]};`);
    return { v, nl };
  }

  private cast(operand: Expr, to: SqlType, out: string[]): Result {
    const from = operand.type;
    const r = this.gen(operand, out);
    // A no-op cast, or any number to DOUBLE (castValue's identity: every number is a double already), needs no call.
    const same = from.kind === to.kind && from.precision === to.precision && from.scale === to.scale && from.kind !== 'DECIMAL';
    if (same || (isNumeric(from) && to.kind === 'DOUBLE')) return r;
    const fromK = this.constant(from);
    const toK = this.constant(to);
    const cast = this.constant(castValue);
    return this.strictCall(`K[${cast}](${r.v}, K[${fromK}], K[${toK}])`, [r], out);
  }

  /** A call whose result is NULL when any argument is; the call itself may return NULL too. */
  private strictCall(call: string, args: Result[], out: string[]): Result {
    const v = this.temp();
    const nl = this.temp();
    const anyNull = args.length > 0 ? args.map((a) => a.nl).join(' || ') : 'false';
    out.push(`let ${v} = null, ${nl} = true;`);
    out.push(`if (!(${anyNull})) { ${v} = ${call}; ${nl} = ${v} === null; }`);
    return { v, nl };
  }

  private caseWhen(e: Extract<Expr, { kind: 'case' }>, out: string[]): Result {
    const v = this.temp();
    const nl = this.temp();
    out.push(`let ${v} = null, ${nl} = true;`);
    const branch = (k: number): string[] => {
      const block: string[] = [];
      if (k === e.whens.length) {
        if (e.else) {
          const r = this.gen(e.else, block);
          block.push(`${v} = ${r.v}; ${nl} = ${r.nl};`);
        }
        return block;
      }
      const w = this.gen(e.whens[k]!.when, block);
      const thenBlock: string[] = [];
      const t = this.gen(e.whens[k]!.then, thenBlock);
      thenBlock.push(`${v} = ${t.v}; ${nl} = ${t.nl};`);
      block.push(`if (!${w.nl} && ${w.v} === true) {`, ...thenBlock, `} else {`, ...branch(k + 1), `}`);
      return block;
    };
    out.push('{', ...branch(0), '}');
    return { v, nl };
  }

  private call(fn: string, args: readonly Expr[], type: SqlType, out: string[]): Result {
    switch (fn) {
      case 'AND':
      case 'OR':
        return this.logical(fn, args, out);
      case 'NOT': {
        const a = this.gen(args[0]!, out);
        return { v: `(!${a.v})`, nl: a.nl };
      }
      case 'IS NULL':
      case 'IS NOT NULL':
      case 'IS UNKNOWN':
      case 'IS NOT UNKNOWN': {
        const a = this.gen(args[0]!, out);
        return { v: fn === 'IS NULL' || fn === 'IS UNKNOWN' ? `(${a.nl})` : `(!(${a.nl}))`, nl: 'false' };
      }
      case 'IS TRUE':
      case 'IS NOT TRUE':
      case 'IS FALSE':
      case 'IS NOT FALSE': {
        const a = this.gen(args[0]!, out);
        const truth = fn.endsWith('TRUE') ? 'true' : 'false';
        const is = `(!(${a.nl}) && ${a.v} === ${truth})`;
        return { v: fn.includes('NOT') ? `(!${is})` : is, nl: 'false' };
      }
      case 'CURRENT_TIMESTAMP':
      case 'LOCALTIMESTAMP':
        return this.literal(this.ctx.startTime, out);
      case 'CURRENT_DATE':
        return this.literal(Math.floor(this.ctx.startTime / MS_PER_DAY) * MS_PER_DAY, out);
      case 'CURRENT_TIME':
      case 'LOCALTIME':
        return this.literal(((this.ctx.startTime % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY, out);
      case 'ROW_FIELD': {
        // A row value is a JS array (a ROW column is read back from its JSON text); a missing field is NULL.
        const row = this.gen(args[0]!, out);
        const v = this.temp();
        out.push(`const ${v} = ${row.nl} ? null : (${row.v}[${(args[1] as { value: number }).value}] ?? null);`);
        return { v, nl: `(${v} === null)` };
      }
      case 'CURRENT_ROW_TIMESTAMP': {
        const t = this.temp();
        out.push(`const ${t} = K[${this.constant(this.ctx)}].now();`);
        return { v: t, nl: 'false' };
      }
    }
    const inline = this.inlineOperator(fn, args, type, out);
    if (inline) return inline;
    return this.libraryCall(fn, args, type, out);
  }

  /** SQL three-valued AND/OR, short-circuiting: the right side is evaluated only when the left does not decide. */
  private logical(fn: 'AND' | 'OR', args: readonly Expr[], out: string[]): Result {
    const decides = fn === 'AND' ? 'false' : 'true';
    const v = this.temp();
    const nl = this.temp();
    const a = this.gen(args[0]!, out);
    out.push(`let ${v} = ${decides}, ${nl} = false;`);
    const rest: string[] = [];
    const b = this.gen(args[1]!, rest);
    rest.push(`if (!${b.nl} && ${b.v} === ${decides}) { ${v} = ${decides}; ${nl} = false; }`);
    rest.push(`else if (${a.nl} || ${b.nl}) { ${nl} = true; } else { ${v} = ${fn === 'AND' ? 'true' : 'false'}; }`);
    out.push(`if (${a.nl} || ${a.v} !== ${decides}) {`, ...rest, `}`);
    return { v, nl };
  }

  /** Operators on numbers (and on values stored as numbers: times, intervals) that are plain JS arithmetic. */
  private inlineOperator(fn: string, args: readonly Expr[], type: SqlType, out: string[]): Result | undefined {
    const numberLike = (t: SqlType) => isNumeric(t) || t.kind === 'TIMESTAMP' || t.kind === 'DATE' || t.kind === 'TIME';
    const comparison: Record<string, string> = { '=': '===', '<>': '!==', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };
    if (comparison[fn] && args.length === 2) {
      const [x, y] = args as [Expr, Expr];
      const strings = (t: SqlType) => t.kind === 'VARCHAR' || t.kind === 'CHAR';
      const bothNumbers = numberLike(x.type) && numberLike(y.type) && x.type.kind !== 'DECIMAL' && y.type.kind !== 'DECIMAL';
      const bothStrings = strings(x.type) && strings(y.type) && x.type.kind === 'VARCHAR' && y.type.kind === 'VARCHAR';
      if (!bothNumbers && !(bothStrings && (fn === '=' || fn === '<>'))) return undefined;
      const a = this.gen(x, out);
      const b = this.gen(y, out);
      return { v: `(${a.v} ${comparison[fn]} ${b.v})`, nl: `(${a.nl} || ${b.nl})` };
    }
    if ((fn === '+' || fn === '-' || fn === '*') && args.length === 2 && isNumeric(type) && type.kind !== 'DECIMAL') {
      const [x, y] = args as [Expr, Expr];
      if (!isNumeric(x.type) || !isNumeric(y.type)) return undefined;
      const a = this.gen(x, out);
      const b = this.gen(y, out);
      const raw = `(${a.v} ${fn} ${b.v})`;
      if (type.kind === 'DOUBLE') return { v: raw, nl: `(${a.nl} || ${b.nl})` };
      if (type.kind === 'REAL') return { v: `Math.fround${raw}`, nl: `(${a.nl} || ${b.nl})` };
      if (isInteger(type)) {
        const limit = INT_RANGE[type.kind]!;
        const v = this.temp();
        out.push(`const ${v} = ${raw};`);
        out.push(
          `if (!(${a.nl} || ${b.nl}) && (${v} >= ${limit} || ${v} < -${limit})) throw new E('NUMERIC_OUT_OF_RANGE', ${JSON.stringify(`result of ${fn} is out of range for ${show(type)}: `)} + ${v});`,
        );
        return { v, nl: `(${a.nl} || ${b.nl})` };
      }
    }
    if (fn === 'NEG' && args.length === 1 && isApprox(type)) {
      const a = this.gen(args[0]!, out);
      return { v: `(-${a.v})`, nl: a.nl };
    }
    return undefined;
  }

  private libraryCall(fn: string, args: readonly Expr[], type: SqlType, out: string[]): Result {
    const f = SCALAR_FUNCTIONS.get(fn);
    if (!f) throw new Error(`no implementation of function ${fn}`);
    const impl = this.constant(f.make(args.map((a) => a.type), type));
    if (f.nulls === 'strict') {
      const rs = args.map((a) => this.gen(a, out));
      return this.strictCall(`K[${impl}](${rs.map((r) => r.v).join(', ')})`, rs, out);
    }
    const rs = args.map((a) => this.gen(a, out));
    const v = this.temp();
    out.push(`const ${v} = K[${impl}](${rs.map((r) => `(${r.nl} ? null : ${r.v})`).join(', ')});`);
    return { v, nl: `(${v} === null)` };
  }
}
