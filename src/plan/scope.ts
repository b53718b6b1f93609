/**
 * Names visible to expressions while planning one SELECT: the FROM items, each a run of columns at some position of
 * the node the expressions are evaluated over. The binder has already proven every name resolves; this only finds
 * where.
 */
import type { ColumnDef } from '../exec/arrow.js';
import type { SqlType } from '../sql/bind/types.js';

export interface ScopeColumn extends ColumnDef {
  /** ROWTIME and APPROXIMATE_ARRIVAL_TIME: readable by name, not part of `*`. */
  hidden: boolean;
}

export interface ScopeEntry {
  alias: string;
  columns: ScopeColumn[];
  /** Position of columns[0] in the node's schema. */
  offset: number;
}

export interface Scope {
  entries: ScopeEntry[];
  /** The node's own ROWTIME (for a stream join: the arriving row's), which an unqualified ROWTIME means. */
  rowtime?: number;
  /** Types of the node's columns, by position. */
  types: SqlType[];
}

/**
 * A column and, for a row-valued column, the fields read from it (`t.r.COLUMN1`, `r.COLUMN1`): the longest reading
 * that names a column wins, alias first, as the binder resolves it.
 */
export function resolveColumnPath(scope: Scope, parts: string[]): { index: number; type: SqlType; fields: string[] } | undefined {
  for (const take of [Math.min(2, parts.length), 1]) {
    const found = resolveColumn(scope, parts.slice(0, take));
    if (found) return { ...found, fields: parts.slice(take) };
  }
  return undefined;
}

export function resolveColumn(scope: Scope, parts: string[]): { index: number; type: SqlType } | undefined {
  if (parts.length === 1 && parts[0] === 'ROWTIME' && scope.rowtime !== undefined) return { index: scope.rowtime, type: scope.types[scope.rowtime]! };
  const [alias, name] = parts.length === 1 ? [undefined, parts[0]!] : [parts[0]!, parts[1]!];
  for (const entry of scope.entries) {
    if (alias !== undefined && entry.alias !== alias) continue;
    const k = entry.columns.findIndex((c) => c.name === name);
    if (k >= 0) return { index: entry.offset + k, type: entry.columns[k]!.type };
  }
  return undefined;
}
