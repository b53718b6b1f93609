/**
 * The typed AST of KDA SQL. Every node carries the source span it came from, so the binder can point at the exact
 * text a diagnostic is about. Names keep their spelling and whether they were quoted; folding unquoted names to upper
 * case is the binder's job (the formatter must be able to print a name back as it was written).
 */

/** A source range: `start` inclusive and `end` exclusive (UTF-16 offsets); line and column (1-based) of `start`. */
export interface Span {
  start: number;
  end: number;
  line: number;
  column: number;
}

export interface Node {
  span: Span;
}

export interface Identifier extends Node {
  kind: 'identifier';
  /** As written, without the quotes (`""` inside a quoted name already turned into `"`). */
  text: string;
  quoted: boolean;
}

// ---- statements ----------------------------------------------------------------------------------------------------
export type Statement =
  | CreateStream
  | CreatePump
  | CreateFunction
  | CreateSchema
  | SetSchema
  | InsertStatement
  | QueryStatement;

export interface Script extends Node {
  kind: 'script';
  statements: Statement[];
}

export interface CreateStream extends Node {
  kind: 'createStream';
  orReplace: boolean;
  name: Identifier[];
  columns: ColumnDefinition[];
  description?: string;
}

export interface ColumnDefinition extends Node {
  kind: 'columnDefinition';
  name: Identifier;
  type: TypeName;
  notNull: boolean;
}

/** The most digits a DECIMAL holds in KDA. */
export const MAX_DECIMAL_PRECISION = 19;

export type TypeKeyword =
  | 'BOOLEAN' | 'TINYINT' | 'SMALLINT' | 'INTEGER' | 'BIGINT' | 'REAL' | 'DOUBLE' | 'DECIMAL'
  | 'CHAR' | 'VARCHAR' | 'BINARY' | 'VARBINARY' | 'DATE' | 'TIME' | 'TIMESTAMP';

export interface TypeName extends Node {
  kind: 'typeName';
  /** Canonical: INT → INTEGER, DOUBLE PRECISION → DOUBLE, NUMERIC/DEC → DECIMAL, CHARACTER VARYING → VARCHAR. */
  name: TypeKeyword;
  /** Length of CHAR/VARCHAR/BINARY/VARBINARY, or the precision of DECIMAL. */
  precision?: number;
  scale?: number;
}

export interface CreatePump extends Node {
  kind: 'createPump';
  orReplace: boolean;
  name: Identifier[];
  stopped: boolean;
  insert: InsertStatement;
}

export interface InsertStatement extends Node {
  kind: 'insert';
  expedited: boolean;
  target: Identifier[];
  columns?: Identifier[];
  query: Query;
}

export interface CreateFunction extends Node {
  kind: 'createFunction';
  orReplace: boolean;
  name: Identifier[];
  parameters: { name: Identifier; type: TypeName }[];
  returns: TypeName;
  /** LANGUAGE SQL, DETERMINISTIC, ...: upper-case words, kept for printing; they change nothing. */
  characteristics: string[];
  body: Expr;
}

export interface CreateSchema extends Node {
  kind: 'createSchema';
  orReplace: boolean;
  name: Identifier;
}

export interface SetSchema extends Node {
  kind: 'setSchema';
  /** `SET SCHEMA 'name'` (a string) or `SET SCHEMA name`. */
  name: Identifier | StringLiteral;
}

export interface QueryStatement extends Node {
  kind: 'queryStatement';
  query: Query;
}

// ---- queries -------------------------------------------------------------------------------------------------------
export interface Query extends Node {
  kind: 'query';
  body: QueryBody;
  orderBy: OrderItem[];
}

export type QueryBody = Select | SetOperation | Query;

export interface SetOperation extends Node {
  kind: 'setOperation';
  op: 'UNION' | 'EXCEPT' | 'INTERSECT';
  /** `UNION ALL` (the only one streams support) or UNION [DISTINCT]. */
  all: boolean;
  /** Whether DISTINCT was written out (kept for printing). */
  distinctWritten: boolean;
  left: QueryBody;
  right: QueryBody;
}

export interface Select extends Node {
  kind: 'select';
  stream: boolean;
  quantifier?: 'ALL' | 'DISTINCT';
  items: SelectItem[];
  from?: FromItem;
  where?: Expr;
  groupBy?: Expr[];
  stagger?: Stagger;
  having?: Expr;
  windows: WindowDefinition[];
}

export type SelectItem = StarItem | ExprItem;

export interface StarItem extends Node {
  kind: 'star';
  qualifier?: Identifier;
}

export interface ExprItem extends Node {
  kind: 'exprItem';
  expr: Expr;
  alias?: Identifier;
}

export interface Stagger extends Node {
  kind: 'stagger';
  partitionBy: Expr[];
  range: Expr;
}

export interface WindowDefinition extends Node {
  kind: 'windowDefinition';
  name: Identifier;
  spec: WindowSpec;
}

export interface WindowSpec extends Node {
  kind: 'windowSpec';
  base?: Identifier;
  partitionBy: Expr[];
  orderBy: OrderItem[];
  frame?: WindowFrame;
}

export interface WindowFrame extends Node {
  kind: 'windowFrame';
  unit: 'RANGE' | 'ROWS';
  start: FrameBound;
  /** Present only for BETWEEN ... AND ... */
  end?: FrameBound;
}

export interface FrameBound extends Node {
  kind: 'frameBound';
  type: 'UNBOUNDED PRECEDING' | 'UNBOUNDED FOLLOWING' | 'CURRENT ROW' | 'PRECEDING' | 'FOLLOWING';
  offset?: Expr;
}

export interface OrderItem extends Node {
  kind: 'orderItem';
  expr: Expr;
  direction?: 'ASC' | 'DESC';
  nulls?: 'FIRST' | 'LAST';
}

/** OVER (...) inline or OVER w by name. */
export type Over = WindowSpec | Identifier;

// ---- FROM ----------------------------------------------------------------------------------------------------------
export type FromItem = TableRef | DerivedTable | TableFunction | Join;

interface Aliased {
  alias?: Identifier;
  columnAliases?: Identifier[];
  over?: Over;
}

export interface TableRef extends Node, Aliased {
  kind: 'tableRef';
  /** `FROM STREAM s` (the SQLstream spelling) or plain `FROM s`. */
  stream: boolean;
  name: Identifier[];
}

export interface DerivedTable extends Node, Aliased {
  kind: 'derivedTable';
  query: Query;
}

export interface TableFunction extends Node, Aliased {
  kind: 'tableFunction';
  call: FunctionCall;
}

export interface Join extends Node {
  kind: 'join';
  type: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'CROSS' | 'COMMA';
  /** Whether the join type was written (`JOIN` vs `INNER JOIN`), kept for printing. */
  explicitType: boolean;
  left: FromItem;
  right: TableRef | DerivedTable | TableFunction;
  on?: Expr;
}

// ---- expressions ---------------------------------------------------------------------------------------------------
export type Expr =
  | NumberLiteral
  | StringLiteral
  | BinaryLiteral
  | BooleanLiteral
  | NullLiteral
  | IntervalLiteral
  | DatetimeLiteral
  | ColumnRef
  | BinaryExpr
  | UnaryExpr
  | NotExpr
  | IsExpr
  | BetweenExpr
  | InExpr
  | LikeExpr
  | CaseExpr
  | CastExpr
  | FunctionCall
  | FloorExpr
  | StepExpr
  | ExtractExpr
  | PositionExpr
  | SubstringExpr
  | SubstringSimilarExpr
  | PeriodExpr
  | TemporalExpr
  | TrimExpr
  | OverlayExpr
  | CursorExpr
  | SubqueryExpr
  | IntervalQualified;

export interface NumberLiteral extends Node {
  kind: 'number';
  /** As written (`1.50`, `1e3`): the text decides the type (exact DECIMAL vs approximate DOUBLE). */
  text: string;
}

export interface StringLiteral extends Node {
  kind: 'string';
  value: string;
  /** `u&'...'` (printed back as such, with `\XXXX` escapes for non-ASCII characters). */
  unicode: boolean;
}

export interface BinaryLiteral extends Node {
  kind: 'binaryString';
  hex: string;
}

export interface BooleanLiteral extends Node {
  kind: 'boolean';
  value: boolean | null;
}

export interface NullLiteral extends Node {
  kind: 'null';
}

export type TimeUnit = 'YEAR' | 'MONTH' | 'DAY' | 'HOUR' | 'MINUTE' | 'SECOND';

export interface IntervalLiteral extends Node {
  kind: 'interval';
  negative: boolean;
  text: string;
  unit: TimeUnit;
  precision?: number;
  toUnit?: TimeUnit;
}

export interface DatetimeLiteral extends Node {
  kind: 'datetime';
  type: 'TIMESTAMP' | 'DATE' | 'TIME';
  text: string;
}

export interface ColumnRef extends Node {
  kind: 'column';
  /** `col`, `alias.col`, `alias.rowcol.FIELD`. */
  parts: Identifier[];
}

export type BinaryOperator = 'OR' | 'AND' | '=' | '<>' | '<' | '<=' | '>' | '>=' | '||' | '+' | '-' | '*' | '/' | '%';

export interface BinaryExpr extends Node {
  kind: 'binary';
  op: BinaryOperator;
  left: Expr;
  right: Expr;
}

export interface UnaryExpr extends Node {
  kind: 'unary';
  op: '-' | '+';
  operand: Expr;
}

export interface NotExpr extends Node {
  kind: 'not';
  operand: Expr;
}

export interface IsExpr extends Node {
  kind: 'is';
  not: boolean;
  what: 'NULL' | 'TRUE' | 'FALSE' | 'UNKNOWN';
  operand: Expr;
}

export interface BetweenExpr extends Node {
  kind: 'between';
  not: boolean;
  symmetric?: 'SYMMETRIC' | 'ASYMMETRIC';
  operand: Expr;
  low: Expr;
  high: Expr;
}

export interface InExpr extends Node {
  kind: 'in';
  not: boolean;
  operand: Expr;
  list?: Expr[];
  query?: Query;
}

export interface LikeExpr extends Node {
  kind: 'like';
  not: boolean;
  op: 'LIKE' | 'SIMILAR TO';
  operand: Expr;
  pattern: Expr;
  escape?: Expr;
}

export interface CaseExpr extends Node {
  kind: 'case';
  operand?: Expr;
  whens: { when: Expr; then: Expr }[];
  else?: Expr;
}

export interface CastExpr extends Node {
  kind: 'cast';
  operand: Expr;
  type: TypeName;
}

export interface FunctionCall extends Node {
  kind: 'call';
  name: Identifier;
  quantifier?: 'DISTINCT' | 'ALL';
  /** COUNT(*) */
  star: boolean;
  args: Expr[];
  over?: Over;
}

/** FLOOR(x TO unit) / CEIL(x TO unit). FLOOR(x) without TO is an ordinary call. */
export interface FloorExpr extends Node {
  kind: 'floor';
  fn: 'FLOOR' | 'CEIL';
  operand: Expr;
  unit: TimeUnit;
}

/** STEP(x BY interval) */
export interface StepExpr extends Node {
  kind: 'step';
  operand: Expr;
  width: Expr;
}

export interface ExtractExpr extends Node {
  kind: 'extract';
  unit: TimeUnit;
  operand: Expr;
}

export interface PositionExpr extends Node {
  kind: 'position';
  needle: Expr;
  haystack: Expr;
}

export interface SubstringExpr extends Node {
  kind: 'substring';
  operand: Expr;
  from: Expr;
  for?: Expr;
}

/** SUBSTRING(s SIMILAR pattern ESCAPE e): the part of s that the SIMILAR TO pattern's `e"`-quoted middle matches. */
export interface SubstringSimilarExpr extends Node {
  kind: 'substringSimilar';
  operand: Expr;
  pattern: Expr;
  escape: Expr;
}

/** PERIOD(start, end): the operand of a temporal predicate. */
export interface PeriodExpr extends Node {
  kind: 'period';
  start: Expr;
  end: Expr;
}

/** The 17 temporal predicates of the KDA reference: 7 of standard SQL and 10 extensions. */
export const TEMPORAL_OPERATORS = [
  'CONTAINS', 'OVERLAPS', 'EQUALS', 'PRECEDES', 'SUCCEEDS', 'IMMEDIATELY PRECEDES', 'IMMEDIATELY SUCCEEDS',
  'LEADS', 'LAGS', 'STRICTLY CONTAINS', 'STRICTLY OVERLAPS', 'STRICTLY PRECEDES', 'STRICTLY SUCCEEDS',
  'STRICTLY LEADS', 'STRICTLY LAGS', 'IMMEDIATELY LEADS', 'IMMEDIATELY LAGS',
] as const;
export type TemporalOperator = (typeof TEMPORAL_OPERATORS)[number];

/** `PERIOD(s1, e1) op PERIOD(s2, e2)`: BOOLEAN. */
export interface TemporalExpr extends Node {
  kind: 'temporal';
  op: TemporalOperator;
  left: Expr;
  right: Expr;
}

export interface TrimExpr extends Node {
  kind: 'trim';
  side?: 'BOTH' | 'LEADING' | 'TRAILING';
  characters?: Expr;
  operand: Expr;
}

export interface OverlayExpr extends Node {
  kind: 'overlay';
  operand: Expr;
  placing: Expr;
  from: Expr;
  for?: Expr;
}

export interface CursorExpr extends Node {
  kind: 'cursor';
  query: Query;
}

export interface SubqueryExpr extends Node {
  kind: 'subquery';
  query: Query;
}

/** `(t1 - t2) SECOND`, `(t1 - t2) MINUTE TO SECOND`: a datetime difference read as an interval. */
export interface IntervalQualified extends Node {
  kind: 'intervalQualified';
  operand: Expr;
  unit: TimeUnit;
  precision?: number;
  toUnit?: TimeUnit;
}
