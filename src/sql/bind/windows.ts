/**
 * The window shapes KDA runs, and why the others are refused: a streaming window may only look back from the current
 * row (rows after it have not arrived), frames rows in arrival order (so ORDER BY inside it is meaningless), and an
 * aggregation window must hold more than the current row to be worth a window.
 */
import type * as A from '../ast.js';
import { isInteger, isUnknown, show, type SqlType } from './types.js';

export interface WindowProblem {
  message: string;
  span: A.Span;
}

export function checkFrame(spec: A.WindowSpec, aggregation: boolean, offsetTypes: Map<A.Expr, SqlType>): WindowProblem[] {
  const problems: WindowProblem[] = [];
  const add = (message: string, span: A.Span) => problems.push({ message, span });
  if (spec.orderBy.length > 0) {
    add('ORDER BY inside a window is not supported: a stream window frames rows in arrival (ROWTIME) order', spec.orderBy[0]!.span);
  }
  const f = spec.frame;
  if (!f) {
    add("a window over a stream needs a frame: RANGE INTERVAL '...' unit PRECEDING or ROWS n PRECEDING", spec.span);
    return problems;
  }
  for (const b of [f.start, f.end]) {
    if (!b) continue;
    if (b.type === 'UNBOUNDED FOLLOWING' || b.type === 'FOLLOWING') {
      add(`${b.type} is not supported: a stream window ends at the current row (later rows have not arrived)`, b.span);
    }
  }
  if (f.end && f.end.type !== 'CURRENT ROW' && f.end.type !== 'FOLLOWING' && f.end.type !== 'UNBOUNDED FOLLOWING') {
    add('offset windows (ending before the current row) are not supported; end the frame at CURRENT ROW', f.end.span);
  }
  const start = f.start;
  if (start.type === 'PRECEDING' && start.offset) checkOffset(f.unit, start.offset, offsetTypes.get(start.offset), aggregation, add);
  if (start.type === 'CURRENT ROW' && aggregation) {
    add('a window of only the current row aggregates nothing; use ROWS n PRECEDING or RANGE INTERVAL ... PRECEDING with n > 0', start.span);
  }
  return problems;
}

function checkOffset(unit: 'RANGE' | 'ROWS', offset: A.Expr, type: SqlType | undefined, aggregation: boolean, add: (m: string, s: A.Span) => void): void {
  const negative = (offset.kind === 'unary' && offset.op === '-') || (offset.kind === 'interval' && offset.negative);
  if (negative) {
    add('a window offset cannot be negative', offset.span);
    return;
  }
  if (unit === 'ROWS') {
    if (offset.kind !== 'number' || !/^\d+$/.test(offset.text)) {
      add(`ROWS takes a whole number of rows, e.g. ROWS 10 PRECEDING${type && !isUnknown(type) && !isInteger(type) ? `, not ${show(type)}` : ''}`, offset.span);
    } else if (Number(offset.text) === 0 && aggregation) {
      add('ROWS 0 PRECEDING frames only the current row; aggregate over n > 0 rows', offset.span);
    }
    return;
  }
  if (offset.kind !== 'interval') {
    add("RANGE takes an interval, e.g. RANGE INTERVAL '10' SECOND PRECEDING", offset.span);
    return;
  }
  if (aggregation && /^[\s+]*0+(\.0*)?\s*$/.test(offset.text)) add("RANGE INTERVAL '0' ... PRECEDING frames only rows at the same instant; use a positive interval", offset.span);
}
