/**
 * The logical plan: what a pump's query computes, with every name resolved to a column position and every
 * expression typed. Built from the bound AST by build.ts, rewritten by rules/, printed by explain.ts, and turned into
 * operators by exec/. Column 0 of every stream-valued node is ROWTIME.
 */
import type { SqlType } from '../sql/bind/types.js';
import type { ColumnDef } from '../exec/arrow.js';
import type { Value } from '../exec/values.js';

// ---- expressions ---------------------------------------------------------------------------------------------------
export type Expr = ColumnExpr | LiteralExpr | CallExpr | CaseExpr | CastExpr | SubqueryExpr;

/** A column of the node's input (of the concatenated inputs, for a join). */
export interface ColumnExpr {
  kind: 'column';
  index: number;
  type: SqlType;
}

export interface LiteralExpr {
  kind: 'literal';
  value: Value;
  type: SqlType;
}

/**
 * A scalar function or operator, by the name the function library knows it by (`+`, `=`, `AND`, `LIKE`, `UPPER`,
 * `FLOOR_TO`, ...). `CURRENT_ROW_TIMESTAMP` and the query-start times are calls the runtime answers.
 */
export interface CallExpr {
  kind: 'call';
  fn: string;
  args: Expr[];
  type: SqlType;
}

export interface CaseExpr {
  kind: 'case';
  whens: { when: Expr; then: Expr }[];
  else?: Expr;
  type: SqlType;
}

export interface CastExpr {
  kind: 'cast';
  operand: Expr;
  type: SqlType;
}

/**
 * An uncorrelated subquery over reference tables: `operand IN (SELECT ...)` (mode 'in', BOOLEAN, three-valued) or a
 * scalar `(SELECT ...)` (mode 'scalar'). `plan` is a table plan (Project/Filter over a table Scan) whose first column
 * is the subquery's value; its columns are its own, not the outer node's. The engine evaluates it once, when the
 * pump's operators are made (the tables are known then), into `rows`; the compiled expression reads those.
 */
export interface SubqueryExpr {
  kind: 'subquery';
  mode: 'in' | 'scalar';
  /** IN only: the value looked up, over the outer node's columns. */
  operand?: Expr;
  plan: Plan;
  /** The subquery's values (its first column), filled in by the engine before the expression is compiled. */
  rows?: Value[];
  type: SqlType;
}

// ---- aggregates ----------------------------------------------------------------------------------------------------
export interface AggregateCall {
  fn: string;
  /** Over the node's input columns. COUNT(*) has none. */
  args: Expr[];
  /** Constant trailing arguments (EXP_AVG's interval, LAG's and NTH_VALUE's n). */
  params: Value[];
  star: boolean;
  distinct: boolean;
  type: SqlType;
}

// ---- nodes ---------------------------------------------------------------------------------------------------------
export type Plan =
  | Scan
  | Filter
  | Project
  | Aggregate
  | SlidingAggregate
  | TableJoin
  | StreamJoin
  | Union
  | Distinct
  | Sort
  | GroupRank
  | SketchWindow;

interface NodeBase {
  /** Output columns; for a stream, column 0 is ROWTIME. */
  schema: ColumnDef[];
  /** Produces a stream (has ROWTIME) rather than a table. */
  stream: boolean;
}

/** Read an in-application stream, source stream or reference table by name. */
export interface Scan extends NodeBase {
  kind: 'scan';
  relation: string;
  relationKind: 'stream' | 'source' | 'table';
}

export interface Filter extends NodeBase {
  kind: 'filter';
  input: Plan;
  predicate: Expr;
}

/**
 * Compute the output columns. For a stream, exprs[0] is the ROWTIME: the input's column 0, or the `AS ROWTIME`
 * expression (then `rowtimeSet`, and a row whose ROWTIME would go backwards goes to error_stream).
 */
export interface Project extends NodeBase {
  kind: 'project';
  input: Plan;
  exprs: Expr[];
  rowtimeSet: boolean;
}

/** How an aggregate over a stream groups rows in time. */
export type GroupWindow =
  /** GROUP BY with STEP/FLOOR of ROWTIME: buckets [start, start + width) with start = floor((t − offset) / width) · width + offset. */
  | { kind: 'tumbling'; widthMs: number; offsetMs: number; /** which key is the time key (its value is the bucket start) */ keyIndex: number }
  /** TUMBLE/HOP (extension): windows of `sizeMs` every `slideMs`; the key at keyIndex is the window start. */
  | { kind: 'hop'; sizeMs: number; slideMs: number; keyIndex: number }
  /** SESSION (extension): a window per key closes after `gapMs` without rows. */
  | { kind: 'session'; gapMs: number; keyIndex: number }
  /** WINDOWED BY STAGGER: a window per key opens at its first row's ROWTIME and closes `rangeMs` later. */
  | { kind: 'stagger'; rangeMs: number };

/**
 * A grouped aggregate. Output: ROWTIME (window end), then the keys, then the aggregates (for a table input: keys
 * and aggregates only). A post-projection (select list, HAVING) is a separate Project/Filter above it.
 */
export interface Aggregate extends NodeBase {
  kind: 'aggregate';
  input: Plan;
  window?: GroupWindow;
  keys: Expr[];
  aggregates: AggregateCall[];
}

/** Aggregates OVER a sliding window: the input's columns, then one column per aggregate; one output row per input row. */
export interface SlidingAggregate extends NodeBase {
  kind: 'slidingAggregate';
  input: Plan;
  partitionBy: Expr[];
  frame: { unit: 'RANGE'; ms: number } | { unit: 'ROWS'; rows: number };
  aggregates: AggregateCall[];
}

/** A stream joined to a reference table by equality keys. Output: the stream's columns, then the table's. */
export interface TableJoin extends NodeBase {
  kind: 'tableJoin';
  type: 'INNER' | 'LEFT';
  input: Plan;
  table: Scan;
  /** Pairs of (stream column expr, table column expr over the table's columns). */
  streamKeys: Expr[];
  tableKeys: Expr[];
  /** Any other ON conditions, over the output columns. */
  residual?: Expr;
}

/** Two streams joined within windows. Output: ROWTIME, the left's columns, then the right's. */
export interface StreamJoin extends NodeBase {
  kind: 'streamJoin';
  type: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'CROSS';
  left: Plan;
  right: Plan;
  /** How far back each side's rows stay joinable; undefined: the side contributes its current row only. */
  leftWindow?: { unit: 'RANGE'; ms: number } | { unit: 'ROWS'; rows: number };
  rightWindow?: { unit: 'RANGE'; ms: number } | { unit: 'ROWS'; rows: number };
  leftKeys: Expr[];
  rightKeys: Expr[];
  residual?: Expr;
}

/** UNION ALL of streams with the same columns, merged in ROWTIME order. */
export interface Union extends NodeBase {
  kind: 'union';
  inputs: Plan[];
}

/**
 * SELECT STREAM DISTINCT: a row is passed on the first time its values are seen within the current value of
 * `bucketColumn` (a non-decreasing function of ROWTIME in the select list); the memory of seen rows is dropped when
 * that value changes.
 */
export interface Distinct extends NodeBase {
  kind: 'distinct';
  input: Plan;
  bucketColumn: number;
}

/**
 * ORDER BY on a stream: rows are held per time bucket (the first ORDER BY item, a tumbling bucket of ROWTIME) and
 * emitted sorted by the other keys when the bucket ends, all with ROWTIME = the bucket's end (so ROWTIME stays
 * non-decreasing).
 */
export interface Sort extends NodeBase {
  kind: 'sort';
  input: Plan;
  widthMs: number;
  offsetMs: number;
  keys: { index: number; descending: boolean; nullsFirst: boolean }[];
}

/**
 * GROUP_RANK: rows of equal ROWTIME form a group; each gets its RANK() by `column` (sortOrder) in a column appended
 * at the end; the group is emitted when a later ROWTIME or bound shows it complete, ordered by rank (outputOrder),
 * at most `outputMax` rows (0: all).
 */
export interface GroupRank extends NodeBase {
  kind: 'groupRank';
  input: Plan;
  column: number;
  descending: boolean;
  outputDescending: boolean;
  outputMax: number;
}

/**
 * COUNT_DISTINCT_ITEMS_TUMBLING / TOP_K_ITEMS_TUMBLING: a sketch of one column per tumbling window of `windowMs`,
 * emitted when the window ends (ROWTIME = its end). Output: ROWTIME, then NUMBER_OF_DISTINCT_ITEMS, or (value,
 * MOST_FREQUENT_VALUES) for each of the top k.
 */
export interface SketchWindow extends NodeBase {
  kind: 'sketchWindow';
  fn: 'COUNT_DISTINCT_ITEMS_TUMBLING' | 'TOP_K_ITEMS_TUMBLING';
  input: Plan;
  column: number;
  k: number;
  windowMs: number;
}

/** A pump: a query whose rows are inserted into `target`'s columns (the rest NULL). */
export interface PumpPlan {
  name: string;
  stopped: boolean;
  target: string;
  /** Target column positions (in the target stream's schema, ROWTIME = 0) filled by the plan's columns, in order. */
  targetColumns: number[];
  plan: Plan;
}
