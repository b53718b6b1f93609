/**
 * CST → AST. A chevrotain CST visitor with one method per grammar rule, as in chevrotain's tutorial. It also does the
 * checks that need to know what words mean but nothing about the catalog: type names, literal formats, and the shapes
 * of special forms such as FLOOR(x TO unit) that the grammar reads as generic calls.
 */
import type { CstNode, IToken } from 'chevrotain';
import type * as A from './ast.js';
import { MAX_DECIMAL_PRECISION } from './ast.js';
import { TEMPORAL_OPERATORS } from './ast.js';
import { Codes, error, type Diagnostic } from './diagnostics.js';

type Children = Record<string, (CstNode | IToken)[] | undefined>;

/** Expressions deeper than this are refused: the binder and formatter recurse over them. */
export const MAX_EXPRESSION_DEPTH = 1000;

const TIME_UNITS = new Set(['YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND']);
const TYPE_NAMES: Record<string, A.TypeKeyword> = {
  BOOLEAN: 'BOOLEAN', TINYINT: 'TINYINT', SMALLINT: 'SMALLINT', INTEGER: 'INTEGER', INT: 'INTEGER',
  BIGINT: 'BIGINT', REAL: 'REAL', DOUBLE: 'DOUBLE', DECIMAL: 'DECIMAL', DEC: 'DECIMAL', NUMERIC: 'DECIMAL',
  CHAR: 'CHAR', CHARACTER: 'CHAR', VARCHAR: 'VARCHAR', BINARY: 'BINARY', VARBINARY: 'VARBINARY',
  DATE: 'DATE', TIME: 'TIME', TIMESTAMP: 'TIMESTAMP',
};

export function tokenSpan(t: IToken): A.Span {
  return { start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1, line: t.startLine ?? 1, column: t.startColumn ?? 1 };
}

export function joinSpans(a: A.Span, b: A.Span): A.Span {
  return { start: a.start, end: Math.max(a.end, b.end), line: a.line, column: a.column };
}

function nodeSpan(n: CstNode): A.Span {
  const l = n.location;
  if (!l || Number.isNaN(l.startOffset)) return { start: 0, end: 0, line: 1, column: 1 };
  const end = Number.isNaN(l.endOffset ?? NaN) ? l.startOffset : l.endOffset!;
  return { start: l.startOffset, end: end + 1, line: l.startLine ?? 1, column: l.startColumn ?? 1 };
}

const tok = (c: Children, key: string, i = 0): IToken | undefined => c[key]?.[i] as IToken | undefined;
const node = (c: Children, key: string, i = 0): CstNode | undefined => c[key]?.[i] as CstNode | undefined;
const nodes = (c: Children, key: string): CstNode[] => (c[key] ?? []) as CstNode[];
const toks = (c: Children, key: string): IToken[] => (c[key] ?? []) as IToken[];
const offsetOf = (x: CstNode | IToken): number => ('image' in x ? x.startOffset : (x.location?.startOffset ?? 0));

/**
 * The CST visitor. It dispatches on rule names itself instead of extending chevrotain's base visitor, whose
 * constructor needs the parser built: so importing the SQL layer stays cheap until something is parsed. Every grammar
 * rule has a method here (test/sql/parse.test.ts checks).
 */
export class AstBuilder {
  readonly diagnostics: Diagnostic[] = [];
  private readonly depth = new WeakMap<object, number>();
  private tooDeepReported = false;


  // ---- helpers ----------------------------------------------------------------------------------------------------
  private err(code: (typeof Codes)[keyof typeof Codes], message: string, span: A.Span): void {
    this.diagnostics.push(error(code, message, span));
  }

  /** Records an expression's depth; a too-deep one is reported once and replaced by NULL so later stages stay shallow. */
  private expr<E extends A.Expr>(e: E, ...children: (A.Expr | undefined)[]): A.Expr {
    let d = 0;
    for (const c of children) if (c) d = Math.max(d, this.depth.get(c) ?? 1);
    if (d + 1 > MAX_EXPRESSION_DEPTH) {
      if (!this.tooDeepReported) {
        this.tooDeepReported = true;
        this.err(Codes.TOO_DEEP, `expression is nested more than ${MAX_EXPRESSION_DEPTH} levels deep`, e.span);
      }
      return { kind: 'null', span: e.span };
    }
    this.depth.set(e, d + 1);
    return e;
  }

  /** Build the AST of a parse tree's root (or any node). */
  build<R>(n: CstNode): R {
    return this.v<R>(n);
  }

  private v<R>(n: CstNode | undefined): R {
    if (!n) return undefined as R;
    // The node itself goes along with its children: spans need its location.
    const visit = (this as unknown as Record<string, (c: Children, node: CstNode) => R>)[n.name]!;
    return visit.call(this, n.children as Children, n);
  }

  // ---- program ----------------------------------------------------------------------------------------------------
  script(c: Children, loc: CstNode): A.Script {
    return { kind: 'script', statements: nodes(c, 'statement').map((s) => this.v<A.Statement>(s)).filter(Boolean), span: nodeSpan(loc) };
  }

  statement(c: Children): A.Statement {
    const create = node(c, 'createStatement');
    if (create) return this.v(create);
    const set = node(c, 'setSchema');
    if (set) return this.v(set);
    const insert = node(c, 'insertStatement');
    if (insert) return this.v(insert);
    const q = node(c, 'query')!;
    const query = this.v<A.Query>(q);
    return { kind: 'queryStatement', query, span: query.span };
  }

  createStatement(c: Children, n: CstNode): A.Statement {
    const orReplace = tok(c, 'REPLACE') !== undefined;
    const span = nodeSpan(n);
    const stream = node(c, 'streamDefinition');
    if (stream) return { ...this.v<A.CreateStream>(stream), orReplace, span };
    const pump = node(c, 'pumpDefinition');
    if (pump) return { ...this.v<A.CreatePump>(pump), orReplace, span };
    const fn = node(c, 'functionDefinition');
    if (fn) return { ...this.v<A.CreateFunction>(fn), orReplace, span };
    const schema = this.v<A.CreateSchema>(node(c, 'schemaDefinition'));
    return { ...schema, orReplace, span };
  }

  streamDefinition(c: Children, n: CstNode): A.CreateStream {
    const description = tok(c, 'StringLiteral');
    return {
      kind: 'createStream',
      orReplace: false,
      name: this.v(node(c, 'qualifiedName')),
      columns: nodes(c, 'columnDefinition').map((d) => this.v<A.ColumnDefinition>(d)),
      ...(description ? { description: stringValue(description.image) } : {}),
      span: nodeSpan(n),
    };
  }

  columnDefinition(c: Children, n: CstNode): A.ColumnDefinition {
    return {
      kind: 'columnDefinition',
      name: this.v(node(c, 'identifier')),
      type: this.v(node(c, 'dataType')),
      notNull: tok(c, 'NOT') !== undefined,
      span: nodeSpan(n),
    };
  }

  dataType(c: Children, n: CstNode): A.TypeName {
    const span = nodeSpan(n);
    const word = tok(c, 'typeName')!.image.toUpperCase();
    const suffix = tok(c, 'typeSuffix')?.image.toUpperCase();
    const args = toks(c, 'typeArg').map((t) => Number(t.image));
    let name = TYPE_NAMES[word];
    if (word === 'INTERVAL') {
      this.err(Codes.NOT_SUPPORTED, 'INTERVAL is not supported as a column or parameter type; it exists only in expressions', span);
      name = 'BIGINT';
    } else if (!name) {
      const hint = nearestType(word);
      this.err(Codes.UNKNOWN_TYPE, `unknown type ${word}${hint ? `; did you mean ${hint}?` : ''}`, span);
      name = 'VARCHAR';
    }
    if (suffix === 'PRECISION' && name !== 'DOUBLE') this.err(Codes.UNKNOWN_TYPE, `unknown type ${word} PRECISION`, span);
    if (suffix === 'VARYING') {
      if (name === 'CHAR') name = 'VARCHAR';
      else this.err(Codes.UNKNOWN_TYPE, `unknown type ${word} VARYING`, span);
    }
    const t: A.TypeName = { kind: 'typeName', name, span };
    this.typeArguments(t, args, span);
    return t;
  }

  private typeArguments(t: A.TypeName, args: number[], span: A.Span): void {
    if (args.length === 0) return;
    if (args.some((a) => !Number.isInteger(a))) {
      this.err(Codes.BAD_TYPE_ARGUMENT, `${t.name} takes whole numbers in parentheses`, span);
      return;
    }
    const sized = ['CHAR', 'VARCHAR', 'BINARY', 'VARBINARY'].includes(t.name);
    if (t.name === 'DECIMAL') {
      const [p, s = 0] = args as [number, number?];
      if (p < 1 || p > MAX_DECIMAL_PRECISION) {
        this.err(Codes.BAD_DECIMAL, `DECIMAL precision must be between 1 and ${MAX_DECIMAL_PRECISION}, not ${p}`, span);
      } else if (s > p) {
        this.err(Codes.BAD_DECIMAL, `DECIMAL scale ${s} is larger than its precision ${p}`, span);
      }
      t.precision = p;
      if (args.length > 1) t.scale = s;
    } else if (sized && args.length === 1) {
      if (args[0]! < 1) this.err(Codes.BAD_TYPE_ARGUMENT, `${t.name} length must be at least 1`, span);
      t.precision = args[0]!;
    } else if (t.name === 'TIMESTAMP' || t.name === 'TIME') {
      // TIMESTAMP(3): the only precision there is (milliseconds); accepted and dropped.
      if (args.length !== 1 || args[0]! > 3) this.err(Codes.BAD_TYPE_ARGUMENT, `${t.name} has millisecond precision: write ${t.name} or ${t.name}(3)`, span);
    } else {
      this.err(Codes.BAD_TYPE_ARGUMENT, `${t.name} takes no ${args.length === 1 ? 'length' : 'arguments'}`, span);
    }
  }

  pumpDefinition(c: Children, n: CstNode): A.CreatePump {
    return {
      kind: 'createPump',
      orReplace: false,
      name: this.v(node(c, 'qualifiedName')),
      stopped: tok(c, 'STOPPED') !== undefined,
      insert: this.v(node(c, 'insertStatement')),
      span: nodeSpan(n),
    };
  }

  insertStatement(c: Children, n: CstNode): A.InsertStatement {
    const cols = node(c, 'columnList');
    return {
      kind: 'insert',
      expedited: tok(c, 'EXPEDITED') !== undefined,
      target: this.v(node(c, 'qualifiedName')),
      ...(cols ? { columns: this.v<A.Identifier[]>(cols) } : {}),
      query: this.v(node(c, 'query')),
      span: nodeSpan(n),
    };
  }

  functionDefinition(c: Children, n: CstNode): A.CreateFunction {
    return {
      kind: 'createFunction',
      orReplace: false,
      name: this.v(node(c, 'qualifiedName')),
      parameters: nodes(c, 'parameterDefinition').map((p) => this.v<{ name: A.Identifier; type: A.TypeName }>(p)),
      returns: this.v(node(c, 'dataType')),
      characteristics: nodes(c, 'functionCharacteristic').map((w) => this.v<string>(w)),
      body: this.v(node(c, 'expression')),
      span: nodeSpan(n),
    };
  }

  functionCharacteristic(c: Children): string {
    return tok(c, 'word')!.image.toUpperCase();
  }

  parameterDefinition(c: Children): { name: A.Identifier; type: A.TypeName } {
    return { name: this.v(node(c, 'identifier')), type: this.v(node(c, 'dataType')) };
  }

  schemaDefinition(c: Children, n: CstNode): A.CreateSchema {
    return { kind: 'createSchema', orReplace: false, name: this.v(node(c, 'identifier')), span: nodeSpan(n) };
  }

  setSchema(c: Children, n: CstNode): A.SetSchema {
    const s = tok(c, 'StringLiteral');
    const name: A.Identifier | A.StringLiteral = s
      ? { kind: 'string', value: stringValue(s.image), unicode: false, span: tokenSpan(s) }
      : this.v(node(c, 'identifier'));
    return { kind: 'setSchema', name, span: nodeSpan(n) };
  }

  // ---- queries ----------------------------------------------------------------------------------------------------
  query(c: Children, n: CstNode): A.Query {
    const terms = nodes(c, 'queryTerm');
    const ops = toks(c, 'setOp');
    const quantifiers = toks(c, 'setQuantifier');
    let body = this.v<A.QueryBody>(terms[0]);
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      const next = terms[i + 1];
      if (!next) break;
      const q = quantifiers.find((t) => t.startOffset > op.startOffset && t.startOffset < offsetOf(next));
      const right = this.v<A.QueryBody>(next);
      body = {
        kind: 'setOperation',
        op: op.image.toUpperCase() as A.SetOperation['op'],
        all: q?.image.toUpperCase() === 'ALL',
        distinctWritten: q?.image.toUpperCase() === 'DISTINCT',
        left: body,
        right,
        span: joinSpans(body.span, right.span),
      };
    }
    const order = node(c, 'orderByClause');
    return { kind: 'query', body, orderBy: order ? this.v(order) : [], span: nodeSpan(n) };
  }

  queryTerm(c: Children): A.QueryBody {
    const s = node(c, 'select');
    return s ? this.v(s) : this.v(node(c, 'query'));
  }

  select(c: Children, n: CstNode): A.Select {
    const q = tok(c, 'quantifier');
    const from = node(c, 'fromClause');
    const where = node(c, 'where');
    const group = node(c, 'groupByClause');
    const stagger = node(c, 'staggerClause');
    const having = node(c, 'having');
    const windows = node(c, 'windowClause');
    return {
      kind: 'select',
      stream: tok(c, 'STREAM') !== undefined,
      ...(q ? { quantifier: q.image.toUpperCase() as 'ALL' | 'DISTINCT' } : {}),
      items: nodes(c, 'selectItem').map((i) => this.v<A.SelectItem>(i)),
      ...(from ? { from: this.v<A.FromItem>(from) } : {}),
      ...(where ? { where: this.v<A.Expr>(where) } : {}),
      ...(group ? { groupBy: this.v<A.Expr[]>(group) } : {}),
      ...(stagger ? { stagger: this.v<A.Stagger>(stagger) } : {}),
      ...(having ? { having: this.v<A.Expr>(having) } : {}),
      windows: windows ? this.v(windows) : [],
      span: nodeSpan(n),
    };
  }

  selectItem(c: Children, n: CstNode): A.SelectItem {
    const span = nodeSpan(n);
    if (tok(c, 'Star')) {
      const qualifier = node(c, 'starQualifier');
      return { kind: 'star', ...(qualifier ? { qualifier: this.v<A.Identifier>(qualifier) } : {}), span };
    }
    const alias = node(c, 'alias');
    return { kind: 'exprItem', expr: this.v(node(c, 'expression')), ...(alias ? { alias: this.v<A.Identifier>(alias) } : {}), span };
  }

  alias(c: Children): A.Identifier {
    return this.v(node(c, 'identifier'));
  }

  fromClause(c: Children): A.FromItem {
    const refs = nodes(c, 'tableReference');
    let left = this.v<A.FromItem>(refs[0]);
    // Comma-joined references and JOIN clauses interleave; put them back in source order.
    const rest = [...refs.slice(1), ...nodes(c, 'joinClause')].sort((a, b) => offsetOf(a) - offsetOf(b));
    for (const r of rest) {
      if (r.name === 'joinClause') {
        const j = this.v<Omit<A.Join, 'left'>>(r);
        left = { ...j, left, span: joinSpans(left.span, j.span) } as A.Join;
      } else {
        const right = this.v<A.Join['right']>(r);
        left = { kind: 'join', type: 'COMMA', explicitType: false, left, right, span: joinSpans(left.span, right.span) };
      }
    }
    return left;
  }

  joinClause(c: Children, n: CstNode): Omit<A.Join, 'left'> {
    const span = nodeSpan(n);
    const typeTok = tok(c, 'joinType');
    let type = (typeTok?.image.toUpperCase() ?? 'INNER') as A.Join['type'] | 'NATURAL';
    if (type === 'NATURAL') {
      this.err(Codes.NOT_SUPPORTED, 'NATURAL JOIN is not supported; write the join condition with ON', span);
      type = 'INNER';
    }
    if (tok(c, 'USING')) this.err(Codes.NOT_SUPPORTED, 'JOIN ... USING is not supported; write the join condition with ON', span);
    const on = node(c, 'expression');
    return {
      kind: 'join',
      type,
      explicitType: typeTok !== undefined,
      right: this.v(node(c, 'tableReference')),
      ...(on ? { on: this.v<A.Expr>(on) } : {}),
      span,
    };
  }

  tableReference(c: Children, n: CstNode): A.TableRef | A.DerivedTable | A.TableFunction {
    const primary = this.v<A.TableRef | A.DerivedTable | A.TableFunction>(node(c, 'tablePrimary'));
    const overs = nodes(c, 'overClause');
    if (overs.length > 1) this.err(Codes.SYNTAX, 'a stream in FROM takes one OVER window', nodeSpan(overs[1]!));
    const alias = node(c, 'alias');
    const cols = node(c, 'columnList');
    return {
      ...primary,
      ...(overs[0] ? { over: this.v<A.Over>(overs[0]) } : {}),
      ...(alias ? { alias: this.v<A.Identifier>(alias) } : {}),
      ...(cols ? { columnAliases: this.v<A.Identifier[]>(cols) } : {}),
      span: nodeSpan(n),
    };
  }

  tablePrimary(c: Children, n: CstNode): A.TableRef | A.DerivedTable | A.TableFunction {
    const span = nodeSpan(n);
    const name = node(c, 'qualifiedName');
    if (name) return { kind: 'tableRef', stream: tok(c, 'STREAM') !== undefined, name: this.v(name), span };
    const call = node(c, 'functionCall');
    if (call) {
      const e = this.v<A.Expr>(call);
      if (e.kind !== 'call') {
        this.err(Codes.BAD_SPECIAL_FORM, 'TABLE(...) takes a table function call, such as TABLE(RANDOM_CUT_FOREST(CURSOR(...)))', e.span);
        return { kind: 'tableFunction', call: { kind: 'call', name: { kind: 'identifier', text: 'ERROR', quoted: false, span }, star: false, args: [], span }, span };
      }
      return { kind: 'tableFunction', call: e, span };
    }
    return { kind: 'derivedTable', query: this.v(node(c, 'query')), span };
  }

  columnList(c: Children): A.Identifier[] {
    return nodes(c, 'identifier').map((i) => this.v<A.Identifier>(i));
  }

  groupByClause(c: Children): A.Expr[] {
    return nodes(c, 'expression').map((e) => this.v<A.Expr>(e));
  }

  staggerClause(c: Children, n: CstNode): A.Stagger {
    return { kind: 'stagger', partitionBy: nodes(c, 'partition').map((e) => this.v<A.Expr>(e)), range: this.v(node(c, 'range')), span: nodeSpan(n) };
  }

  windowClause(c: Children): A.WindowDefinition[] {
    return nodes(c, 'windowDefinition').map((w) => this.v<A.WindowDefinition>(w));
  }

  windowDefinition(c: Children, n: CstNode): A.WindowDefinition {
    return { kind: 'windowDefinition', name: this.v(node(c, 'identifier')), spec: this.v(node(c, 'windowSpecification')), span: nodeSpan(n) };
  }

  overClause(c: Children): A.Over {
    const spec = node(c, 'windowSpecification');
    return spec ? this.v(spec) : this.v(node(c, 'identifier'));
  }

  windowSpecification(c: Children, n: CstNode): A.WindowSpec {
    const base = node(c, 'base');
    const order = node(c, 'orderByClause');
    const frame = node(c, 'windowFrame');
    return {
      kind: 'windowSpec',
      ...(base ? { base: this.v<A.Identifier>(base) } : {}),
      partitionBy: nodes(c, 'partition').map((e) => this.v<A.Expr>(e)),
      orderBy: order ? this.v(order) : [],
      ...(frame ? { frame: this.v<A.WindowFrame>(frame) } : {}),
      span: nodeSpan(n),
    };
  }

  windowFrame(c: Children, n: CstNode): A.WindowFrame {
    const end = node(c, 'end');
    return {
      kind: 'windowFrame',
      unit: tok(c, 'frameUnit')!.image.toUpperCase() as 'RANGE' | 'ROWS',
      start: this.v(node(c, 'start')),
      ...(end ? { end: this.v<A.FrameBound>(end) } : {}),
      span: nodeSpan(n),
    };
  }

  frameBound(c: Children, n: CstNode): A.FrameBound {
    const span = nodeSpan(n);
    if (tok(c, 'CURRENT')) return { kind: 'frameBound', type: 'CURRENT ROW', span };
    const dir = tok(c, 'direction')!.image.toUpperCase() as 'PRECEDING' | 'FOLLOWING';
    if (tok(c, 'UNBOUNDED')) return { kind: 'frameBound', type: `UNBOUNDED ${dir}`, span };
    return { kind: 'frameBound', type: dir, offset: this.v(node(c, 'offset')), span };
  }

  orderByClause(c: Children): A.OrderItem[] {
    return nodes(c, 'orderItem').map((o) => this.v<A.OrderItem>(o));
  }

  orderItem(c: Children, n: CstNode): A.OrderItem {
    const dir = tok(c, 'direction');
    const nulls = tok(c, 'nulls');
    return {
      kind: 'orderItem',
      expr: this.v(node(c, 'expression')),
      ...(dir ? { direction: dir.image.toUpperCase() as 'ASC' | 'DESC' } : {}),
      ...(nulls ? { nulls: nulls.image.toUpperCase() as 'FIRST' | 'LAST' } : {}),
      span: nodeSpan(n),
    };
  }

  // ---- expressions ------------------------------------------------------------------------------------------------
  private fold(operands: A.Expr[], ops: A.BinaryOperator[]): A.Expr {
    let left = operands[0]!;
    for (let i = 1; i < operands.length; i++) {
      const right = operands[i]!;
      left = this.expr({ kind: 'binary', op: ops[i - 1]!, left, right, span: joinSpans(left.span, right.span) }, left, right);
    }
    return left;
  }

  expression(c: Children): A.Expr {
    const parts = nodes(c, 'andExpression').map((e) => this.v<A.Expr>(e));
    return this.fold(parts, parts.map(() => 'OR'));
  }

  andExpression(c: Children): A.Expr {
    const parts = nodes(c, 'notExpression').map((e) => this.v<A.Expr>(e));
    return this.fold(parts, parts.map(() => 'AND'));
  }

  notExpression(c: Children): A.Expr {
    let e = this.v<A.Expr>(node(c, 'predicate'));
    const nots = toks(c, 'NOT');
    for (let i = nots.length - 1; i >= 0; i--) {
      e = this.expr({ kind: 'not', operand: e, span: joinSpans(tokenSpan(nots[i]!), e.span) }, e);
    }
    return e;
  }

  predicate(c: Children): A.Expr {
    let e = this.v<A.Expr>(node(c, 'concatExpression'));
    for (const s of nodes(c, 'predicateSuffix')) e = this.suffix(e, s.children as Children, nodeSpan(s));
    return e;
  }

  /** One postfix predicate applied to `left`: comparison, IS, BETWEEN, IN, LIKE, SIMILAR TO, a temporal predicate. */
  private suffix(left: A.Expr, c: Children, span: A.Span): A.Expr {
    const whole = joinSpans(left.span, span);
    const not = tok(c, 'NOT') !== undefined;
    const cmp = node(c, 'comparisonOperator');
    if (cmp) {
      const right = this.v<A.Expr>(node(c, 'right'));
      const op = this.v<A.BinaryOperator>(cmp);
      return this.expr({ kind: 'binary', op, left, right, span: whole }, left, right);
    }
    const isWhat = tok(c, 'isWhat');
    if (isWhat) return this.expr({ kind: 'is', not, what: isWhat.image.toUpperCase() as A.IsExpr['what'], operand: left, span: whole }, left);
    if (tok(c, 'BETWEEN')) {
      const low = this.v<A.Expr>(node(c, 'low'));
      const high = this.v<A.Expr>(node(c, 'high'));
      const sym = tok(c, 'symmetry');
      return this.expr(
        { kind: 'between', not, ...(sym ? { symmetric: sym.image.toUpperCase() as 'SYMMETRIC' } : {}), operand: left, low, high, span: whole },
        left, low, high,
      );
    }
    if (tok(c, 'IN')) {
      const q = node(c, 'query');
      if (q) return this.expr({ kind: 'in', not, operand: left, query: this.v<A.Query>(q), span: whole }, left);
      const list = nodes(c, 'inItem').map((e) => this.v<A.Expr>(e));
      return this.expr({ kind: 'in', not, operand: left, list, span: whole }, left, ...list);
    }
    const temporal = tok(c, 'temporalOp');
    if (temporal) {
      const mod = tok(c, 'temporalModifier');
      const op = `${mod ? `${mod.image.toUpperCase()} ` : ''}${temporal.image.toUpperCase()}`;
      const right = this.v<A.Expr>(node(c, 'period'));
      if (!(TEMPORAL_OPERATORS as readonly string[]).includes(op)) {
        this.err(Codes.BAD_SPECIAL_FORM, `${op} is not a temporal predicate; STRICTLY goes with CONTAINS, OVERLAPS, PRECEDES, SUCCEEDS, LEADS, LAGS and IMMEDIATELY with PRECEDES, SUCCEEDS, LEADS, LAGS`, joinSpans(tokenSpan(mod!), tokenSpan(temporal)));
      }
      return this.expr({ kind: 'temporal', op: op as A.TemporalOperator, left, right, span: whole }, left, right);
    }
    const op = tok(c, 'likeOp')!.image.toUpperCase() === 'LIKE' ? 'LIKE' : 'SIMILAR TO';
    const pattern = this.v<A.Expr>(node(c, 'pattern'));
    const esc = node(c, 'escape');
    const escape = esc ? this.v<A.Expr>(esc) : undefined;
    return this.expr({ kind: 'like', not, op, operand: left, pattern, ...(escape ? { escape } : {}), span: whole }, left, pattern, escape);
  }

  predicateSuffix(): never {
    throw new Error('predicateSuffix is read by predicate()');
  }

  comparisonOperator(c: Children): A.BinaryOperator {
    const t = Object.values(c)[0]![0] as IToken;
    return (t.image === '!=' ? '<>' : t.image) as A.BinaryOperator;
  }

  concatExpression(c: Children): A.Expr {
    const parts = nodes(c, 'additiveExpression').map((e) => this.v<A.Expr>(e));
    return this.fold(parts, parts.map(() => '||'));
  }

  additiveExpression(c: Children): A.Expr {
    return this.fold(nodes(c, 'operand').map((e) => this.v<A.Expr>(e)), toks(c, 'operator').map((t) => t.image as A.BinaryOperator));
  }

  multiplicativeExpression(c: Children): A.Expr {
    return this.fold(nodes(c, 'operand').map((e) => this.v<A.Expr>(e)), toks(c, 'operator').map((t) => t.image as A.BinaryOperator));
  }

  unaryExpression(c: Children): A.Expr {
    let e = this.v<A.Expr>(node(c, 'primary'));
    const signs = toks(c, 'sign');
    for (let i = signs.length - 1; i >= 0; i--) {
      e = this.expr({ kind: 'unary', op: signs[i]!.image as '-' | '+', operand: e, span: joinSpans(tokenSpan(signs[i]!), e.span) }, e);
    }
    return e;
  }

  primary(c: Children, n: CstNode): A.Expr {
    if (tok(c, 'subqueryOpen')) {
      return this.expr({ kind: 'subquery', query: this.v(node(c, 'query')), span: nodeSpan(n) });
    }
    const child = Object.values(c).find((v) => v && v.length > 0)![0] as CstNode;
    return this.v(child);
  }

  parenthesized(c: Children, n: CstNode): A.Expr {
    const inner = this.v<A.Expr>(node(c, 'expression'));
    const q = node(c, 'intervalQualifier');
    const endNode = node(c, 'periodEnd');
    if (endNode) {
      // `(start, end)` is a period: the same node as PERIOD(start, end)
      const end = this.v<A.Expr>(endNode);
      if (q) this.err(Codes.BAD_SPECIAL_FORM, 'a period (start, end) takes no interval qualifier', nodeSpan(q));
      return this.expr({ kind: 'period', start: inner, end, span: nodeSpan(n) }, inner, end);
    }
    if (!q) return inner;
    const { unit, precision, toUnit } = this.v<Qualifier>(q);
    return this.expr(
      { kind: 'intervalQualified', operand: inner, unit, ...(precision !== undefined ? { precision } : {}), ...(toUnit ? { toUnit } : {}), span: nodeSpan(n) },
      inner,
    );
  }

  intervalQualifier(c: Children): Qualifier {
    const p = tok(c, 'precision');
    const to = tok(c, 'toUnit');
    return {
      unit: tok(c, 'unit')!.image.toUpperCase() as A.TimeUnit,
      ...(p ? { precision: Number(p.image) } : {}),
      ...(to ? { toUnit: to.image.toUpperCase() as A.TimeUnit } : {}),
    };
  }

  columnReference(c: Children, n: CstNode): A.Expr {
    return this.expr({ kind: 'column', parts: this.v(node(c, 'qualifiedName')), span: nodeSpan(n) });
  }

  functionCall(c: Children, n: CstNode): A.Expr {
    const span = nodeSpan(n);
    const name = this.v<A.Identifier>(node(c, 'name'));
    const args = nodes(c, 'argument').map((a) => this.v<Arg>(a));
    const seps = nodes(c, 'separator').map((s) => (Object.values(s.children)[0]![0] as IToken).image.toUpperCase());
    const over = node(c, 'overClause');
    const q = tok(c, 'quantifier');
    const upper = name.quoted ? '' : name.text.toUpperCase();
    const special = this.specialForm(upper, args, seps, span);
    if (special) {
      if (over) this.err(Codes.BAD_SPECIAL_FORM, `${upper}(...) cannot take an OVER window`, nodeSpan(over));
      return special;
    }
    const bad = seps.find((s) => s !== ',');
    if (bad) this.err(Codes.BAD_SPECIAL_FORM, `${bad} is not expected in a call to ${name.text}; separate arguments with commas`, span);
    for (const a of args) {
      if (a.side) this.err(Codes.BAD_SPECIAL_FORM, `${a.side} is only used in TRIM`, a.span);
    }
    const exprs = args.map((a) => a.expr ?? nullAt(a.span));
    return this.expr(
      {
        kind: 'call',
        name,
        ...(q ? { quantifier: q.image.toUpperCase() as 'DISTINCT' | 'ALL' } : {}),
        star: tok(c, 'Star') !== undefined,
        args: exprs,
        ...(over ? { over: this.v<A.Over>(over) } : {}),
        span,
      },
      ...exprs,
    );
  }

  /** FLOOR/CEIL ... TO, STEP ... BY, EXTRACT, POSITION, SUBSTRING [SIMILAR], TRIM, OVERLAY, PERIOD; undefined for a plain call. */
  private specialForm(fn: string, args: Arg[], seps: string[], span: A.Span): A.Expr | undefined {
    const shape = seps.join(' ');
    const e = (i: number) => args[i]?.expr ?? nullAt(args[i]?.span ?? span);
    const usage = (how: string): A.Expr => {
      this.err(Codes.BAD_SPECIAL_FORM, `${fn} is written ${how}`, span);
      return nullAt(span);
    };
    switch (fn) {
      case 'FLOOR':
      case 'CEIL':
      case 'CEILING': {
        if (!seps.includes('TO')) return undefined;
        const unit = shape === 'TO' ? this.unitOf(args[1]) : undefined;
        if (!unit) return usage(`${fn}(expression TO unit), with unit one of YEAR, MONTH, DAY, HOUR, MINUTE, SECOND`);
        return this.expr({ kind: 'floor', fn: fn === 'FLOOR' ? 'FLOOR' : 'CEIL', operand: e(0), unit, span }, e(0));
      }
      case 'STEP':
        if (shape !== 'BY') return usage(`STEP(expression BY INTERVAL '...' unit)`);
        return this.expr({ kind: 'step', operand: e(0), width: e(1), span }, e(0), e(1));
      case 'EXTRACT': {
        const unit = shape === 'FROM' ? this.unitOf(args[0]) : undefined;
        if (!unit) return usage('EXTRACT(unit FROM expression)');
        return this.expr({ kind: 'extract', unit, operand: e(1), span }, e(1));
      }
      case 'POSITION': {
        // POSITION(a IN (b)) lexes as the predicate `a IN (b)`: read a one-item IN list back as the haystack.
        const only = args[0]?.expr;
        if (shape === '' && args.length === 1 && only?.kind === 'in' && !only.not && only.list?.length === 1) {
          return this.expr({ kind: 'position', needle: only.operand, haystack: only.list[0]!, span }, only.operand, only.list[0]);
        }
        if (shape !== 'IN') return usage('POSITION(search IN string)');
        return this.expr({ kind: 'position', needle: e(0), haystack: e(1), span }, e(0), e(1));
      }
      case 'PERIOD':
        if (shape !== ',') return usage('PERIOD(start, end)');
        return this.expr({ kind: 'period', start: e(0), end: e(1), span }, e(0), e(1));
      case 'SUBSTRING':
        if (shape === '' || shape === ',' || shape === ', ,') return undefined;
        if (shape === 'SIMILAR ESCAPE') {
          return this.expr({ kind: 'substringSimilar', operand: e(0), pattern: e(1), escape: e(2), span }, e(0), e(1), e(2));
        }
        if (shape.startsWith('SIMILAR')) return usage('SUBSTRING(string SIMILAR pattern ESCAPE escape)');
        if (shape !== 'FROM' && shape !== 'FROM FOR') return usage('SUBSTRING(string FROM start [FOR length])');
        return this.expr(
          { kind: 'substring', operand: e(0), from: e(1), ...(args[2] ? { for: e(2) } : {}), span },
          e(0), e(1), args[2] ? e(2) : undefined,
        );
      case 'TRIM':
        return this.trim(args, shape, span, usage);
      case 'OVERLAY':
        if (shape !== 'PLACING FROM' && shape !== 'PLACING FROM FOR') return usage('OVERLAY(string PLACING replacement FROM start [FOR length])');
        return this.expr(
          { kind: 'overlay', operand: e(0), placing: e(1), from: e(2), ...(args[3] ? { for: e(3) } : {}), span },
          e(0), e(1), e(2), args[3] ? e(3) : undefined,
        );
      default:
        return undefined;
    }
  }

  private trim(args: Arg[], shape: string, span: A.Span, usage: (how: string) => A.Expr): A.Expr {
    const first = args[0];
    if (shape === '' && first && !first.side && first.expr) {
      return this.expr({ kind: 'trim', operand: first.expr, span }, first.expr);
    }
    if (shape !== 'FROM' || !first || !args[1]?.expr || args[1].side) {
      return usage("TRIM([BOTH | LEADING | TRAILING] [characters] FROM string)");
    }
    const operand = args[1].expr;
    return this.expr(
      {
        kind: 'trim',
        ...(first.side ? { side: first.side } : {}),
        ...(first.expr ? { characters: first.expr } : {}),
        operand,
        span,
      },
      operand, first.expr,
    );
  }

  /** A bare, unquoted unit word such as MINUTE, parsed as a column name inside FLOOR/EXTRACT. */
  private unitOf(a: Arg | undefined): A.TimeUnit | undefined {
    const e = a?.expr;
    if (!e || e.kind !== 'column' || e.parts.length !== 1 || e.parts[0]!.quoted) return undefined;
    const u = e.parts[0]!.text.toUpperCase();
    return TIME_UNITS.has(u) ? (u as A.TimeUnit) : undefined;
  }

  argumentSeparator(): never {
    throw new Error('argumentSeparator is read by functionCall()');
  }

  callArgument(c: Children, n: CstNode): Arg {
    const side = tok(c, 'trimSide');
    const e = node(c, 'expression');
    return {
      ...(side ? { side: side.image.toUpperCase() as Arg['side'] } : {}),
      ...(e ? { expr: this.v<A.Expr>(e) } : {}),
      span: nodeSpan(n),
    };
  }

  caseExpression(c: Children, n: CstNode): A.Expr {
    const operand = node(c, 'operand');
    const whens = nodes(c, 'when').map((w) => this.v<A.Expr>(w));
    const thens = nodes(c, 'then').map((t) => this.v<A.Expr>(t));
    const els = node(c, 'else');
    const op = operand ? this.v<A.Expr>(operand) : undefined;
    const elseExpr = els ? this.v<A.Expr>(els) : undefined;
    return this.expr(
      {
        kind: 'case',
        ...(op ? { operand: op } : {}),
        whens: whens.map((when, i) => ({ when, then: thens[i] ?? nullAt(when.span) })),
        ...(elseExpr ? { else: elseExpr } : {}),
        span: nodeSpan(n),
      },
      op, elseExpr, ...whens, ...thens,
    );
  }

  castExpression(c: Children, n: CstNode): A.Expr {
    const operand = this.v<A.Expr>(node(c, 'expression'));
    return this.expr({ kind: 'cast', operand, type: this.v(node(c, 'dataType')), span: nodeSpan(n) }, operand);
  }

  cursorExpression(c: Children, n: CstNode): A.Expr {
    return this.expr({ kind: 'cursor', query: this.v(node(c, 'query')), span: nodeSpan(n) });
  }

  literal(c: Children, n: CstNode): A.Expr {
    const span = nodeSpan(n);
    const num = tok(c, 'NumberLiteral');
    if (num) return this.expr({ kind: 'number', text: num.image, span });
    const str = tok(c, 'StringLiteral');
    if (str) return this.expr({ kind: 'string', value: stringValue(str.image), unicode: false, span });
    const uni = tok(c, 'UnicodeString');
    if (uni) return this.unicodeLiteral(uni, tok(c, 'uescape'), span);
    const bin = tok(c, 'BinaryString');
    if (bin) return this.binaryLiteral(bin.image, span);
    if (tok(c, 'TRUE')) return this.expr({ kind: 'boolean', value: true, span });
    if (tok(c, 'FALSE')) return this.expr({ kind: 'boolean', value: false, span });
    if (tok(c, 'UNKNOWN')) return this.expr({ kind: 'boolean', value: null, span });
    if (tok(c, 'NULL')) return this.expr({ kind: 'null', span });
    const interval = node(c, 'intervalLiteral');
    if (interval) return this.v(interval);
    const type = tok(c, 'datetimeKind')!.image.toUpperCase() as A.DatetimeLiteral['type'];
    const text = stringValue(tok(c, 'datetimeText')!.image);
    if (!DATETIME_FORMATS[type].test(text)) {
      this.err(Codes.BAD_LITERAL, `${type} '${text}' is not a valid ${type}; write ${DATETIME_EXAMPLES[type]}`, span);
    }
    return this.expr({ kind: 'datetime', type, text, span });
  }

  private unicodeLiteral(t: IToken, esc: IToken | undefined, span: A.Span): A.Expr {
    const escape = esc ? stringValue(esc.image) : '\\';
    if (escape.length !== 1 || /[0-9A-Fa-f+'"\s]/.test(escape)) {
      this.err(Codes.BAD_LITERAL, 'UESCAPE takes one character that is not a hex digit, +, quote or space', span);
      return this.expr({ kind: 'string', value: '', unicode: true, span });
    }
    const raw = stringValue(t.image.slice(2));
    const decoded = decodeUnicode(raw, escape);
    if (decoded === undefined) {
      this.err(Codes.BAD_LITERAL, `bad escape in Unicode string literal; write ${escape}XXXX (4 hex digits) or ${escape}+XXXXXX`, span);
      return this.expr({ kind: 'string', value: '', unicode: true, span });
    }
    return this.expr({ kind: 'string', value: decoded, unicode: true, span });
  }

  private binaryLiteral(image: string, span: A.Span): A.Expr {
    const hex = image.slice(2, -1).replace(/\s+/g, '').toUpperCase();
    if (hex.length % 2 !== 0) this.err(Codes.BAD_LITERAL, 'a binary literal needs an even number of hex digits', span);
    return this.expr({ kind: 'binaryString', hex, span });
  }

  intervalLiteral(c: Children, n: CstNode): A.Expr {
    const span = nodeSpan(n);
    const text = stringValue(tok(c, 'StringLiteral')!.image);
    const { unit, precision, toUnit } = this.v<Qualifier>(node(c, 'intervalQualifier'));
    const lit: A.IntervalLiteral = {
      kind: 'interval',
      negative: tok(c, 'sign')?.image === '-',
      text,
      unit,
      ...(precision !== undefined ? { precision } : {}),
      ...(toUnit ? { toUnit } : {}),
      span,
    };
    const problem = intervalProblem(lit);
    if (problem) this.err(Codes.BAD_LITERAL, problem, span);
    return this.expr(lit);
  }

  // ---- names ------------------------------------------------------------------------------------------------------
  qualifiedName(c: Children): A.Identifier[] {
    return nodes(c, 'identifier').map((i) => this.v<A.Identifier>(i));
  }

  identifier(c: Children): A.Identifier {
    const q = tok(c, 'QuotedIdentifier');
    if (q) return { kind: 'identifier', text: q.image.slice(1, -1).replace(/""/g, '"'), quoted: true, span: tokenSpan(q) };
    const t = tok(c, 'Identifier');
    if (!t) return { kind: 'identifier', text: '?', quoted: false, span: { start: 0, end: 0, line: 1, column: 1 } };
    return { kind: 'identifier', text: t.image, quoted: false, span: tokenSpan(t) };
  }
}

interface Qualifier {
  unit: A.TimeUnit;
  precision?: number;
  toUnit?: A.TimeUnit;
}

interface Arg {
  side?: 'BOTH' | 'LEADING' | 'TRAILING';
  expr?: A.Expr;
  span: A.Span;
}

const nullAt = (span: A.Span): A.Expr => ({ kind: 'null', span });

export function stringValue(image: string): string {
  return image.slice(1, -1).replace(/''/g, "'");
}

function decodeUnicode(raw: string, esc: string): string | undefined {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch !== esc) {
      out += ch;
      continue;
    }
    if (raw[i + 1] === esc) {
      out += esc;
      i++;
      continue;
    }
    const m = raw[i + 1] === '+' ? /^[0-9A-Fa-f]{6}/.exec(raw.slice(i + 2)) : /^[0-9A-Fa-f]{4}/.exec(raw.slice(i + 1));
    if (!m) return undefined;
    const cp = parseInt(m[0], 16);
    if (cp > 0x10ffff) return undefined;
    out += String.fromCodePoint(cp);
    i += m[0].length + (raw[i + 1] === '+' ? 1 : 0);
  }
  return out;
}

const DATETIME_FORMATS: Record<A.DatetimeLiteral['type'], RegExp> = {
  TIMESTAMP: /^\s*\d{4}-\d{2}-\d{2}( \d{1,2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?\s*$/,
  DATE: /^\s*\d{4}-\d{2}-\d{2}\s*$/,
  TIME: /^\s*\d{1,2}:\d{2}(:\d{2}(\.\d{1,9})?)?\s*$/,
};
const DATETIME_EXAMPLES = { TIMESTAMP: "TIMESTAMP '2024-01-31 12:00:00'", DATE: "DATE '2024-01-31'", TIME: "TIME '12:00:00'" };

const UNIT_ORDER: A.TimeUnit[] = ['YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND'];

/** Checks the text of an INTERVAL literal against its qualifier: '10' SECOND, '1:30' MINUTE TO SECOND, '2 3:00' DAY TO MINUTE. */
export function intervalProblem(i: A.IntervalLiteral): string | undefined {
  const from = UNIT_ORDER.indexOf(i.unit);
  const to = i.toUnit ? UNIT_ORDER.indexOf(i.toUnit) : from;
  if (to < from) return `INTERVAL ${i.unit} TO ${i.toUnit} is backwards; the larger unit comes first`;
  const yearMonth = from <= 1;
  if (yearMonth && to > 1) return `INTERVAL ${i.unit} TO ${i.toUnit} mixes year-month and day-time units`;
  const body = i.text.trim().replace(/^[-+]/, '');
  const pattern = intervalPattern(from, to);
  if (!pattern.test(body)) {
    return `INTERVAL '${i.text}' ${i.unit}${i.toUnit ? ` TO ${i.toUnit}` : ''} does not match its qualifier (e.g. ${intervalExample(from, to)})`;
  }
  return undefined;
}

function intervalPattern(from: number, to: number): RegExp {
  // Fields after the first: YEAR-MONTH with '-', DAY HOUR with ' ', then ':' for the rest; seconds may have a fraction.
  let re = '\\d+';
  for (let u = from + 1; u <= to; u++) re += u === 1 ? '-\\d{1,2}' : u === 3 ? ' \\d{1,2}' : ':\\d{1,2}';
  if (to === 5) re += '(\\.\\d{1,3})?';
  return new RegExp(`^${re}$`);
}

function intervalExample(from: number, to: number): string {
  const parts = ['1', '-2', ' 3', ':04', ':05', ':06'];
  let s = "'" + '10';
  for (let u = from + 1; u <= to; u++) s += parts[u];
  s += `' ${UNIT_ORDER[from]}`;
  return to > from ? `${s} TO ${UNIT_ORDER[to]}` : s;
}

function nearestType(word: string): string | undefined {
  const names = Object.keys(TYPE_NAMES);
  if (word === 'STRING' || word === 'TEXT') return 'VARCHAR';
  if (word === 'FLOAT') return 'DOUBLE';
  if (word === 'LONG') return 'BIGINT';
  if (word === 'DATETIME') return 'TIMESTAMP';
  if (word === 'BOOL') return 'BOOLEAN';
  let best: string | undefined;
  let bestD = 3;
  for (const n of names) {
    const d = levenshtein(word, n);
    if (d < bestD) {
      best = n;
      bestD = d;
    }
  }
  return best;
}

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}
