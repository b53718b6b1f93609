/** Small generic helpers over the AST: an expression's direct children, and a copy without spans for comparisons. */
import type * as A from './ast.js';

/** The direct sub-expressions of `e` (not those inside subqueries or window specifications). */
export function children(e: A.Expr): A.Expr[] {
  switch (e.kind) {
    case 'binary':
      return [e.left, e.right];
    case 'unary':
    case 'not':
    case 'is':
    case 'cast':
    case 'floor':
    case 'extract':
    case 'intervalQualified':
      return [e.operand];
    case 'between':
      return [e.operand, e.low, e.high];
    case 'in':
      return [e.operand, ...(e.list ?? [])];
    case 'like':
      return [e.operand, e.pattern, ...(e.escape ? [e.escape] : [])];
    case 'case':
      return [...(e.operand ? [e.operand] : []), ...e.whens.flatMap((w) => [w.when, w.then]), ...(e.else ? [e.else] : [])];
    case 'call':
      return e.args;
    case 'step':
      return [e.operand, e.width];
    case 'position':
      return [e.needle, e.haystack];
    case 'substring':
      return [e.operand, e.from, ...(e.for ? [e.for] : [])];
    case 'substringSimilar':
      return [e.operand, e.pattern, e.escape];
    case 'period':
      return [e.start, e.end];
    case 'temporal':
      return [e.left, e.right];
    case 'trim':
      return [...(e.characters ? [e.characters] : []), e.operand];
    case 'overlay':
      return [e.operand, e.placing, e.from, ...(e.for ? [e.for] : [])];
    default:
      return [];
  }
}

/** A deep copy of an AST without spans (and without keys whose value is undefined), for structural comparison. */
export function stripSpans<T>(node: T): T {
  if (Array.isArray(node)) return node.map(stripSpans) as T;
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (k !== 'span' && v !== undefined) out[k] = stripSpans(v);
  return out as T;
}
