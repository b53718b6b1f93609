/**
 * The KDA SQL lexer. Words are lexed as one `Identifier` token and then looked up in a keyword table (case-insensitive):
 * one regex for every word is both faster than a hundred keyword alternatives and gives case-insensitive keywords for
 * free. Hard keywords are reserved; soft keywords (time units, DESCRIPTION, STOPPED, ...) are in the `Identifier`
 * category, so they still work as names (`hour`, `description`) wherever the grammar does not expect the keyword.
 */
import { createToken, Lexer, type IToken, type TokenType } from 'chevrotain';

// ---- patterned tokens ------------------------------------------------------------------------------------------
export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f\v]+/, group: Lexer.SKIPPED });
export const LineComment = createToken({ name: 'LineComment', pattern: /--[^\n\r]*/, group: Lexer.SKIPPED });
export const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, group: Lexer.SKIPPED });
/** A `/*` never closed: lexed to the end of input so the front end reports it once, where it starts. */
export const UnterminatedComment = createToken({ name: 'UnterminatedComment', pattern: /\/\*[\s\S]*/ });

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_$#]*/ });
export const QuotedIdentifier = createToken({ name: 'QuotedIdentifier', pattern: /"(?:[^"]|"")*"/ });
export const UnterminatedQuotedIdentifier = createToken({ name: 'UnterminatedQuotedIdentifier', pattern: /"(?:[^"]|"")*/ });
/** `u&'...'`: a Unicode string literal with `\XXXX` escapes. Before Identifier so `u` is not lexed as a name. */
export const UnicodeString = createToken({ name: 'UnicodeString', pattern: /[uU]&'(?:[^']|'')*'/ });
export const BinaryString = createToken({ name: 'BinaryString', pattern: /[xX]'[0-9A-Fa-f\s]*'/ });
export const StringLiteral = createToken({ name: 'StringLiteral', pattern: /'(?:[^']|'')*'/ });
export const UnterminatedString = createToken({ name: 'UnterminatedString', pattern: /'(?:[^']|'')*/ });
export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?/,
});

export const NotEquals = createToken({ name: 'NotEquals', pattern: /<>|!=/ });
export const LessEquals = createToken({ name: 'LessEquals', pattern: /<=/ });
export const GreaterEquals = createToken({ name: 'GreaterEquals', pattern: />=/ });
export const Equals = createToken({ name: 'Equals', pattern: /=/ });
export const Less = createToken({ name: 'Less', pattern: /</ });
export const Greater = createToken({ name: 'Greater', pattern: />/ });
export const Concat = createToken({ name: 'Concat', pattern: /\|\|/ });
export const Plus = createToken({ name: 'Plus', pattern: /\+/ });
export const Minus = createToken({ name: 'Minus', pattern: /-/ });
export const Star = createToken({ name: 'Star', pattern: /\*/ });
export const Slash = createToken({ name: 'Slash', pattern: /\// });
export const Percent = createToken({ name: 'Percent', pattern: /%/ });
export const LParen = createToken({ name: 'LParen', pattern: /\(/ });
export const RParen = createToken({ name: 'RParen', pattern: /\)/ });
export const Comma = createToken({ name: 'Comma', pattern: /,/ });
export const Semicolon = createToken({ name: 'Semicolon', pattern: /;/ });
export const Dot = createToken({ name: 'Dot', pattern: /\./ });

// ---- keywords ----------------------------------------------------------------------------------------------------
const HARD = [
  'SELECT', 'STREAM', 'FROM', 'WHERE', 'GROUP', 'BY', 'HAVING', 'WINDOW', 'WINDOWED', 'ORDER', 'UNION', 'ALL',
  'DISTINCT', 'AS', 'ON', 'JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'OUTER', 'CROSS', 'CREATE', 'OR', 'REPLACE',
  'PUMP', 'FUNCTION', 'SCHEMA', 'SET', 'INSERT', 'INTO', 'TABLE', 'CURSOR', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END',
  'CAST', 'AND', 'NOT', 'NULL', 'IS', 'IN', 'LIKE', 'SIMILAR', 'BETWEEN', 'TRUE', 'FALSE', 'UNKNOWN', 'INTERVAL',
  'TIMESTAMP', 'DATE', 'TIME', 'OVER', 'PARTITION', 'RANGE', 'ROWS', 'PRECEDING', 'FOLLOWING', 'UNBOUNDED',
  'CURRENT', 'ROW', 'ASC', 'DESC', 'TO', 'FOR', 'VALUES', 'USING', 'NATURAL', 'EXCEPT', 'INTERSECT', 'BOTH',
  'LEADING', 'TRAILING',
] as const;
const SOFT = [
  'YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND', 'DESCRIPTION', 'PRECISION', 'VARYING', 'STOPPED', 'EXPEDITED',
  'STAGGER', 'RETURNS', 'RETURN', 'LANGUAGE', 'SQL', 'DETERMINISTIC', 'CONTAINS', 'PLACING', 'ESCAPE', 'SYMMETRIC', 'ASYMMETRIC', 'UESCAPE', 'NULLS', 'FIRST', 'LAST',
  // temporal predicates: soft, so `leads` or `equals` still work as names where no period follows
  'OVERLAPS', 'EQUALS', 'PRECEDES', 'SUCCEEDS', 'LEADS', 'LAGS', 'STRICTLY', 'IMMEDIATELY',
] as const;
export type HardKeyword = (typeof HARD)[number];
export type SoftKeyword = (typeof SOFT)[number];

/** The time units of INTERVAL qualifiers, FLOOR/CEIL ... TO and EXTRACT. */
export const TimeUnit = createToken({ name: 'TimeUnit', pattern: Lexer.NA });

function keyword(word: string, soft: boolean): TokenType {
  const unit = ['YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND'].includes(word);
  const categories = soft ? (unit ? [Identifier, TimeUnit] : [Identifier]) : [];
  return createToken({ name: word, pattern: Lexer.NA, categories, label: word });
}

export const KEYWORDS: Record<string, TokenType> = {};
for (const w of HARD) KEYWORDS[w] = keyword(w, false);
for (const w of SOFT) KEYWORDS[w] = keyword(w, true);
export const K = KEYWORDS as Record<HardKeyword | SoftKeyword, TokenType>;
export const SOFT_KEYWORDS: ReadonlySet<string> = new Set(SOFT);
export const HARD_KEYWORDS: ReadonlySet<string> = new Set(HARD);

/** Lexer order matters: longer and more specific patterns first. */
const LEXED: TokenType[] = [
  WhiteSpace, LineComment, BlockComment, UnterminatedComment,
  UnicodeString, BinaryString, StringLiteral, UnterminatedString, QuotedIdentifier, UnterminatedQuotedIdentifier,
  NumberLiteral, Identifier,
  NotEquals, LessEquals, GreaterEquals, Equals, Less, Greater, Concat, Plus, Minus, Star, Slash, Percent,
  LParen, RParen, Comma, Semicolon, Dot,
];

/** Every token type the parser knows (lexed ones, the abstract category and the keywords). */
export const ALL_TOKENS: TokenType[] = [...LEXED, TimeUnit, ...Object.values(KEYWORDS)];

// positionTracking "full" gives line and column for diagnostics; ensureOptimizations proves every pattern is
// first-character optimisable, which keeps lexing linear on big inputs.
export const SqlLexer = new Lexer(LEXED, { positionTracking: 'full', ensureOptimizations: true });

/** Lexes and turns identifier tokens that spell a keyword into that keyword. */
export function tokenize(text: string): { tokens: IToken[]; errors: { offset: number; line: number; column: number; length: number; message: string }[] } {
  const result = SqlLexer.tokenize(text);
  for (const t of result.tokens) {
    if (t.tokenType !== Identifier) continue;
    const kw = KEYWORDS[t.image.toUpperCase()];
    if (kw) {
      t.tokenType = kw;
      t.tokenTypeIdx = kw.tokenTypeIdx!;
    }
  }
  return {
    tokens: result.tokens,
    errors: result.errors.map((e) => ({
      offset: e.offset,
      line: e.line ?? 1,
      column: e.column ?? 1,
      length: e.length,
      message: e.message,
    })),
  };
}
