/**
 * fold_constants: a call or cast whose arguments are all literals becomes the literal it evaluates to, once, at plan
 * time (`INTERVAL '1' MINUTE * 5`, `'a' || 'b'`, `CAST('10' AS INTEGER)`). A call that would fail (division by zero)
 * is left alone so the failure happens per row, where error_stream reports it.
 */
import { castValue, SCALAR_FUNCTIONS } from '../../exec/functions/index.js';
import { SqlRuntimeError, type Value } from '../../exec/values.js';
import { deterministic } from '../expr-utils.js';
import type { Expr } from '../logical.js';
import { mapExpressions } from './map-plan.js';

const NOT_FOLDED = new Set(['CURRENT_TIMESTAMP', 'LOCALTIMESTAMP', 'CURRENT_DATE', 'CURRENT_TIME', 'LOCALTIME', 'CURRENT_ROW_TIMESTAMP']);

export const foldConstants = mapExpressions(fold);

export function fold(e: Expr): Expr {
  switch (e.kind) {
    case 'column':
    case 'literal':
      return e;
    case 'cast': {
      const operand = fold(e.operand);
      if (operand.kind !== 'literal') return { ...e, operand };
      return attempt(e, () => castValue(operand.value, operand.type, e.type));
    }
    case 'subquery':
      return { ...e, ...(e.operand ? { operand: fold(e.operand) } : {}), plan: foldConstants(e.plan) };
    case 'case':
      return { ...e, whens: e.whens.map((w) => ({ when: fold(w.when), then: fold(w.then) })), ...(e.else ? { else: fold(e.else) } : {}) };
    case 'call': {
      const args = e.args.map(fold);
      const call = { ...e, args };
      const f = SCALAR_FUNCTIONS.get(e.fn);
      if (!f || NOT_FOLDED.has(e.fn) || !deterministic(call) || !args.every((a) => a.kind === 'literal')) return call;
      const values = args.map((a) => (a as { value: Value }).value);
      if (f.nulls === 'strict' && values.some((v) => v === null)) return { kind: 'literal', value: null, type: e.type };
      return attempt(call, () => f.make(args.map((a) => a.type), e.type)(...values));
    }
  }
}

function attempt(e: Expr, evaluate: () => Value): Expr {
  try {
    return { kind: 'literal', value: evaluate(), type: e.type };
  } catch (err) {
    if (err instanceof SqlRuntimeError) return e;
    throw err;
  }
}
