/**
 * The pretty-printer: AST → KDA SQL text that parses back to the same AST (modulo spans). Parentheses are not kept
 * in the AST, so they are put back from operator precedence; names print as written (quoted ones quoted).
 */
import type * as A from './ast.js';

/** Binding strength, loosest first; an operand printed where a tighter level is required gets parentheses. */
const enum P {
  Or = 1,
  And = 2,
  Not = 3,
  Predicate = 4,
  Concat = 5,
  Additive = 6,
  Multiplicative = 7,
  Unary = 8,
  Primary = 9,
}

const BINARY_PREC: Record<A.BinaryOperator, P> = {
  OR: P.Or, AND: P.And, '=': P.Predicate, '<>': P.Predicate, '<': P.Predicate, '<=': P.Predicate, '>': P.Predicate,
  '>=': P.Predicate, '||': P.Concat, '+': P.Additive, '-': P.Additive, '*': P.Multiplicative, '/': P.Multiplicative,
  '%': P.Multiplicative,
};

export function format(script: A.Script): string {
  return script.statements.map((s) => `${formatStatement(s)};\n`).join('\n');
}

export function formatStatement(s: A.Statement): string {
  const orReplace = 'orReplace' in s && s.orReplace ? 'OR REPLACE ' : '';
  switch (s.kind) {
    case 'createStream': {
      const cols = s.columns.map((c) => `  ${ident(c.name)} ${typeName(c.type)}${c.notNull ? ' NOT NULL' : ''}`).join(',\n');
      const desc = s.description !== undefined ? ` DESCRIPTION ${quote(s.description)}` : '';
      return `CREATE ${orReplace}STREAM ${name(s.name)} (\n${cols}\n)${desc}`;
    }
    case 'createPump':
      return `CREATE ${orReplace}PUMP ${name(s.name)}${s.stopped ? ' STOPPED' : ''} AS\n${formatStatement(s.insert)}`;
    case 'insert': {
      const cols = s.columns ? ` (${s.columns.map(ident).join(', ')})` : '';
      return `INSERT ${s.expedited ? 'EXPEDITED ' : ''}INTO ${name(s.target)}${cols}\n${query(s.query, '')}`;
    }
    case 'createFunction': {
      const params = s.parameters.map((p) => `${ident(p.name)} ${typeName(p.type)}`).join(', ');
      const chars = s.characteristics.length ? ` ${s.characteristics.join(' ')}` : '';
      return `CREATE ${orReplace}FUNCTION ${name(s.name)}(${params}) RETURNS ${typeName(s.returns)}${chars}\nRETURN ${expr(s.body)}`;
    }
    case 'createSchema':
      return `CREATE ${orReplace}SCHEMA ${ident(s.name)}`;
    case 'setSchema':
      return `SET SCHEMA ${s.name.kind === 'string' ? quote(s.name.value) : ident(s.name)}`;
    case 'queryStatement':
      return query(s.query, '');
  }
}

// ---- queries ---------------------------------------------------------------------------------------------------------
function query(q: A.Query, indent: string): string {
  const order = q.orderBy.length ? `\n${indent}ORDER BY ${q.orderBy.map(orderItem).join(', ')}` : '';
  return `${body(q.body, indent)}${order}`;
}

function body(b: A.QueryBody, indent: string): string {
  switch (b.kind) {
    case 'select':
      return select(b, indent);
    case 'query':
      return `(${query(b, indent + '  ')})`;
    case 'setOperation': {
      const q = b.all ? ' ALL' : b.distinctWritten ? ' DISTINCT' : '';
      // Set operations are left-associative: a set operation on the right needs parentheses (it parses as a Query).
      const right = b.right.kind === 'setOperation' ? `(${body(b.right, indent + '  ')})` : body(b.right, indent);
      return `${body(b.left, indent)}\n${indent}${b.op}${q}\n${indent}${right}`;
    }
  }
}

function select(s: A.Select, indent: string): string {
  const nl = `\n${indent}`;
  let out = `SELECT${s.stream ? ' STREAM' : ''}${s.quantifier ? ` ${s.quantifier}` : ''} ${s.items.map(selectItem).join(', ')}`;
  if (s.from) out += `${nl}FROM ${fromItem(s.from, indent)}`;
  if (s.where) out += `${nl}WHERE ${expr(s.where)}`;
  if (s.groupBy) out += `${nl}GROUP BY ${s.groupBy.map((g) => expr(g)).join(', ')}`;
  if (s.stagger) out += `${nl}WINDOWED BY STAGGER (PARTITION BY ${s.stagger.partitionBy.map((p) => expr(p)).join(', ')} RANGE ${expr(s.stagger.range)})`;
  if (s.having) out += `${nl}HAVING ${expr(s.having)}`;
  if (s.windows.length) out += `${nl}WINDOW ${s.windows.map((w) => `${ident(w.name)} AS ${windowSpec(w.spec)}`).join(', ')}`;
  return out;
}

function selectItem(i: A.SelectItem): string {
  if (i.kind === 'star') return i.qualifier ? `${ident(i.qualifier)}.*` : '*';
  return `${expr(i.expr)}${i.alias ? ` AS ${ident(i.alias)}` : ''}`;
}

function fromItem(f: A.FromItem, indent: string): string {
  if (f.kind !== 'join') return fromPrimary(f, indent);
  const left = fromItem(f.left, indent);
  const right = fromPrimary(f.right, indent);
  if (f.type === 'COMMA') return `${left}, ${right}`;
  const type = f.explicitType ? `${f.type} ` : '';
  return `${left}\n${indent}  ${type}JOIN ${right}${f.on ? ` ON ${expr(f.on)}` : ''}`;
}

function fromPrimary(f: A.TableRef | A.DerivedTable | A.TableFunction, indent: string): string {
  let out: string;
  if (f.kind === 'tableRef') out = `${f.stream ? 'STREAM ' : ''}${name(f.name)}`;
  else if (f.kind === 'derivedTable') out = `(\n${indent}  ${query(f.query, indent + '  ')}\n${indent})`;
  else out = `TABLE(${call(f.call)})`;
  if (f.over) out += ` OVER ${over(f.over)}`;
  if (f.alias) out += ` AS ${ident(f.alias)}`;
  if (f.columnAliases) out += ` (${f.columnAliases.map(ident).join(', ')})`;
  return out;
}

function over(o: A.Over): string {
  return o.kind === 'identifier' ? ident(o) : windowSpec(o);
}

function windowSpec(w: A.WindowSpec): string {
  const parts: string[] = [];
  if (w.base) parts.push(ident(w.base));
  if (w.partitionBy.length) parts.push(`PARTITION BY ${w.partitionBy.map((p) => expr(p)).join(', ')}`);
  if (w.orderBy.length) parts.push(`ORDER BY ${w.orderBy.map(orderItem).join(', ')}`);
  if (w.frame) {
    const f = w.frame;
    parts.push(f.end ? `${f.unit} BETWEEN ${bound(f.start)} AND ${bound(f.end)}` : `${f.unit} ${bound(f.start)}`);
  }
  return `(${parts.join(' ')})`;
}

function bound(b: A.FrameBound): string {
  return b.offset ? `${expr(b.offset, P.Additive)} ${b.type}` : b.type;
}

function orderItem(o: A.OrderItem): string {
  return `${expr(o.expr)}${o.direction ? ` ${o.direction}` : ''}${o.nulls ? ` NULLS ${o.nulls}` : ''}`;
}

// ---- expressions ---------------------------------------------------------------------------------------------------------
/** Prints `e`, in parentheses if it binds more loosely than `min`. */
export function expr(e: A.Expr, min: P = P.Or): string {
  const [text, prec] = exprWithPrec(e);
  return prec < min ? `(${text})` : text;
}

function exprWithPrec(e: A.Expr): [string, P] {
  switch (e.kind) {
    case 'binary': {
      const p = BINARY_PREC[e.op];
      // Left-associative: the left operand may be at the same level, the right one must bind tighter.
      return [`${expr(e.left, p)} ${e.op} ${expr(e.right, p + 1)}`, p];
    }
    case 'unary': {
      const operand = expr(e.operand, P.Unary);
      // `- -x`, never `--x` (that would start a comment).
      return [`${e.op}${/^[-+]/.test(operand) ? ' ' : ''}${operand}`, P.Unary];
    }
    case 'not':
      return [`NOT ${expr(e.operand, P.Not)}`, P.Not];
    case 'is':
      return [`${expr(e.operand, P.Predicate)} IS ${e.not ? 'NOT ' : ''}${e.what}`, P.Predicate];
    case 'between':
      return [
        `${expr(e.operand, P.Predicate)} ${e.not ? 'NOT ' : ''}BETWEEN ${e.symmetric ? `${e.symmetric} ` : ''}${betweenLow(e.low)} AND ${expr(e.high, P.Concat)}`,
        P.Predicate,
      ];
    case 'in': {
      const list = e.query ? query(e.query, '') : (e.list ?? []).map((x) => expr(x)).join(', ');
      return [`${expr(e.operand, P.Predicate)} ${e.not ? 'NOT ' : ''}IN (${list})`, P.Predicate];
    }
    case 'like': {
      const esc = e.escape ? ` ESCAPE ${expr(e.escape, P.Concat)}` : '';
      return [`${expr(e.operand, P.Predicate)} ${e.not ? 'NOT ' : ''}${e.op} ${expr(e.pattern, P.Concat)}${esc}`, P.Predicate];
    }
    case 'temporal':
      return [`${expr(e.left, P.Predicate)} ${e.op} ${expr(e.right, P.Concat)}`, P.Predicate];
    default:
      return [primary(e), P.Primary];
  }
}

/** A low bound spelled like SYMMETRIC (a column named so) would be read as the keyword: parenthesise it. */
function betweenLow(low: A.Expr): string {
  const text = expr(low, P.Concat);
  return /^(a?symmetric)\b/i.test(text) ? `(${text})` : text;
}

function primary(e: A.Expr): string {
  switch (e.kind) {
    case 'number':
      return e.text;
    case 'string':
      return e.unicode ? unicodeQuote(e.value) : quote(e.value);
    case 'binaryString':
      return `X'${e.hex}'`;
    case 'boolean':
      return e.value === null ? 'UNKNOWN' : e.value ? 'TRUE' : 'FALSE';
    case 'null':
      return 'NULL';
    case 'interval':
      return `INTERVAL ${e.negative ? '-' : ''}${quote(e.text)} ${qualifier(e)}`;
    case 'datetime':
      return `${e.type} ${quote(e.text)}`;
    case 'column':
      return e.parts.map(ident).join('.');
    case 'case': {
      const op = e.operand ? ` ${expr(e.operand)}` : '';
      const whens = e.whens.map((w) => ` WHEN ${expr(w.when)} THEN ${expr(w.then)}`).join('');
      return `CASE${op}${whens}${e.else ? ` ELSE ${expr(e.else)}` : ''} END`;
    }
    case 'cast':
      return `CAST(${expr(e.operand)} AS ${typeName(e.type)})`;
    case 'call':
      return call(e);
    case 'floor': {
      // `FLOOR(INTERVAL '1' SECOND TO MINUTE)` would read as an interval SECOND TO MINUTE: close the operand first.
      const operand = expr(e.operand);
      const wrapped = /\b(YEAR|MONTH|DAY|HOUR|MINUTE|SECOND)(\(\d+\))?$/i.test(operand) ? `(${operand})` : operand;
      return `${e.fn}(${wrapped} TO ${e.unit})`;
    }
    case 'step':
      return `STEP(${expr(e.operand)} BY ${expr(e.width)})`;
    case 'extract':
      return `EXTRACT(${e.unit} FROM ${expr(e.operand)})`;
    case 'position': {
      // `a IN (b) = c` reads as an IN predicate: a haystack that starts with `(` gets its own parentheses, and then
      // the needle is printed at the `||` level so that `NOT a IN ((b))` cannot swallow the IN.
      const haystack = expr(e.haystack);
      return `POSITION(${expr(e.needle, P.Concat)} IN ${haystack.startsWith('(') ? `(${haystack})` : haystack})`;
    }
    case 'substring':
      return `SUBSTRING(${expr(e.operand)} FROM ${expr(e.from)}${e.for ? ` FOR ${expr(e.for)}` : ''})`;
    case 'substringSimilar':
      // A pattern ending in `x LIKE y` would take the ESCAPE as its own: print it at the `||` level (parenthesised).
      return `SUBSTRING(${expr(e.operand)} SIMILAR ${expr(e.pattern, P.Concat)} ESCAPE ${expr(e.escape)})`;
    case 'period':
      return `PERIOD(${expr(e.start)}, ${expr(e.end)})`;
    case 'trim': {
      if (!e.side && !e.characters) return `TRIM(${expr(e.operand)})`;
      const head = [e.side, e.characters ? expr(e.characters) : undefined].filter(Boolean).join(' ');
      return `TRIM(${head} FROM ${expr(e.operand)})`;
    }
    case 'overlay':
      return `OVERLAY(${expr(e.operand)} PLACING ${expr(e.placing)} FROM ${expr(e.from)}${e.for ? ` FOR ${expr(e.for)}` : ''})`;
    case 'cursor':
      return `CURSOR(${query(e.query, '  ')})`;
    case 'subquery':
      return `(${query(e.query, '  ')})`;
    case 'intervalQualified':
      return `(${expr(e.operand)}) ${qualifier(e)}`;
    default:
      throw new Error(`not a primary expression: ${e.kind}`);
  }
}

function call(e: A.FunctionCall): string {
  const args = e.star ? '*' : `${e.quantifier ? `${e.quantifier} ` : ''}${e.args.map((a) => expr(a)).join(', ')}`;
  return `${ident(e.name)}(${args})${e.over ? ` OVER ${over(e.over)}` : ''}`;
}

function qualifier(q: { unit: A.TimeUnit; precision?: number; toUnit?: A.TimeUnit }): string {
  return `${q.unit}${q.precision !== undefined ? `(${q.precision})` : ''}${q.toUnit ? ` TO ${q.toUnit}` : ''}`;
}

// ---- names, types and literals -------------------------------------------------------------------------------------------
export function ident(i: A.Identifier): string {
  return i.quoted ? `"${i.text.replace(/"/g, '""')}"` : i.text;
}

function name(parts: A.Identifier[]): string {
  return parts.map(ident).join('.');
}

export function typeName(t: A.TypeName): string {
  if (t.precision === undefined) return t.name;
  return t.scale !== undefined ? `${t.name}(${t.precision}, ${t.scale})` : `${t.name}(${t.precision})`;
}

export function quote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** u&'...' with `\XXXX` (or `\+XXXXXX`) for the backslash and every character outside printable ASCII. */
function unicodeQuote(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "''";
    else if (cp >= 0x20 && cp < 0x7f) out += ch;
    else if (cp <= 0xffff) out += `\\${cp.toString(16).padStart(4, '0')}`;
    else out += `\\+${cp.toString(16).padStart(6, '0')}`;
  }
  return `u&'${out}'`;
}
