/**
 * AST expressions to plan expressions: names become column positions, operators and built-ins become calls the
 * function library knows by name, literals become run-time values, and sugar is removed (BETWEEN, IN lists, simple
 * CASE, NOT LIKE, user functions inlined). Types come from the binder.
 */
import type * as A from '../sql/ast.js';
import { canonical } from '../sql/bind/binder.js';
import { NILADIC } from '../sql/bind/functions.js';
import { BOOLEAN, INTERVAL, t, type SqlType } from '../sql/bind/types.js';
import type { Value } from '../exec/values.js';
import { PlanError } from './errors.js';
import { datetimeMs, hexBytes, intervalMs } from './literals.js';
import type { Expr, Plan } from './logical.js';
import { resolveColumnPath, type Scope } from './scope.js';

/** Lets a caller answer for a sub-expression first: group keys and aggregates after GROUP BY, window calls. */
export type Hook = (e: A.Expr) => Expr | undefined;

export const fnName = (id: A.Identifier): string => canonical(id);

export class ExprTranslator {
  /** Plans a subquery inside an expression (set by the query planner): a table plan whose first column is the value. */
  planSubquery?: (q: A.Query, span: A.Span) => Plan;

  constructor(
    private readonly types: Map<A.Expr, SqlType>,
    private readonly functions: Map<string, A.CreateFunction>,
  ) {}

  typeOf(e: A.Expr): SqlType {
    return this.types.get(e) ?? t('ANY');
  }

  translate(e: A.Expr, scope: Scope, hook?: Hook): Expr {
    const hooked = hook?.(e);
    if (hooked) return hooked;
    const tr = (x: A.Expr) => this.translate(x, scope, hook);
    const type = this.typeOf(e);
    const call = (fn: string, args: Expr[], ty: SqlType = type): Expr => ({ kind: 'call', fn, args, type: ty });
    const lit = (value: Value, ty: SqlType): Expr => ({ kind: 'literal', value, type: ty });
    switch (e.kind) {
      case 'number':
        return lit(Number(e.text), type);
      case 'string':
        return lit(e.value, type);
      case 'binaryString':
        return lit(hexBytes(e.hex), type);
      case 'boolean':
        return lit(e.value, BOOLEAN);
      case 'null':
        return lit(null, type);
      case 'interval':
        return lit(intervalMs(e), INTERVAL);
      case 'datetime':
        return lit(datetimeMs(e), type);
      case 'column':
        return this.column(e, scope, type);
      case 'binary':
        return call(e.op, [tr(e.left), tr(e.right)]);
      case 'unary':
        return e.op === '+' ? tr(e.operand) : call('NEG', [tr(e.operand)]);
      case 'not':
        return call('NOT', [tr(e.operand)]);
      case 'is':
        return call(`IS ${e.not ? 'NOT ' : ''}${e.what}`, [tr(e.operand)]);
      case 'between': {
        const x = tr(e.operand);
        const within = (lo: Expr, hi: Expr) => call('AND', [call('>=', [x, lo], BOOLEAN), call('<=', [x, hi], BOOLEAN)], BOOLEAN);
        const lo = tr(e.low);
        const hi = tr(e.high);
        const test = e.symmetric === 'SYMMETRIC' ? call('OR', [within(lo, hi), within(hi, lo)], BOOLEAN) : within(lo, hi);
        return e.not ? call('NOT', [test]) : test;
      }
      case 'in': {
        if (!e.list) {
          const test: Expr = { kind: 'subquery', mode: 'in', operand: tr(e.operand), plan: this.subquery(e.query!, e.span), type: BOOLEAN };
          return e.not ? call('NOT', [test], BOOLEAN) : test;
        }
        const x = tr(e.operand);
        const test = e.list.map((v) => call('=', [x, tr(v)], BOOLEAN)).reduce((a, b) => call('OR', [a, b], BOOLEAN));
        return e.not ? call('NOT', [test]) : test;
      }
      case 'like': {
        const test = call(e.op, [tr(e.operand), tr(e.pattern), ...(e.escape ? [tr(e.escape)] : [])], BOOLEAN);
        return e.not ? call('NOT', [test]) : test;
      }
      case 'case': {
        const operand = e.operand ? tr(e.operand) : undefined;
        return {
          kind: 'case',
          whens: e.whens.map((w) => ({ when: operand ? call('=', [operand, tr(w.when)], BOOLEAN) : tr(w.when), then: tr(w.then) })),
          ...(e.else ? { else: tr(e.else) } : {}),
          type,
        };
      }
      case 'cast':
        return { kind: 'cast', operand: tr(e.operand), type };
      case 'call':
        return this.functionCall(e, scope, hook, type);
      case 'floor':
        return call(`${e.fn}_TO`, [tr(e.operand), lit(e.unit, t('VARCHAR'))]);
      case 'step':
        return call('STEP', [tr(e.operand), tr(e.width)]);
      case 'extract':
        return call('EXTRACT', [lit(e.unit, t('VARCHAR')), tr(e.operand)]);
      case 'position':
        return call('POSITION', [tr(e.needle), tr(e.haystack)]);
      case 'substring':
        return call('SUBSTRING', [tr(e.operand), tr(e.from), ...(e.for ? [tr(e.for)] : [])]);
      case 'substringSimilar':
        return call('SUBSTRING_SIMILAR', [tr(e.operand), tr(e.pattern), tr(e.escape)]);
      case 'trim':
        return call('TRIM', [lit(e.side ?? 'BOTH', t('VARCHAR')), e.characters ? tr(e.characters) : lit(' ', t('VARCHAR')), tr(e.operand)]);
      case 'overlay':
        return call('OVERLAY', [tr(e.operand), tr(e.placing), tr(e.from), ...(e.for ? [tr(e.for)] : [])]);
      case 'intervalQualified':
        return call('INTERVAL_QUALIFIED', [tr(e.operand), lit(e.toUnit ?? e.unit, t('VARCHAR'))], INTERVAL);
      case 'temporal': {
        const ends = (p: A.Expr): Expr[] => (p.kind === 'period' ? [tr(p.start), tr(p.end)] : [tr(p), tr(p)]);
        return call(e.op, [...ends(e.left), ...ends(e.right)], BOOLEAN);
      }
      case 'subquery':
        return { kind: 'subquery', mode: 'scalar', plan: this.subquery(e.query, e.span), type };
      case 'period':
      case 'cursor':
        throw new PlanError(`${e.kind === 'period' ? 'PERIOD outside a temporal predicate' : 'CURSOR outside a table function'} is not supported`, e.span);
    }
  }

  private subquery(q: A.Query, span: A.Span): Plan {
    if (!this.planSubquery) throw new PlanError('a subquery is not supported here', span);
    return this.planSubquery(q, span);
  }

  private column(e: A.ColumnRef, scope: Scope, type: SqlType): Expr {
    const parts = e.parts.map(canonical);
    const found = resolveColumnPath(scope, parts);
    if (found) {
      let value: Expr = { kind: 'column', index: found.index, type: found.type };
      for (const field of found.fields) value = rowField(value, field, e.span);
      return value;
    }
    if (parts.length === 1 && !e.parts[0]!.quoted && NILADIC[parts[0]!]) return { kind: 'call', fn: parts[0]!, args: [], type };
    throw new PlanError(`cannot resolve ${parts.join('.')} here`, e.span);
  }

  private functionCall(e: A.FunctionCall, scope: Scope, hook: Hook | undefined, type: SqlType): Expr {
    const name = fnName(e.name);
    if (e.over) throw new PlanError(`${name}(...) OVER a window is not supported in this position`, e.span);
    const args = e.args.map((a) => this.translate(a, scope, hook));
    if (name === 'MONOTONIC') return args[0]!;
    const user = this.functions.get(name);
    if (user) return this.inline(user, args, scope, type);
    if (['RANDOM_CUT_FOREST', 'RANDOM_CUT_FOREST_WITH_EXPLANATION', 'HOTSPOTS'].includes(name)) {
      throw new PlanError(`${name} is not yet supported`, e.span);
    }
    return { kind: 'call', fn: name, args, type };
  }

  /** A SQL-bodied user function: its body, with each parameter replaced by the argument (then cast to its type). */
  private inline(f: A.CreateFunction, args: Expr[], scope: Scope, type: SqlType): Expr {
    const params = new Map(f.parameters.map((p, i) => [canonical(p.name), args[i]!]));
    const body = this.translate(f.body, scope, (x) => {
      if (x.kind !== 'column' || x.parts.length !== 1) return undefined;
      return params.get(canonical(x.parts[0]!));
    });
    return { kind: 'cast', operand: body, type };
  }
}

/**
 * A field of a row value (what the log-parsing functions return): `ROW_FIELD(row, position)`. Fields are found by
 * name in the row type, or as COLUMNn when the row's fields are known only at run time.
 */
function rowField(row: Expr, name: string, span: A.Span): Expr {
  const fields = row.type.fields;
  const k = fields ? fields.findIndex((f) => f.name === name) : /^COLUMN(\d+)$/.test(name) ? Number(name.slice(6)) - 1 : -1;
  if (k < 0) throw new PlanError(`the row has no field ${name}`, span);
  const type = fields ? fields[k]!.type : t('VARCHAR', 1024);
  return { kind: 'call', fn: 'ROW_FIELD', args: [row, { kind: 'literal', value: k, type: t('INTEGER') }], type };
}
