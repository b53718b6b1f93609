/**
 * Input that is not SQL, or is SQL built to hurt: every case gives diagnostics with codes and spans, never an
 * exception or a hang (the recursion in the parser, AST builder, binder and formatter is bounded before it starts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkApplication, Codes, render } from '../../src/sql/index.js';
import { MAX_INPUT_CHARS } from '../../src/sql/parse.js';
import { tokenize } from '../../grammar/tokens.js';
import { config, read, sqlFiles } from './helpers.js';

function check(code: string) {
  const t0 = performance.now();
  const r = checkApplication(code, config);
  const ms = performance.now() - t0;
  for (const d of r.diagnostics) {
    expect(d.code).toMatch(/^SQL\d{3}$/);
    expect(d.span.start).toBeGreaterThanOrEqual(0);
    expect(d.span.end).toBeGreaterThanOrEqual(d.span.start);
    expect(d.span.end).toBeLessThanOrEqual(code.length + 1);
    render(d, code); // rendering never throws either
  }
  // Error codes only: very long inputs also get the KDA size warning.
  return { ...r, ms, codes: r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code) };
}

const pump = (select: string) => `CREATE OR REPLACE STREAM s (a INTEGER);\nCREATE OR REPLACE PUMP p AS INSERT INTO s SELECT STREAM ${select} FROM "SOURCE_SQL_STREAM_001";`;

/** A fixed pseudo-random sequence (xorshift32): the same garbage on every run. */
function xorshift(seed: number): () => number {
  let state = seed;
  return () => ((state ^= state << 13), (state ^= state >>> 17), (state ^= state << 5), state >>> 0);
}

describe('hostile input', () => {
  it('binary data is reported as not text', () => {
    const next = xorshift(0x2545f491);
    const bytes = Buffer.from(Array.from({ length: 64 * 1024 }, () => next() & 0xff));
    const r = check(bytes.toString('latin1'));
    expect(r.ok).toBe(false);
    expect(r.codes).toEqual([Codes.NOT_TEXT]);
    expect(check(bytes.toString('utf8')).codes).toEqual([Codes.NOT_TEXT]);
  });

  it('10 MB of garbage is refused at once', () => {
    const garbage = 'x$%^ ('.repeat((10 * 1024 * 1024) / 6);
    const r = check(garbage);
    expect(r.codes).toEqual([Codes.INPUT_TOO_LARGE]);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]!.message).toContain(String(MAX_INPUT_CHARS));
    expect(r.ms).toBeLessThan(2000);
  });

  it('close to a megabyte of printable garbage parses to a bounded list of errors', () => {
    const next = xorshift(0x9e3779b9);
    const text = Array.from({ length: 900_000 }, () => String.fromCharCode(32 + (next() % 95))).join('');
    const r = check(text);
    expect(r.ok).toBe(false);
    expect(r.diagnostics.length).toBeLessThanOrEqual(45);
    expect(r.codes).toContain(Codes.TOO_MANY_ERRORS);
  });

  it('long application code gets the KDA size warning but is still checked', () => {
    const code = `${pump('QUANTITY')}\n${'-- padding\n'.repeat(10_000)}`;
    const r = check(code);
    expect(r.ok).toBe(true);
    expect(r.codes).toEqual([]);
    expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual([[Codes.INPUT_TOO_LARGE, 'warning']]);
  });

  it('unbalanced quotes', () => {
    expect(check(pump("'abc")).codes).toEqual([Codes.UNTERMINATED_STRING]);
    expect(check(pump('"abc')).codes).toEqual([Codes.UNTERMINATED_IDENTIFIER]);
    expect(check(`${pump('1')} /* never closed`).codes).toEqual([Codes.UNTERMINATED_COMMENT]);
    expect(check("'''''''").codes).toEqual([Codes.SYNTAX, Codes.UNTERMINATED_STRING]);
    const r = check(pump(`'${"''".repeat(100_000)}`));
    expect(r.codes).toEqual([Codes.UNTERMINATED_STRING]);
  });

  it('10,000 nested parentheses', () => {
    const r = check(pump(`${'('.repeat(10_000)}1${')'.repeat(10_000)}`));
    expect(r.codes).toEqual([Codes.TOO_DEEP]);
    expect(r.diagnostics[0]!.span.line).toBe(2);
    expect(check(pump(`${'('.repeat(10_000)}1`)).codes).toEqual([Codes.TOO_DEEP]);
    expect(check(pump(`${'CASE WHEN TRUE THEN '.repeat(5_000)}1${' END'.repeat(5_000)}`)).codes).toEqual([Codes.TOO_DEEP]);
    expect(check(`SELECT STREAM * FROM ${'(SELECT STREAM * FROM '.repeat(2_000)}s${')'.repeat(2_000)}`).codes).toEqual([Codes.TOO_DEEP]);
  });

  it('nesting just under the limit still works', () => {
    const r = check(pump(`${'('.repeat(90)}QUANTITY${')'.repeat(90)}`));
    expect(r.diagnostics).toEqual([]);
  });

  it('long flat chains do not recurse: operators, NOTs and signs', () => {
    expect(check(pump(Array(500).fill('QUANTITY').join(' + '))).diagnostics).toEqual([]);
    const long = check(pump(Array(20_000).fill('1').join(' + ')));
    expect(long.codes).toEqual([Codes.TOO_DEEP]);
    expect(check(pump(`${'NOT '.repeat(20_000)}TRUE`)).codes).toContain(Codes.TOO_DEEP);
    expect(check(pump(`${'- '.repeat(20_000)}1`)).codes).toEqual([Codes.TOO_DEEP]);
  });

  it('stray closing parentheses and keywords', () => {
    const r = check(')))))) SELECT FROM WHERE GROUP BY ;;; CREATE PUMP AS INSERT');
    expect(r.ok).toBe(false);
    expect(r.codes.every((c) => c === Codes.SYNTAX)).toBe(true);
  });

  it('any string at all gives diagnostics, never an exception', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        check(s);
      }),
      { numRuns: 300 },
    );
  });

  it('any sequence of SQL-ish tokens gives diagnostics, never an exception', () => {
    const token = fc.constantFrom(
      'SELECT', 'STREAM', 'FROM', 'WHERE', 'GROUP', 'BY', '(', ')', ',', ';', '.', '*', '+', '-', '||', '=', '<>',
      'CREATE', 'PUMP', 'AS', 'INSERT', 'INTO', 'OVER', 'RANGE', 'INTERVAL', "'1'", 'SECOND', 'TO', 'FLOOR', 'ROWTIME',
      'CASE', 'WHEN', 'THEN', 'END', 'CAST', 'JOIN', 'ON', 'TABLE', 'CURSOR', 'x', '"Y"', '1', '2.5', 'NULL', 'NOT',
      'IN', 'BETWEEN', 'AND', 'OR', 'LIKE', 'WINDOW', 'PARTITION', 'ROWS', 'PRECEDING', 'u&\'a\'', 'WINDOWED', 'STAGGER',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), (tokens) => {
        check(tokens.join(' '));
      }),
      { numRuns: 500 },
    );
  });
});

describe('mutated real applications', () => {
  const apps = sqlFiles('apps').map((f) => read('apps', f));
  const words = ['TICKER', 'PRICE', '"log"', 'ROWTIME', 's.ROWTIME', 'COUNT(*)', "INTERVAL '1' MINUTE", 'AMOUNT', 'EVENT_TIME', '"CompanyName"', 'NULL', '1.5', "'x'", 'OVER w', 'GROUP BY', 'STREAM', ',', '(', ')', 'AS', 'FLOOR', 'CAST(', 'TO', 'ORDER BY', '*'];
  it('binding never throws on token-level mutations of the suite', () => {
    fc.assert(
      fc.property(
        fc.nat(apps.length - 1),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom('delete', 'duplicate', 'replace', 'swap'), fc.constantFrom(...words)), { minLength: 1, maxLength: 4 }),
        (which, mutations) => {
          const tokens = tokenize(apps[which]!).tokens.map((t) => t.image);
          for (const [at, kind, word] of mutations) {
            const i = at % tokens.length;
            if (kind === 'delete') tokens.splice(i, 1);
            else if (kind === 'duplicate') tokens.splice(i, 0, tokens[i]!);
            else if (kind === 'replace') tokens[i] = word;
            else if (i + 1 < tokens.length) [tokens[i], tokens[i + 1]] = [tokens[i + 1]!, tokens[i]!];
          }
          check(tokens.join(' '));
        },
      ),
      { numRuns: 1500 },
    );
  });
});
