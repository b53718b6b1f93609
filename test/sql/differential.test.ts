/**
 * Differential test against an independent parser: node-sql-parser reads the plain-SQL subset, and both parsers must
 * agree on the structure (operator precedence and associativity, predicates, parentheses) of generated expressions,
 * and on the shape of a corpus of plain queries.
 *
 * The generated subset leaves out AND mixed with OR and `||`: there node-sql-parser 5.4 disagrees with the SQL
 * standard (it reads `a = 1 AND b < 2 OR c` as `a = 1 AND (b < 2 OR c)`, and `a + b || c` as `a + (b || c)`), so a
 * difference would be its bug, not ours.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PLAIN_SQL } from '../../bench/sql-parse.js';
import type * as A from '../../src/sql/ast.js';
import { parse } from '../../src/sql/parse.js';

type Peer = { astify(sql: string, opt?: { database: string }): unknown };
const peer: Peer = new ((await import('node-sql-parser')) as unknown as { Parser: new () => Peer }).Parser();

/** Our expression in a fully parenthesised canonical form. */
function ours(e: A.Expr): string {
  switch (e.kind) {
    case 'binary':
      if (e.op === 'AND' || e.op === 'OR') return `(${e.op} ${flatOurs(e, e.op).map(ours).join(', ')})`;
      return `(${ours(e.left)} ${e.op} ${ours(e.right)})`;
    case 'unary':
      return `(${e.op} ${ours(e.operand)})`;
    case 'not':
      return `(NOT ${ours(e.operand)})`;
    case 'column':
      return e.parts.map((p) => p.text.toLowerCase()).join('.');
    case 'number':
      return String(Number(e.text));
    case 'string':
      return `'${e.value}'`;
    case 'null':
      return 'NULL';
    case 'is':
      return `(${ours(e.operand)} IS${e.not ? ' NOT' : ''} ${e.what})`;
    case 'between':
      return `(${ours(e.operand)}${e.not ? ' NOT' : ''} BETWEEN ${ours(e.low)} AND ${ours(e.high)})`;
    case 'in':
      return `(${ours(e.operand)}${e.not ? ' NOT' : ''} IN [${(e.list ?? []).map(ours).join(', ')}])`;
    case 'like':
      return `(${ours(e.operand)}${e.not ? ' NOT' : ''} LIKE ${ours(e.pattern)})`;
    default:
      return `<${e.kind}>`;
  }
}

/** AND and OR are associative: both sides compare as flat lists (node-sql-parser nests them to the right). */
function flatOurs(e: A.Expr, op: string): A.Expr[] {
  return e.kind === 'binary' && e.op === op ? [...flatOurs(e.left, op), ...flatOurs(e.right, op)] : [e];
}

function flatTheirs(e: PeerExpr, op: string): PeerExpr[] {
  return e.type === 'binary_expr' && e.operator === op ? [...flatTheirs(e.left!, op), ...flatTheirs(e.right!, op)] : [e];
}

type PeerExpr = { type: string; operator?: string; left?: PeerExpr; right?: PeerExpr; expr?: PeerExpr; value?: unknown; column?: unknown; table?: string | null };

/** node-sql-parser's expression in the same form. */
function theirs(e: PeerExpr): string {
  switch (e.type) {
    case 'binary_expr': {
      const op = e.operator === '!=' ? '<>' : e.operator!;
      if (op === 'AND' || op === 'OR') return `(${op} ${flatTheirs(e, op).map(theirs).join(', ')})`;
      const r = e.right!;
      if (op === 'BETWEEN' || op === 'NOT BETWEEN') {
        const [lo, hi] = r.value as PeerExpr[];
        return `(${theirs(e.left!)}${op.startsWith('NOT') ? ' NOT' : ''} BETWEEN ${theirs(lo!)} AND ${theirs(hi!)})`;
      }
      if (op === 'IN' || op === 'NOT IN') return `(${theirs(e.left!)}${op.startsWith('NOT') ? ' NOT' : ''} IN [${(r.value as PeerExpr[]).map(theirs).join(', ')}])`;
      if (op === 'IS' || op === 'IS NOT') return `(${theirs(e.left!)} ${op} ${theirs(r)})`;
      if (op === 'LIKE' || op === 'NOT LIKE') return `(${theirs(e.left!)}${op.startsWith('NOT') ? ' NOT' : ''} LIKE ${theirs(r)})`;
      return `(${theirs(e.left!)} ${op} ${theirs(r)})`;
    }
    case 'unary_expr':
      return `(${e.operator} ${theirs(e.expr!)})`;
    case 'column_ref': {
      const col = typeof e.column === 'string' ? e.column : String((e.column as { expr: { value: string } }).expr.value);
      return `${e.table ? `${e.table}.` : ''}${col}`.toLowerCase();
    }
    case 'number':
      return String(e.value);
    case 'single_quote_string':
    case 'string':
      return `'${String(e.value)}'`;
    case 'null':
      return 'NULL';
    default:
      return `<${e.type}>`;
  }
}

function oursOf(sql: string): string {
  const r = parse(`SELECT ${sql} FROM t`);
  expect(r.diagnostics).toEqual([]);
  const s = (r.script!.statements[0] as A.QueryStatement).query.body as A.Select;
  return ours((s.items[0] as A.ExprItem).expr);
}

function theirsOf(sql: string): string {
  const ast = peer.astify(`SELECT ${sql} FROM t`, { database: 'PostgreSQL' }) as { columns: { expr: PeerExpr }[] };
  return theirs(ast.columns[0]!.expr);
}

// ---- a generator of plain-SQL expressions (as text, with random extra parentheses) --------------------------------------
const column = fc.constantFrom('a', 'b', 'price', 't.qty');
const num = fc.nat(999).map(String);
// Unary minus only on names: node-sql-parser folds `-0` and `-(0)` into a number literal, which is not a structure.
const atom = fc.oneof(column, num, fc.constantFrom("'x'", "'ab%'"), column.map((c) => `-${c}`));
const arith: fc.Arbitrary<string> = fc.letrec<{ a: string }>((tie) => ({
  a: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    atom,
    fc.tuple(tie('a'), fc.constantFrom('+', '-', '*', '/'), tie('a')).map(([l, op, r]) => `${l} ${op} ${r}`),
    tie('a').map((x) => `(${x})`),
  ),
})).a;
const predicate = fc.oneof(
  fc.tuple(arith, fc.constantFrom('=', '<>', '<', '<=', '>', '>='), arith).map(([l, op, r]) => `${l} ${op} ${r}`),
  fc.tuple(arith, fc.boolean(), arith, arith).map(([x, not, lo, hi]) => `${x}${not ? ' NOT' : ''} BETWEEN ${lo} AND ${hi}`),
  fc.tuple(arith, fc.boolean(), fc.array(arith, { minLength: 1, maxLength: 3 })).map(([x, not, l]) => `${x}${not ? ' NOT' : ''} IN (${l.join(', ')})`),
  fc.tuple(column, fc.boolean()).map(([c, not]) => `${c} IS ${not ? 'NOT ' : ''}NULL`),
  fc.tuple(column, fc.boolean()).map(([c, not]) => `${c}${not ? ' NOT' : ''} LIKE 'a%'`),
);
// node-sql-parser reads `NOT (` as a call of a function named NOT: NOT only before a predicate that starts otherwise.
const maybeNot = fc.tuple(fc.boolean(), predicate).map(([not, p]) => (not && !p.startsWith('(') ? `NOT ${p}` : p));
const logic = fc.tuple(fc.constantFrom('AND', 'OR'), fc.array(maybeNot, { minLength: 1, maxLength: 3 }), fc.boolean())
  .map(([op, ps, paren]) => (paren ? ps.map((p) => `(${p})`) : ps).join(` ${op} `));

describe('differential: Sluice and node-sql-parser on plain SQL', () => {
  it('agree on arithmetic precedence and associativity', () => {
    fc.assert(fc.property(arith, (sql) => {
      expect(oursOf(sql)).toBe(theirsOf(sql));
    }), { numRuns: 300 });
  });

  it('agree on predicates and single-operator logic', () => {
    fc.assert(fc.property(logic, (sql) => {
      expect(oursOf(sql)).toBe(theirsOf(sql));
    }), { numRuns: 300 });
  });

  it('both read the plain-SQL corpus, with the same tables and select lists', () => {
    const statements = PLAIN_SQL.split(';').map((s) => s.trim()).filter(Boolean);
    for (const sql of statements) {
      const r = parse(sql);
      expect(r.diagnostics).toEqual([]);
      const q = (r.script!.statements[0] as A.QueryStatement).query;
      const first = (q.body.kind === 'setOperation' ? q.body.left : q.body) as A.Select;
      const their = peer.astify(sql, { database: 'PostgreSQL' }) as { columns: unknown[]; from: { table: string }[] } | { columns: unknown[]; from: { table: string }[] }[];
      const theirFirst = Array.isArray(their) ? their[0]! : their;
      expect(first.items.length).toBe(theirFirst.columns.length);
      expect(tables(first.from)).toEqual(theirFirst.from.map((f) => f.table.toLowerCase()));
    }
  });
});

function tables(f: A.FromItem | undefined): string[] {
  if (!f) return [];
  if (f.kind === 'join') return [...tables(f.left), ...tables(f.right)];
  return f.kind === 'tableRef' ? [f.name.at(-1)!.text.toLowerCase()] : [];
}
