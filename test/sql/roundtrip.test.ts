/**
 * Round trip: format(AST) parses back to the same AST (modulo spans). Checked on every application in the suite and,
 * as a fast-check property, on generated ASTs covering every node kind.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HARD_KEYWORDS, SOFT_KEYWORDS } from '../../grammar/tokens.js';
import type * as A from '../../src/sql/ast.js';
import { TEMPORAL_OPERATORS } from '../../src/sql/ast.js';
import { format } from '../../src/sql/format.js';
import { parse } from '../../src/sql/parse.js';
import { stripSpans } from '../../src/sql/walk.js';
import { checkApplication } from '../../src/sql/index.js';
import { config, read, sqlFiles } from './helpers.js';

function reparse(text: string): A.Script {
  const r = parse(text);
  const errors = r.diagnostics.filter((d) => d.code.startsWith('SQL1') || d.code.startsWith('SQL0'));
  if (!r.script || errors.length) throw new Error(`does not parse back:\n${text}\n${JSON.stringify(r.diagnostics, null, 1)}`);
  return r.script;
}

describe('format → parse on the suite', () => {
  for (const dir of ['apps', 'kda-examples']) {
    for (const file of sqlFiles(dir)) {
      it(`${dir}/${file}`, () => {
        const ast = reparse(read(dir, file));
        const printed = format(ast);
        expect(stripSpans(reparse(printed))).toEqual(stripSpans(ast));
        expect(format(reparse(printed))).toBe(printed);
      });
    }
  }
});

// ---- generators ------------------------------------------------------------------------------------------------------
const S: A.Span = { start: 0, end: 0, line: 1, column: 1 };
const UNITS: A.TimeUnit[] = ['YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND'];
const SPECIAL = new Set(['FLOOR', 'CEIL', 'CEILING', 'STEP', 'EXTRACT', 'POSITION', 'SUBSTRING', 'TRIM', 'OVERLAY', 'PERIOD']);

const unquoted = fc
  .stringMatching(/^[a-zA-Z][a-zA-Z0-9_]{0,7}$/)
  .filter((s) => !HARD_KEYWORDS.has(s.toUpperCase()) && !UNITS.includes(s.toUpperCase() as A.TimeUnit) && !SPECIAL.has(s.toUpperCase()));
const softWord = fc.constantFrom(...[...SOFT_KEYWORDS].filter((w) => !UNITS.includes(w as A.TimeUnit)).map((w) => w.toLowerCase()));
const ident: fc.Arbitrary<A.Identifier> = fc.oneof(
  { weight: 6, arbitrary: unquoted.map((text) => ({ kind: 'identifier' as const, text, quoted: false, span: S })) },
  { weight: 1, arbitrary: softWord.map((text) => ({ kind: 'identifier' as const, text, quoted: false, span: S })) },
  { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength: 8 }).map((text) => ({ kind: 'identifier' as const, text, quoted: true, span: S })) },
);
const name = fc.array(ident, { minLength: 1, maxLength: 2 });

const typeName: fc.Arbitrary<A.TypeName> = fc.oneof(
  fc.constantFrom<A.TypeKeyword>('BOOLEAN', 'TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'REAL', 'DOUBLE', 'DATE', 'TIME', 'TIMESTAMP').map((n) => ({ kind: 'typeName' as const, name: n, span: S })),
  fc.record({ n: fc.constantFrom<A.TypeKeyword>('CHAR', 'VARCHAR', 'BINARY', 'VARBINARY'), p: fc.option(fc.integer({ min: 1, max: 9999 }), { nil: undefined }) })
    .map(({ n, p }) => ({ kind: 'typeName' as const, name: n, ...(p !== undefined ? { precision: p } : {}), span: S })),
  fc.integer({ min: 1, max: 19 }).chain((p) =>
    fc.option(fc.integer({ min: 0, max: p }), { nil: undefined }).map((s) => ({ kind: 'typeName' as const, name: 'DECIMAL' as const, precision: p, ...(s !== undefined ? { scale: s } : {}), span: S })),
  ),
);

const numberText = fc.oneof(fc.nat().map(String), fc.tuple(fc.nat(999), fc.nat(999)).map(([a, b]) => `${a}.${b}`), fc.tuple(fc.nat(9), fc.nat(20)).map(([a, b]) => `${a}e${b}`));
const interval: fc.Arbitrary<A.Expr> = fc.record({
  negative: fc.boolean(),
  pair: fc.constantFrom<[A.TimeUnit, A.TimeUnit | undefined, string]>(
    ['SECOND', undefined, '10'], ['MINUTE', undefined, '5'], ['HOUR', undefined, '1'], ['DAY', undefined, '2'],
    ['MINUTE', 'SECOND', '1:30'], ['HOUR', 'MINUTE', '2:15'], ['DAY', 'HOUR', '1 12'], ['YEAR', 'MONTH', '1-6'], ['SECOND', undefined, '0.5'],
  ),
}).map(({ negative, pair: [unit, toUnit, text] }) => ({ kind: 'interval' as const, negative, text, unit, ...(toUnit ? { toUnit } : {}), span: S }));
const datetime = fc.constantFrom<A.Expr>(
  { kind: 'datetime', type: 'TIMESTAMP', text: '1970-01-01 00:00:00', span: S },
  { kind: 'datetime', type: 'DATE', text: '2024-02-29', span: S },
  { kind: 'datetime', type: 'TIME', text: '23:59:59.999', span: S },
);

const leaf: fc.Arbitrary<A.Expr> = fc.oneof(
  numberText.map((text) => ({ kind: 'number' as const, text, span: S })),
  fc.string({ maxLength: 10 }).map((value) => ({ kind: 'string' as const, value, unicode: false, span: S })),
  fc.string({ unit: 'binary', maxLength: 6 }).map((value) => ({ kind: 'string' as const, value, unicode: true, span: S })),
  fc.constantFrom<boolean | null>(true, false, null).map((value) => ({ kind: 'boolean' as const, value, span: S })),
  fc.constant<A.Expr>({ kind: 'null', span: S }),
  fc.constantFrom('00', 'CAFE', 'ff01').map((hex) => ({ kind: 'binaryString' as const, hex: hex.toUpperCase(), span: S })),
  interval,
  datetime,
  fc.array(ident, { minLength: 1, maxLength: 3 }).map((parts) => ({ kind: 'column' as const, parts, span: S })),
);

const period = (e: fc.Arbitrary<A.Expr>): fc.Arbitrary<A.Expr> =>
  fc.record({ start: e, end: e }).map((x) => ({ kind: 'period' as const, ...x, span: S }));
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
/** Spreads `{ key: value }` only when value is defined (the AST omits absent optional fields). */
const some = <K extends string, V>(key: K, v: V | undefined) => (v === undefined ? {} : ({ [key]: v } as Record<K, V>));

const { expr, query } = fc.letrec<{ expr: A.Expr; query: A.Query; select: A.Select; body: A.QueryBody; from: A.FromItem; primary: A.TableRef | A.DerivedTable | A.TableFunction; spec: A.WindowSpec; call: A.FunctionCall; plainQuery: A.Query }>((tie) => {
  const e = tie('expr') as fc.Arbitrary<A.Expr>;
  const spec = tie('spec') as fc.Arbitrary<A.WindowSpec>;
  const over: fc.Arbitrary<A.Over> = fc.oneof(ident, spec);
  const orderItem = fc.record({ expr: e, direction: opt(fc.constantFrom<'ASC' | 'DESC'>('ASC', 'DESC')), nulls: opt(fc.constantFrom<'FIRST' | 'LAST'>('FIRST', 'LAST')) })
    .map((o) => ({ kind: 'orderItem' as const, expr: o.expr, ...some('direction', o.direction), ...some('nulls', o.nulls), span: S }));
  const callName = ident.filter((i) => i.quoted || !SPECIAL.has(i.text.toUpperCase()));
  return {
    expr: fc.oneof(
      { depthSize: 'small', maxDepth: 5, depthIdentifier: 'ast', withCrossShrink: true },
      leaf,
      fc.record({ op: fc.constantFrom<A.BinaryOperator>('OR', 'AND', '=', '<>', '<', '<=', '>', '>=', '||', '+', '-', '*', '/', '%'), left: e, right: e }).map((x) => ({ kind: 'binary' as const, ...x, span: S })),
      fc.record({ op: fc.constantFrom<'-' | '+'>('-', '+'), operand: e }).map((x) => ({ kind: 'unary' as const, ...x, span: S })),
      e.map((operand) => ({ kind: 'not' as const, operand, span: S })),
      fc.record({ not: fc.boolean(), what: fc.constantFrom<A.IsExpr['what']>('NULL', 'TRUE', 'FALSE', 'UNKNOWN'), operand: e }).map((x) => ({ kind: 'is' as const, ...x, span: S })),
      fc.record({ not: fc.boolean(), symmetric: opt(fc.constantFrom<'SYMMETRIC' | 'ASYMMETRIC'>('SYMMETRIC', 'ASYMMETRIC')), operand: e, low: e, high: e })
        .map(({ symmetric, ...x }) => ({ kind: 'between' as const, ...x, ...some('symmetric', symmetric), span: S })),
      fc.record({ not: fc.boolean(), operand: e, list: fc.array(e, { minLength: 1, maxLength: 3 }) }).map((x) => ({ kind: 'in' as const, ...x, span: S })),
      fc.record({ not: fc.boolean(), operand: e, query: tie('plainQuery') as fc.Arbitrary<A.Query> }).map((x) => ({ kind: 'in' as const, ...x, span: S })),
      fc.record({ not: fc.boolean(), op: fc.constantFrom<'LIKE' | 'SIMILAR TO'>('LIKE', 'SIMILAR TO'), operand: e, pattern: e, escape: opt(e) })
        .map(({ escape, ...x }) => ({ kind: 'like' as const, ...x, ...some('escape', escape), span: S })),
      fc.record({ operand: opt(e), whens: fc.array(fc.record({ when: e, then: e }), { minLength: 1, maxLength: 2 }), else: opt(e) })
        .map((x) => ({ kind: 'case' as const, ...some('operand', x.operand), whens: x.whens, ...some('else', x.else), span: S })),
      fc.record({ operand: e, type: typeName }).map((x) => ({ kind: 'cast' as const, ...x, span: S })),
      tie('call') as fc.Arbitrary<A.Expr>,
      fc.record({ fn: fc.constantFrom<'FLOOR' | 'CEIL'>('FLOOR', 'CEIL'), operand: e, unit: fc.constantFrom(...UNITS) }).map((x) => ({ kind: 'floor' as const, ...x, span: S })),
      fc.record({ operand: e, width: e }).map((x) => ({ kind: 'step' as const, ...x, span: S })),
      fc.record({ unit: fc.constantFrom(...UNITS), operand: e }).map((x) => ({ kind: 'extract' as const, ...x, span: S })),
      // Haystacks that print starting with `(` included: the formatter parenthesises them (see build-ast's POSITION note).
      fc.record({ needle: e, haystack: e }).map((x) => ({ kind: 'position' as const, ...x, span: S })),
      fc.record({ operand: e, from: e, for: opt(e) }).map((x) => ({ kind: 'substring' as const, operand: x.operand, from: x.from, ...some('for', x.for), span: S })),
      fc.record({ operand: e, pattern: e, escape: e }).map((x) => ({ kind: 'substringSimilar' as const, ...x, span: S })),
      period(e),
      // The right operand of a temporal predicate is a period (the parser takes OVERLAPS as a predicate only then),
      // except for CONTAINS, which also takes a single TIMESTAMP. A temporal left operand is a compact chain.
      fc.record({ op: fc.constantFrom(...TEMPORAL_OPERATORS), left: e, right: period(e) }).map((x) => ({ kind: 'temporal' as const, ...x, span: S })),
      fc.record({ left: e, right: e }).map((x) => ({ kind: 'temporal' as const, op: 'CONTAINS' as const, ...x, span: S })),
      fc.record({ side: opt(fc.constantFrom<'BOTH' | 'LEADING' | 'TRAILING'>('BOTH', 'LEADING', 'TRAILING')), characters: opt(e), operand: e })
        .map((x) => ({ kind: 'trim' as const, ...some('side', x.side), ...some('characters', x.characters), operand: x.operand, span: S })),
      fc.record({ operand: e, placing: e, from: e, for: opt(e) }).map((x) => ({ kind: 'overlay' as const, operand: x.operand, placing: x.placing, from: x.from, ...some('for', x.for), span: S })),
      (tie('plainQuery') as fc.Arbitrary<A.Query>).map((q) => ({ kind: 'subquery' as const, query: q, span: S })),
      fc.record({ operand: e, unit: fc.constantFrom(...UNITS), toUnit: opt(fc.constantFrom(...UNITS)) })
        .map((x) => ({ kind: 'intervalQualified' as const, operand: x.operand, unit: x.unit, ...some('toUnit', x.toUnit), span: S })),
    ),
    call: fc.record({
      name: callName,
      quantifier: opt(fc.constantFrom<'DISTINCT' | 'ALL'>('DISTINCT', 'ALL')),
      star: fc.boolean(),
      args: fc.array(fc.oneof(e, (tie('query') as fc.Arbitrary<A.Query>).map((q) => ({ kind: 'cursor' as const, query: q, span: S }))), { minLength: 1, maxLength: 3 }),
      over: opt(over),
    }).map((x) => ({
      kind: 'call' as const,
      name: x.name,
      ...(x.star ? {} : some('quantifier', x.quantifier)),
      star: x.star,
      args: x.star ? [] : x.args,
      ...some('over', x.over),
      span: S,
    })),
    spec: fc.record({
      base: opt(ident),
      partitionBy: fc.array(e, { maxLength: 2 }),
      orderBy: fc.array(orderItem, { maxLength: 2 }),
      frame: opt(fc.record({
        unit: fc.constantFrom<'RANGE' | 'ROWS'>('RANGE', 'ROWS'),
        start: fc.oneof(
          fc.constantFrom<A.FrameBound['type']>('UNBOUNDED PRECEDING', 'UNBOUNDED FOLLOWING', 'CURRENT ROW').map((type) => ({ kind: 'frameBound' as const, type, span: S })),
          fc.record({ type: fc.constantFrom<'PRECEDING' | 'FOLLOWING'>('PRECEDING', 'FOLLOWING'), offset: e }).map((x) => ({ kind: 'frameBound' as const, ...x, span: S })),
        ),
        end: opt(fc.constantFrom<A.FrameBound>({ kind: 'frameBound', type: 'CURRENT ROW', span: S })),
      }).map((f) => ({ kind: 'windowFrame' as const, unit: f.unit, start: f.start, ...some('end', f.end), span: S }))),
    }).map((w) => ({ kind: 'windowSpec' as const, ...some('base', w.base), partitionBy: w.partitionBy, orderBy: w.orderBy, ...some('frame', w.frame), span: S })),
    primary: fc.oneof(
      fc.record({ stream: fc.boolean(), name }).map((x) => ({ kind: 'tableRef' as const, ...x, span: S })),
      (tie('query') as fc.Arbitrary<A.Query>).map((q) => ({ kind: 'derivedTable' as const, query: q, span: S })),
      (tie('call') as fc.Arbitrary<A.FunctionCall>).map((call) => ({ kind: 'tableFunction' as const, call: { ...call, over: undefined } as A.FunctionCall, span: S })),
    ).chain((p) =>
      fc.record({ alias: opt(ident), columnAliases: opt(fc.array(ident, { minLength: 1, maxLength: 2 })), over: opt(over) }).map((a) => {
        const { over: _o, ...rest } = p as A.TableRef & { over?: A.Over };
        const call = p.kind === 'tableFunction' ? { call: stripUndefined(p.call) } : {};
        return { ...rest, ...call, ...some('over', a.over), ...some('alias', a.alias), ...(a.alias ? some('columnAliases', a.columnAliases) : {}) } as A.TableRef;
      }),
    ),
    from: fc.oneof(
      { depthSize: 'small', maxDepth: 5, depthIdentifier: 'ast' },
      tie('primary') as fc.Arbitrary<A.FromItem>,
      fc.record({
        type: fc.constantFrom<A.Join['type']>('INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'COMMA'),
        explicit: fc.boolean(),
        left: tie('from') as fc.Arbitrary<A.FromItem>,
        right: tie('primary') as fc.Arbitrary<A.Join['right']>,
        on: opt(e),
      }).map((j) => ({
        kind: 'join' as const,
        type: j.type,
        explicitType: j.type === 'COMMA' ? false : j.type === 'INNER' ? j.explicit : true,
        left: j.left,
        right: j.right,
        ...(j.type === 'COMMA' ? {} : some('on', j.on)),
        span: S,
      })),
    ),
    select: fc.record({
      stream: fc.boolean(),
      quantifier: opt(fc.constantFrom<'ALL' | 'DISTINCT'>('ALL', 'DISTINCT')),
      items: fc.array(
        fc.oneof(
          fc.record({ expr: e, alias: opt(ident) }).map((x) => ({ kind: 'exprItem' as const, expr: x.expr, ...some('alias', x.alias), span: S })),
          opt(ident).map((q) => ({ kind: 'star' as const, ...some('qualifier', q), span: S })),
        ),
        { minLength: 1, maxLength: 3 },
      ),
      from: opt(tie('from') as fc.Arbitrary<A.FromItem>),
      where: opt(e),
      group: fc.oneof(
        fc.constant(undefined),
        fc.array(e, { minLength: 1, maxLength: 2 }).map((groupBy) => ({ groupBy })),
        fc.record({ partitionBy: fc.array(e, { minLength: 1, maxLength: 2 }), range: e }).map((x) => ({ stagger: { kind: 'stagger' as const, ...x, span: S } })),
      ),
      having: opt(e),
      windows: fc.array(fc.record({ name: ident, spec }).map((w) => ({ kind: 'windowDefinition' as const, ...w, span: S })), { maxLength: 2 }),
    }).map((s) => ({
      kind: 'select' as const,
      stream: s.stream,
      ...some('quantifier', s.quantifier),
      items: s.items,
      ...some('from', s.from),
      ...some('where', s.where),
      ...(s.group ?? {}),
      ...some('having', s.having),
      windows: s.windows,
      span: S,
    })),
    body: fc.oneof(
      { depthSize: 'small', maxDepth: 5, depthIdentifier: 'ast' },
      tie('select') as fc.Arbitrary<A.QueryBody>,
      fc.record({
        op: fc.constantFrom<A.SetOperation['op']>('UNION', 'EXCEPT', 'INTERSECT'),
        q: fc.constantFrom('ALL', 'DISTINCT', ''),
        left: tie('body') as fc.Arbitrary<A.QueryBody>,
        right: fc.oneof(tie('select') as fc.Arbitrary<A.QueryBody>, tie('query') as fc.Arbitrary<A.QueryBody>),
      }).map((u) => ({ kind: 'setOperation' as const, op: u.op, all: u.q === 'ALL', distinctWritten: u.q === 'DISTINCT', left: u.left, right: u.right, span: S })),
      tie('query') as fc.Arbitrary<A.QueryBody>,
    ),
    query: fc.record({ body: tie('body') as fc.Arbitrary<A.QueryBody>, orderBy: fc.array(orderItem, { maxLength: 2 }) })
      .map((q) => ({ kind: 'query' as const, body: q.body, orderBy: q.orderBy, span: S })),
    // A query that starts with SELECT (where `(` would be read as a parenthesised expression instead).
    plainQuery: fc.record({ body: tie('select') as fc.Arbitrary<A.Select>, orderBy: fc.array(orderItem, { maxLength: 1 }) })
      .map((q) => ({ kind: 'query' as const, body: q.body, orderBy: q.orderBy, span: S })),
  };
});

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export const statementArb: fc.Arbitrary<A.Statement> = fc.oneof(
  fc.record({ orReplace: fc.boolean(), name, columns: fc.array(fc.record({ name: ident, type: typeName, notNull: fc.boolean() }).map((c) => ({ kind: 'columnDefinition' as const, ...c, span: S })), { minLength: 1, maxLength: 3 }), description: opt(fc.string({ maxLength: 10 })) })
    .map((s) => ({ kind: 'createStream' as const, orReplace: s.orReplace, name: s.name, columns: s.columns, ...some('description', s.description), span: S })),
  fc.record({ orReplace: fc.boolean(), name, stopped: fc.boolean(), expedited: fc.boolean(), target: name, columns: opt(fc.array(ident, { minLength: 1, maxLength: 3 })), query })
    .map((p) => ({
      kind: 'createPump' as const, orReplace: p.orReplace, name: p.name, stopped: p.stopped, span: S,
      insert: { kind: 'insert' as const, expedited: p.expedited, target: p.target, ...some('columns', p.columns), query: p.query, span: S },
    })),
  fc.record({
    orReplace: fc.boolean(), name,
    parameters: fc.array(fc.record({ name: ident, type: typeName }), { maxLength: 2 }),
    returns: typeName,
    characteristics: fc.constantFrom<string[][]>([], ['LANGUAGE', 'SQL'], ['NOT', 'DETERMINISTIC'], ['CONTAINS', 'SQL', 'DETERMINISTIC']),
    body: expr,
  }).map((f) => ({ kind: 'createFunction' as const, ...f, span: S })),
  fc.record({ orReplace: fc.boolean(), name: ident }).map((s) => ({ kind: 'createSchema' as const, ...s, span: S })),
  fc.oneof(ident, fc.string({ maxLength: 8 }).map((value) => ({ kind: 'string' as const, value, unicode: false, span: S }))).map((n) => ({ kind: 'setSchema' as const, name: n, span: S })),
  query.map((q) => ({ kind: 'queryStatement' as const, query: q, span: S })),
);

describe('format → parse on generated ASTs', () => {
  it('gives back the same AST', () => {
    fc.assert(
      fc.property(fc.array(statementArb, { minLength: 1, maxLength: 3 }), (statements) => {
        const script: A.Script = { kind: 'script', statements, span: S };
        const text = format(script);
        expect(stripSpans(reparse(text))).toEqual(stripSpans(script));
      }),
      { numRuns: 500 },
    );
  });
});

describe('binding generated programs', () => {
  it('reports diagnostics but never throws, whatever the AST', () => {
    fc.assert(
      fc.property(fc.array(statementArb, { minLength: 1, maxLength: 4 }), fc.boolean(), (statements, withConfig) => {
        const text = format({ kind: 'script', statements, span: S });
        const r = checkApplication(text, withConfig ? config : undefined);
        for (const d of r.diagnostics) expect(d.code).toMatch(/^SQL\d{3}$/);
      }),
      { numRuns: 300 },
    );
  });
});
