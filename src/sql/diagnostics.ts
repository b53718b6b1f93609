/**
 * Diagnostics: what the front end tells a user about their SQL. Each has a stable code (tests and tools branch on
 * it), a message in the user's terms, and the span of source text it is about; `render` prints the line with a caret.
 */
import type { Span } from './ast.js';

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  code: string;
  message: string;
  span: Span;
  severity: Severity;
}

/** Codes, grouped by the stage that raises them. */
export const Codes = {
  // input and lexing
  INPUT_TOO_LARGE: 'SQL001',
  NOT_TEXT: 'SQL002',
  UNTERMINATED_STRING: 'SQL003',
  UNTERMINATED_IDENTIFIER: 'SQL004',
  UNTERMINATED_COMMENT: 'SQL005',
  UNEXPECTED_CHARACTER: 'SQL006',
  TOO_DEEP: 'SQL007',
  TOO_MANY_ERRORS: 'SQL008',
  // parsing and the AST
  SYNTAX: 'SQL100',
  UNKNOWN_TYPE: 'SQL101',
  BAD_TYPE_ARGUMENT: 'SQL102',
  BAD_LITERAL: 'SQL103',
  BAD_SPECIAL_FORM: 'SQL104',
  NOT_SUPPORTED: 'SQL105',
  // names
  UNKNOWN_STREAM: 'SQL200',
  UNKNOWN_COLUMN: 'SQL201',
  AMBIGUOUS_COLUMN: 'SQL202',
  UNKNOWN_FUNCTION: 'SQL203',
  DUPLICATE_NAME: 'SQL204',
  ERROR_STREAM: 'SQL205',
  UNKNOWN_WINDOW: 'SQL206',
  NOT_WRITABLE: 'SQL207',
  UNKNOWN_ALIAS: 'SQL208',
  UNKNOWN_OUTPUT: 'SQL209',
  // types
  TYPE_MISMATCH: 'SQL300',
  BAD_ARGUMENTS: 'SQL301',
  NOT_ASSIGNABLE: 'SQL302',
  COLUMN_COUNT: 'SQL303',
  BAD_DECIMAL: 'SQL304',
  // streaming rules
  GROUP_BY_NEEDS_ROWTIME: 'SQL400',
  BAD_WINDOW: 'SQL401',
  ORDER_BY_NEEDS_TIME: 'SQL402',
  AGGREGATE_NEEDS_WINDOW: 'SQL403',
  NOT_GROUPED: 'SQL404',
  JOIN_NEEDS_WINDOW: 'SQL405',
  DISTINCT_IN_STREAM_GROUP: 'SQL406',
  QUERY_OUTSIDE_PUMP: 'SQL407',
  NOT_A_STREAM: 'SQL408',
  MISPLACED: 'SQL409',
} as const;

export type Code = (typeof Codes)[keyof typeof Codes];

export function error(code: Code, message: string, span: Span): Diagnostic {
  return { code, message, span, severity: 'error' };
}

export function warning(code: Code, message: string, span: Span): Diagnostic {
  return { code, message, span, severity: 'warning' };
}

/** The span of `text[start, end)`, computing line and column by scanning (for spans not built from tokens). */
export function spanAt(text: string, start: number, end = start + 1): Span {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < start && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { start, end: Math.max(end, start), line, column: start - lineStart + 1 };
}

const MAX_LINE = 160;

/**
 * `file:line:col: error CODE: message`, then the source line and a caret under the span (cut to one line, and to a
 * window of the line when it is very long, so a 10 MB single-line input still prints a short excerpt).
 */
export function render(d: Diagnostic, source: string, file = '<sql>'): string {
  const { line, column } = d.span;
  const head = `${file}:${line}:${column}: ${d.severity} ${d.code}: ${d.message}`;
  const lineStart = d.span.start - (column - 1);
  let lineEnd = source.indexOf('\n', lineStart);
  if (lineEnd < 0) lineEnd = source.length;
  let from = lineStart;
  let caretAt = column - 1;
  if (caretAt > MAX_LINE / 2) {
    from = d.span.start - MAX_LINE / 2;
    caretAt = MAX_LINE / 2;
  }
  const to = Math.min(lineEnd, from + MAX_LINE);
  const text = printable(source.slice(from, to).replace(/\r$/, ''));
  const width = Math.max(1, Math.min(d.span.end, to) - d.span.start);
  const gutter = String(line).length;
  const pad = ' '.repeat(gutter);
  return `${head}\n${pad} |\n${line} | ${text}\n${pad} | ${' '.repeat(caretAt)}${'^'.repeat(width)}\n`;
}

/** Control characters shown as `?` so binary input cannot garble a terminal; tabs become one space (keeps carets aligned). */
function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => (c === '\t' ? ' ' : '?'));
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'error');
}

/** Levenshtein distance, cut off early once it exceeds `max` (suggestions only care about near misses). */
export function editDistance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (cur[j]! < best) best = cur[j]!;
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The known name nearest to `name`, if it is a plausible typo: compared case-insensitively first (the most common
 * mistake is quoting: `"ticker"` vs `TICKER`), then by edit distance scaled to the name's length.
 */
export function nearest(name: string, known: Iterable<string>): string | undefined {
  const upper = name.toUpperCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  const limit = Math.max(1, Math.min(5, Math.floor(name.length / 3)));
  for (const k of known) {
    if (k === name) continue;
    if (k.toUpperCase() === upper) return k;
    const d = editDistance(upper, k.toUpperCase(), limit);
    if (d <= limit && d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** `; did you mean "X"?` or nothing. */
export function didYouMean(name: string, known: Iterable<string>): string {
  const n = nearest(name, known);
  return n === undefined ? '' : `; did you mean ${quoteName(n)}?`;
}

/** A name as the user would write it: bare when that folds back to the same name, else double-quoted. */
export function quoteName(name: string): string {
  return /^[A-Z_][A-Z0-9_$#]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}
