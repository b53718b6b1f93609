/** The lexer and parser on their own: keywords, names, literals, comments, spans and error recovery. */
import { describe, expect, it } from 'vitest';
import type * as A from '../../src/sql/ast.js';
import { TEMPORAL_OPERATORS } from '../../src/sql/ast.js';
import { Codes } from '../../src/sql/diagnostics.js';
import { parse } from '../../src/sql/parse.js';
import { AstBuilder } from '../../src/sql/build-ast.js';
import { sqlParser } from '../../grammar/parser.js';

function select(sql: string): A.Select {
  const r = parse(sql);
  expect(r.diagnostics).toEqual([]);
  const s = r.script!.statements[0]! as A.QueryStatement;
  return s.query.body as A.Select;
}

function item(sql: string): A.Expr {
  return (select(`SELECT ${sql} FROM s`).items[0] as A.ExprItem).expr;
}

describe('lexer and parser', () => {
  it('has an AST builder method for every grammar rule', () => {
    const rules = Object.keys(sqlParser().getGAstProductions());
    expect(rules.length).toBeGreaterThan(50);
    expect(rules.filter((r) => typeof (AstBuilder.prototype as unknown as Record<string, unknown>)[r] !== 'function')).toEqual([]);
  });

  it('reads keywords in any case', () => {
    const s = select('sElEcT sTrEaM DiStInCt a FrOm s wHeRe a IS not NULL');
    expect(s.stream).toBe(true);
    expect(s.quantifier).toBe('DISTINCT');
    expect(s.where?.kind).toBe('is');
  });

  it('keeps names as written, quoted or not', () => {
    const e = item('"My ""col""".x, y') as A.ColumnRef;
    expect(e.parts.map((p) => [p.text, p.quoted])).toEqual([['My "col"', true], ['x', false]]);
  });

  it('lets soft keywords be names', () => {
    const e = item('description + hour') as A.BinaryExpr;
    expect(e.left.kind).toBe('column');
    expect(e.right.kind).toBe('column');
  });

  it('reads literals', () => {
    expect(item("'it''s'")).toMatchObject({ kind: 'string', value: "it's", unicode: false });
    expect(item("u&'\\0041\\+01F600 \\\\'")).toMatchObject({ kind: 'string', value: 'A😀 \\', unicode: true });
    expect(item("U&'#0041' UESCAPE '#'")).toMatchObject({ value: 'A' });
    expect(item("INTERVAL '1:30' MINUTE TO SECOND")).toMatchObject({ kind: 'interval', text: '1:30', unit: 'MINUTE', toUnit: 'SECOND' });
    expect(item("INTERVAL -'10' SECOND")).toMatchObject({ kind: 'interval', negative: true });
    expect(item("TIMESTAMP '2024-01-31 12:00:00.123'")).toMatchObject({ kind: 'datetime', type: 'TIMESTAMP' });
    expect(item("DATE '2024-01-31'")).toMatchObject({ kind: 'datetime', type: 'DATE' });
    expect(item("TIME '12:00:00'")).toMatchObject({ kind: 'datetime', type: 'TIME' });
    expect(item('1.5e3')).toMatchObject({ kind: 'number', text: '1.5e3' });
    expect(item("X'CAFE'")).toMatchObject({ kind: 'binaryString', hex: 'CAFE' });
    expect(item('TRUE')).toMatchObject({ kind: 'boolean', value: true });
    expect(item('UNKNOWN')).toMatchObject({ kind: 'boolean', value: null });
    expect(item('NULL')).toMatchObject({ kind: 'null' });
  });

  it('skips -- and /* */ comments', () => {
    const s = select('SELECT /* a\nb */ a -- trailing\nFROM s -- end');
    expect(s.items).toHaveLength(1);
  });

  it('gives operators their precedence', () => {
    const e = item('a OR b AND NOT c = d + e * -f || g') as A.BinaryExpr;
    expect(e.op).toBe('OR');
    const and = e.right as A.BinaryExpr;
    expect(and.op).toBe('AND');
    const not = and.right as A.NotExpr;
    const eq = not.operand as A.BinaryExpr;
    expect(eq.op).toBe('=');
    const concat = eq.right as A.BinaryExpr;
    expect(concat.op).toBe('||');
    expect((concat.left as A.BinaryExpr).op).toBe('+');
  });

  it('reads the special forms', () => {
    expect(item('FLOOR(s.ROWTIME TO MINUTE)')).toMatchObject({ kind: 'floor', fn: 'FLOOR', unit: 'MINUTE' });
    expect(item('CEILING(t TO HOUR)')).toMatchObject({ kind: 'floor', fn: 'CEIL' });
    expect(item('FLOOR(price)')).toMatchObject({ kind: 'call' });
    expect(item("STEP(ROWTIME BY INTERVAL '10' SECOND)")).toMatchObject({ kind: 'step' });
    expect(item('EXTRACT(HOUR FROM t)')).toMatchObject({ kind: 'extract', unit: 'HOUR' });
    expect(item("POSITION('a' IN s)")).toMatchObject({ kind: 'position' });
    expect(item("POSITION('a' IN (s))")).toMatchObject({ kind: 'position' });
    expect(item('SUBSTRING(s FROM 2 FOR 3)')).toMatchObject({ kind: 'substring' });
    expect(item("TRIM(LEADING '0' FROM s)")).toMatchObject({ kind: 'trim', side: 'LEADING' });
    expect(item("OVERLAY(s PLACING 'x' FROM 2)")).toMatchObject({ kind: 'overlay' });
    expect(item("(t1 - t2) MINUTE TO SECOND")).toMatchObject({ kind: 'intervalQualified', unit: 'MINUTE', toUnit: 'SECOND' });
    expect(item('COUNT(DISTINCT x)')).toMatchObject({ kind: 'call', quantifier: 'DISTINCT' });
    expect(item('COUNT(*) OVER w')).toMatchObject({ kind: 'call', star: true, over: { kind: 'identifier' } });
  });

  it('reads temporal predicates over periods, in every KDA spelling', () => {
    for (const op of TEMPORAL_OPERATORS) {
      expect(item(`PERIOD(a, b) ${op.toLowerCase()} PERIOD(c, d)`)).toMatchObject({
        kind: 'temporal', op, left: { kind: 'period' }, right: { kind: 'period', start: { kind: 'column' } },
      });
    }
    // KDA's shorthands: PERIOD may be omitted; chained predicates share the middle period; CONTAINS takes a TIMESTAMP
    expect(item('(a, b) PRECEDES (c, d)')).toMatchObject({ kind: 'temporal', left: { kind: 'period' }, right: { kind: 'period' } });
    expect(item('(a, b) PRECEDES (c, d) IMMEDIATELY PRECEDES PERIOD(e, f)')).toMatchObject({
      kind: 'temporal', op: 'IMMEDIATELY PRECEDES', left: { kind: 'temporal', op: 'PRECEDES', right: { kind: 'period' } }, right: { kind: 'period' },
    });
    expect(item('PERIOD(a, b) CONTAINS t')).toMatchObject({ kind: 'temporal', op: 'CONTAINS', right: { kind: 'column' } });
    expect(select('SELECT STREAM x contains FROM s').items.map((i) => (i as A.ExprItem).alias?.text)).toEqual(['contains']);
    // a temporal word not followed by a period is a name: here an alias
    expect(select('SELECT STREAM x leads, y AS overlaps FROM s').items.map((i) => (i as A.ExprItem).alias?.text)).toEqual(['leads', 'overlaps']);
    // the predicate binds like a comparison: looser than ||, tighter than AND
    const and = item('PERIOD(a, b) OVERLAPS PERIOD(c, d || e) AND f') as A.BinaryExpr;
    expect(and).toMatchObject({ op: 'AND', left: { kind: 'temporal', right: { end: { kind: 'binary', op: '||' } } } });
  });

  it('reads SUBSTRING by regular expression', () => {
    expect(item("SUBSTRING(s SIMILAR '#\"a%#\"' ESCAPE '#')")).toMatchObject({
      kind: 'substringSimilar', operand: { kind: 'column' }, pattern: { kind: 'string' }, escape: { kind: 'string', value: '#' },
    });
    // SIMILAR TO stays a predicate inside the operand
    expect(item("SUBSTRING(s SIMILAR TO 'x' SIMILAR 'y' ESCAPE '#')")).toMatchObject({ kind: 'substringSimilar', operand: { kind: 'like', op: 'SIMILAR TO' } });
  });

  it('reads POSITION whose string starts with a parenthesis', () => {
    expect(item("POSITION('a' IN (s) || 'b')")).toMatchObject({ kind: 'position', haystack: { kind: 'binary', op: '||' } });
    expect(item("POSITION('a' IN (s) MINUTE)")).toMatchObject({ kind: 'position', haystack: { kind: 'intervalQualified', unit: 'MINUTE' } });
    expect(item("POSITION('a' IN (s || 't') + 1)")).toMatchObject({ kind: 'position', haystack: { kind: 'binary', op: '+' } });
    // outside POSITION, `x IN (1)` stays a predicate, and an operator after it is still an error
    expect(item('x IN (1) AND y')).toMatchObject({ kind: 'binary', op: 'AND', left: { kind: 'in' } });
    expect(parse('SELECT STREAM x IN (1) || y FROM s').diagnostics.map((d) => d.code)).toEqual([Codes.SYNTAX]);
  });

  it('puts a span on every node', () => {
    const sql = 'SELECT STREAM price * 2 AS p FROM s';
    const e = item('price * 2') as A.BinaryExpr;
    expect(e.span).toMatchObject({ start: 7, end: 16, line: 1, column: 8 });
    expect(e.right.span).toMatchObject({ start: 15, end: 16 });
    const s = select(sql);
    expect(sql.slice(s.span.start, s.span.end)).toBe(sql);
  });

  it('recovers from syntax errors and reports several in one pass', () => {
    const r = parse('SELECT a FROM;\nSELECT (b FROM t;\nCREATE STREAM x (a INTEGER,);\nSELECT ok FROM fine');
    const lines = r.diagnostics.map((d) => [d.code, d.span.line]);
    expect(lines).toEqual([[Codes.SYNTAX, 1], [Codes.SYNTAX, 2], [Codes.SYNTAX, 3]]);
  });

  it('checks type names and their arguments', () => {
    const r = parse('CREATE STREAM s (a INT, b DOUBLE PRECISION, c CHARACTER VARYING(3), d NUMERIC(5,2), e DEC, f TIMESTAMP(3))');
    expect(r.diagnostics).toEqual([]);
    const cols = (r.script!.statements[0] as A.CreateStream).columns.map((c) => c.type);
    expect(cols.map((t) => [t.name, t.precision, t.scale])).toEqual([
      ['INTEGER', undefined, undefined], ['DOUBLE', undefined, undefined], ['VARCHAR', 3, undefined],
      ['DECIMAL', 5, 2], ['DECIMAL', undefined, undefined], ['TIMESTAMP', undefined, undefined],
    ]);
    expect(parse('CREATE STREAM s (a INTERVAL)').diagnostics.map((d) => d.code)).toEqual([Codes.NOT_SUPPORTED]);
  });
});
