/**
 * Which GROUP BY key is the time key, and what window it makes. KDA's tumbling windows are written as a non-decreasing
 * expression of ROWTIME in GROUP BY; the planner recognises the documented forms and turns them into fixed-width
 * buckets, so the operator computes bucket starts arithmetically instead of evaluating the expression per row:
 *
 * - `STEP(ROWTIME BY INTERVAL 'n' unit)`                  → width n·unit
 * - `FLOOR(ROWTIME TO unit)` / `CEIL(...)`                → width 1 unit (DAY and below)
 * - `FLOOR((ROWTIME - TIMESTAMP 'c') unit / k TO unit2)`  → width k·unit2, buckets aligned to c (the console idiom)
 * - `TUMBLE(ROWTIME, size)`, `HOP(ROWTIME, slide, size)`, `SESSION(ROWTIME, gap)` (the Flink-style extension)
 */
import type * as A from '../sql/ast.js';
import { canonical } from '../sql/bind/binder.js';
import { children } from '../sql/walk.js';
import { PlanError } from './errors.js';
import { datetimeMs, intervalMs, UNIT_MS } from './literals.js';
import type { GroupWindow } from './logical.js';

const isRowtime = (e: A.Expr): boolean => e.kind === 'column' && canonical(e.parts.at(-1)!) === 'ROWTIME' && e.parts.length <= 2;

function constantMs(e: A.Expr): number | undefined {
  if (e.kind === 'interval') return intervalMs(e);
  return undefined;
}

function unitMs(unit: A.TimeUnit, span: A.Span): number {
  const ms = UNIT_MS[unit];
  if (Number.isNaN(ms)) throw new PlanError(`windows of a ${unit} are not supported (months and years have no fixed length)`, span);
  return ms;
}

/** The window a GROUP BY key makes, or undefined when the key is not a function of ROWTIME. */
export function groupWindowOf(key: A.Expr, keyIndex: number): GroupWindow | undefined {
  if (key.kind === 'step' && isRowtime(key.operand)) {
    const width = constantMs(key.width);
    if (width === undefined || width <= 0) throw new PlanError('STEP needs a positive constant interval', key.width.span);
    return { kind: 'tumbling', widthMs: width, offsetMs: 0, keyIndex };
  }
  if (key.kind === 'floor' && isRowtime(key.operand)) return { kind: 'tumbling', widthMs: unitMs(key.unit, key.span), offsetMs: 0, keyIndex };
  if (key.kind === 'floor') return consoleIdiom(key, keyIndex);
  if (key.kind === 'call' && key.args[0] && isRowtime(key.args[0])) {
    const name = canonical(key.name);
    const ms = key.args.slice(1).map(constantMs);
    if (ms.some((x) => x === undefined || x <= 0)) throw new PlanError(`${name} needs positive constant intervals`, key.span);
    if (name === 'TUMBLE') return { kind: 'tumbling', widthMs: ms[0]!, offsetMs: 0, keyIndex };
    if (name === 'HOP') return { kind: 'hop', slideMs: ms[0]!, sizeMs: ms[1]!, keyIndex };
    if (name === 'SESSION') return { kind: 'session', gapMs: ms[0]!, keyIndex };
  }
  return undefined;
}

/** `FLOOR((ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10 TO SECOND)`: 10-second buckets. */
function consoleIdiom(key: A.FloorExpr, keyIndex: number): GroupWindow | undefined {
  const div = key.operand;
  if (div.kind !== 'binary' || div.op !== '/' || div.right.kind !== 'number') return undefined;
  const q = div.left;
  if (q.kind !== 'intervalQualified' || q.operand.kind !== 'binary' || q.operand.op !== '-') return undefined;
  const { left, right } = q.operand;
  if (!isRowtime(left) || right.kind !== 'datetime') return undefined;
  const k = Number(div.right.text);
  if (!(k > 0)) throw new PlanError('the bucket divisor must be positive', div.right.span);
  return { kind: 'tumbling', widthMs: k * unitMs(key.unit, key.span), offsetMs: datetimeMs(right), keyIndex };
}

/** Is this key some other non-decreasing function of ROWTIME, which the planner does not turn into a window? */
export function mentionsRowtime(e: A.Expr): boolean {
  return isRowtime(e) || children(e).some(mentionsRowtime);
}
