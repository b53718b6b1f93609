/**
 * The parsing front door: text → tokens → CST → AST, with every failure turned into a diagnostic. Hostile input is
 * stopped before the recursive stages can be hurt by it: a size cap, a not-text check, and a nesting limit measured on
 * the flat token list, before the recursive-descent parser ever sees the tokens.
 */
import type { IRecognitionException, IToken, TokenType } from 'chevrotain';
import { sqlParser } from '../../grammar/parser.js';
import * as T from '../../grammar/tokens.js';
import type * as A from './ast.js';
import { AstBuilder, tokenSpan } from './build-ast.js';
import { Codes, error, spanAt, warning, type Code, type Diagnostic } from './diagnostics.js';

/** KDA's limit on application code. Longer code gets a warning: it would not have run on KDA. */
export const KDA_MAX_CODE_CHARS = 102_400;
/** Beyond this the input is not parsed at all (no real application is 1 MB of SQL). */
export const MAX_INPUT_CHARS = 1_048_576;
/** Parentheses and CASE nested deeper than this are refused before parsing (each level costs stack frames). */
export const MAX_NESTING = 100;
/** Syntax errors reported per pass; past this the input is probably not SQL, and more would only be noise. */
export const MAX_ERRORS = 20;

export interface ParseResult {
  /** Undefined when the input could not be read at all (too large, not text, nested too deep). */
  script?: A.Script;
  diagnostics: Diagnostic[];
}

export function parse(text: string): ParseResult {
  const diagnostics: Diagnostic[] = [];
  if (!precheck(text, diagnostics)) return { diagnostics };
  const tokens = lex(text, diagnostics);
  if (!checkNesting(tokens, diagnostics)) return { diagnostics };
  const parser = sqlParser();
  parser.input = tokens;
  let cst;
  try {
    cst = parser.script();
  } catch (e) {
    return { diagnostics: [...diagnostics, tooDeep(e, text)] };
  }
  // After an unterminated string, name or comment the input ends early; "found end of input" would only repeat that.
  const unterminated = diagnostics.some((d) => UNTERMINATED.some(([, code]) => code === d.code));
  const errors = firstPerStatement(
    parser.errors.filter((e) => !(unterminated && e.token.tokenType.name === 'EOF')),
    tokens,
  );
  const syntax = errors.slice(0, MAX_ERRORS).map((e) => syntaxDiagnostic(e, text, tokens));
  diagnostics.push(...syntax);
  if (errors.length > MAX_ERRORS) {
    diagnostics.push(error(Codes.TOO_MANY_ERRORS, `${errors.length - MAX_ERRORS} more syntax errors not shown`, syntax.at(-1)!.span));
  }
  if (syntax.length > 0 || unterminated) return { diagnostics: sortDiagnostics(diagnostics) };
  const builder = new AstBuilder();
  let script: A.Script;
  try {
    script = builder.build<A.Script>(cst);
  } catch (e) {
    return { diagnostics: [...diagnostics, tooDeep(e, text)] };
  }
  diagnostics.push(...builder.diagnostics);
  return { script, diagnostics: sortDiagnostics(diagnostics) };
}

function precheck(text: string, out: Diagnostic[]): boolean {
  if (text.length > MAX_INPUT_CHARS) {
    out.push(error(Codes.INPUT_TOO_LARGE, `input is ${text.length} characters; Sluice reads at most ${MAX_INPUT_CHARS} (KDA allowed ${KDA_MAX_CODE_CHARS})`, spanAt(text, 0, 1)));
    return false;
  }
  // NUL never appears in SQL text; other control characters (except whitespace) in quantity mean binary input.
  const nul = text.indexOf('\u0000');
  const controls = text.match(/[\u0001-\u0008\u000e-\u001f\ufffd]/g)?.length ?? 0;
  if (nul >= 0 || controls > 8) {
    const at = nul >= 0 ? nul : text.search(/[\u0001-\u0008\u000e-\u001f\ufffd]/);
    out.push(error(Codes.NOT_TEXT, 'input is not SQL text (it contains binary data)', spanAt(text, at, at + 1)));
    return false;
  }
  if (text.length > KDA_MAX_CODE_CHARS) {
    out.push(warning(Codes.INPUT_TOO_LARGE, `application code is ${text.length} characters; KDA allowed at most ${KDA_MAX_CODE_CHARS}`, spanAt(text, 0, 1)));
  }
  return true;
}

const UNTERMINATED: [TokenType, Code, string][] = [
  [T.UnterminatedString, Codes.UNTERMINATED_STRING, "string literal is not closed; add a ' (write '' for a quote inside it)"],
  [T.UnterminatedQuotedIdentifier, Codes.UNTERMINATED_IDENTIFIER, 'quoted name is not closed; add a "'],
  [T.UnterminatedComment, Codes.UNTERMINATED_COMMENT, 'comment is not closed; add */'],
];

/** Lexes, reporting unexpected characters and unterminated literals, and drops the tokens the parser cannot use. */
function lex(text: string, out: Diagnostic[]): IToken[] {
  const { tokens, errors } = T.tokenize(text);
  for (const e of errors.slice(0, MAX_ERRORS)) {
    const ch = text.slice(e.offset, e.offset + Math.min(e.length, 20));
    out.push(error(Codes.UNEXPECTED_CHARACTER, `unexpected character${e.length > 1 ? 's' : ''} '${ch}'`, { start: e.offset, end: e.offset + e.length, line: e.line, column: e.column }));
  }
  if (errors.length > MAX_ERRORS) {
    out.push(error(Codes.TOO_MANY_ERRORS, `${errors.length - MAX_ERRORS} more unexpected characters not shown`, spanAt(text, errors[MAX_ERRORS]!.offset)));
  }
  const kept: IToken[] = [];
  for (const t of tokens) {
    const u = UNTERMINATED.find(([type]) => type === t.tokenType);
    if (!u) {
      kept.push(t);
      continue;
    }
    const s = tokenSpan(t);
    out.push(error(u[1], u[2], { ...s, end: Math.min(s.end, s.start + 1) }));
  }
  return kept;
}

function checkNesting(tokens: IToken[], out: Diagnostic[]): boolean {
  let depth = 0;
  for (const t of tokens) {
    if (t.tokenType === T.LParen || t.tokenType === T.K.CASE) {
      if (++depth > MAX_NESTING) {
        out.push(error(Codes.TOO_DEEP, `nesting is deeper than ${MAX_NESTING} levels of parentheses or CASE`, tokenSpan(t)));
        return false;
      }
    } else if (t.tokenType === T.RParen || t.tokenType === T.K.END) {
      depth = Math.max(0, depth - 1);
    }
  }
  return true;
}

/** The last line of defence: a stack overflow anywhere in parsing becomes a diagnostic, not a crash. */
function tooDeep(e: unknown, text: string): Diagnostic {
  if (e instanceof RangeError) return error(Codes.TOO_DEEP, 'statement is nested too deeply to read', spanAt(text, 0, 1));
  throw e;
}

const RULE_NAMES: Record<string, string> = {
  script: 'a statement',
  statement: 'a statement',
  createStatement: 'STREAM, PUMP, FUNCTION or SCHEMA',
  expression: 'an expression',
  primary: 'an expression',
  tableReference: 'a stream, table or subquery',
  tablePrimary: 'a stream, table or subquery',
  selectItem: 'a select item',
  dataType: 'a type',
  identifier: 'a name',
  qualifiedName: 'a name',
  literal: 'a literal',
};

function describe(t: IToken): string {
  if (t.tokenType.name === 'EOF') return 'end of input';
  return `'${t.image.length > 30 ? `${t.image.slice(0, 30)}…` : t.image}'`;
}

/**
 * One syntax error per statement: after the first, chevrotain's recovery inside the same statement mostly reports
 * the consequences of the first. Statements are the stretches between semicolons.
 */
function firstPerStatement(errors: IRecognitionException[], tokens: IToken[]): IRecognitionException[] {
  const semicolons = tokens.filter((t) => t.tokenType === T.Semicolon).map((t) => t.startOffset);
  const statementOf = (e: IRecognitionException) => {
    const at = Number.isNaN(e.token.startOffset) ? Infinity : e.token.startOffset;
    let lo = 0;
    let hi = semicolons.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (semicolons[mid]! < at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const seen = new Set<number>();
  return errors.filter((e) => {
    const s = statementOf(e);
    if (seen.has(s)) return false;
    seen.add(s);
    return true;
  });
}

function syntaxDiagnostic(e: IRecognitionException, text: string, tokens: IToken[]): Diagnostic {
  const t = e.token;
  const atEnd = t.tokenType.name === 'EOF' || Number.isNaN(t.startOffset);
  // At end of input, point just past the last token (where the missing text belongs).
  const prev = (e as IRecognitionException & { previousToken?: IToken }).previousToken;
  const span = atEnd
    ? prev && !Number.isNaN(prev.startOffset)
      ? { ...tokenSpan(prev), start: prev.endOffset! + 1, end: prev.endOffset! + 2, column: (prev.endColumn ?? 0) + 1 }
      : spanAt(text, Math.max(0, text.length - 1), text.length)
    : tokenSpan(t);
  const word = atEnd ? '' : t.image.toUpperCase();
  if (TEMPORAL_WORDS.has(word) && t.tokenType.name === word) return error(Codes.SYNTAX, temporalHint(word), span);
  const unsupported = atEnd ? undefined : notSupported(e, t);
  if (unsupported) return error(Codes.NOT_SUPPORTED, unsupported, span);
  // `FROM s LIMIT 10` reads LIMIT as an alias and fails on 10: the word before the error is the one to explain.
  const before = atEnd ? undefined : tokenBefore(tokens, t);
  const previous = before && NOT_SUPPORTED_WORDS[before.image.toUpperCase()];
  if (before && previous) return error(Codes.NOT_SUPPORTED, previous, tokenSpan(before));
  return error(Codes.SYNTAX, friendly(e, t), span);
}

function tokenBefore(tokens: IToken[], t: IToken): IToken | undefined {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid]!.startOffset < t.startOffset) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? tokens[lo - 1] : undefined;
}

/** The words of temporal predicates: used without a period after them, they get a hint on how to write one. */
const TEMPORAL_WORDS = new Set(['CONTAINS', 'OVERLAPS', 'EQUALS', 'PRECEDES', 'SUCCEEDS', 'LEADS', 'LAGS', 'STRICTLY', 'IMMEDIATELY']);
function temporalHint(word: string): string {
  return `${word} is a temporal predicate: it compares two periods, written PERIOD(start, end) ${word === 'STRICTLY' || word === 'IMMEDIATELY' ? `${word} PRECEDES` : word} PERIOD(start, end)`;
}
/** Words that start a construct KDA SQL does not have (or Sluice does not have yet): say so instead of "unexpected". */
const NOT_SUPPORTED_WORDS: Record<string, string> = {
  LIMIT: 'LIMIT is not part of KDA SQL: a stream has no end to count from (filter with WHERE, or rank in a window)',
  FETCH: 'FETCH FIRST is not part of KDA SQL: a stream has no end to count from',
  OFFSET: 'OFFSET is not part of KDA SQL: a stream has no end to count from',
  ROLLUP: 'ROLLUP is not supported; write one GROUP BY per grouping',
  CUBE: 'CUBE is not supported; write one GROUP BY per grouping',
  GROUPING: 'GROUPING SETS are not supported; write one GROUP BY per grouping',
  WITH: 'WITH (common table expressions) is not supported; use a subquery in FROM, or a stream filled by another pump',
  VALUES: 'VALUES is not supported: a pump inserts the result of SELECT STREAM ...',
  DELETE: 'application code creates streams, pumps and functions; DELETE is not supported',
  UPDATE: 'application code creates streams, pumps and functions; UPDATE is not supported',
  MERGE: 'application code creates streams, pumps and functions; MERGE is not supported',
  DROP: 'DROP is not supported in application code: edit the code instead (KDA replaced it as a whole)',
};
const CREATE_WHAT: Record<string, string> = {
  TABLE: 'CREATE TABLE is not supported: an application declares in-application streams (CREATE STREAM); reference tables come from the configuration',
  VIEW: 'CREATE VIEW is not supported: use CREATE STREAM and a pump',
  INDEX: 'CREATE INDEX is not supported',
};

function notSupported(e: IRecognitionException, t: IToken): string | undefined {
  const word = t.image.toUpperCase();
  if (e.context?.ruleStack?.at(-1) === 'createStatement' && CREATE_WHAT[word]) return CREATE_WHAT[word];
  return NOT_SUPPORTED_WORDS[word];
}

function friendly(e: IRecognitionException, t: IToken): string {
  const found = describe(t);
  const m = /Expecting token of type --> (\w+) <--/.exec(e.message);
  if (m) return `expected ${tokenLabel(m[1]!)} but found ${found}`;
  const rule = e.context?.ruleStack?.at(-1);
  if (e.name === 'NotAllInputParsedException') return `unexpected ${found}; expected the end of a statement (;)`;
  const what = rule ? RULE_NAMES[rule] : undefined;
  if (what) return `expected ${what} but found ${found}`;
  const expecting = /one of these possible Token sequences:\s*([\s\S]*?)\s*but found/.exec(e.message);
  if (expecting) {
    const options = [...new Set([...expecting[1]!.matchAll(/\[([^\]]+)\]/g)].map((x) => x[1]!.split(',')[0]!.trim()))].slice(0, 6);
    return `unexpected ${found}; expected ${[...new Set(options.map(tokenLabel))].join(', ')}`;
  }
  return `unexpected ${found}`;
}

const TOKEN_LABELS: Record<string, string> = {
  LParen: "'('", RParen: "')'", Comma: "','", Semicolon: "';'", Dot: "'.'", Star: "'*'",
  Identifier: 'a name', QuotedIdentifier: 'a name', StringLiteral: 'a string', NumberLiteral: 'a number',
  EOF: 'the end of input', UnicodeString: "a u&'...' string", BinaryString: "an X'...' literal",
  Plus: "'+'", Minus: "'-'", Slash: "'/'", Concat: "'||'", Less: "'<'", Greater: "'>'",
  TimeUnit: 'a time unit (YEAR, MONTH, DAY, HOUR, MINUTE, SECOND)', Equals: "'='",
};

function tokenLabel(name: string): string {
  return TOKEN_LABELS[name] ?? name;
}

export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return ds.sort((a, b) => a.span.start - b.span.start);
}
