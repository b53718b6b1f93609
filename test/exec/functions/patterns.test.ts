import { describe, expect, it } from 'vitest';
import { javaRegExp, javaRegexSource, javaReplacement, likeRegExp, similarRegExp } from '../../../src/exec/functions/patterns.js';
import { T, errorOf, fn } from './helpers.js';

const full = (re: string, s: string) => javaRegExp(re, 'full').exec(s)?.slice(1) ?? null;

describe('Java regex translation', () => {
  it('quoting, anchors, possessive and atomic forms, inline flags', () => {
    expect(full('\\Q(a.b)\\E(c)', '(a.b)c')).toEqual(['c']);
    expect(full('\\Aab\\z', 'ab')).toEqual([]);
    expect(full('(a++)b', 'aab')).toEqual(['aa']);
    expect(full('(?>a|ab)(c)', 'ac')).toEqual(['c']);
    expect(full('(?i)(abc)', 'ABC')).toEqual(['ABC']);
    expect(full('(\\p{Alpha}+)(\\p{Digit}+)', 'abc123')).toEqual(['abc', '123']);
    expect(full('([\\p{Upper}]+)\\h(x)', 'AB\tx')).toEqual(['AB', 'x']);
    expect(full('(?<word>\\w+)', 'hi')).toEqual(['hi']);
    expect(full('[]a](b)', ']b')).toEqual(['b']);
    expect(javaRegexSource('a*b+c?d{2}', true).source).toBe('a*?b+?c??d{2}?');
    expect(javaRegexSource('a*?b', true).source).toBe('a*?b');
    expect(javaRegexSource('(?:x)*', true).source).toBe('(?:x)*?');
  });

  it('rejects what it cannot translate', () => {
    expect(errorOf(() => javaRegExp('\\p{InGreek}', 'full'))).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => javaRegExp('a(?i)b', 'full'))).toBe('INVALID_ARGUMENT');
  });

  it('compiles each pattern once', () => {
    expect(javaRegExp('a+', 'full')).toBe(javaRegExp('a+', 'full'));
    expect(likeRegExp('a%')).toBe(likeRegExp('a%'));
    expect(similarRegExp('a|b')).toBe(similarRegExp('a|b'));
  });

  it('replacement strings', () => {
    expect(javaReplacement('$1-\\$-${n}-\\\\').js).toBe('$1-$$-$<n>-\\');
    const rr = fn('REGEX_REPLACE', [T.VARCHAR(), T.VARCHAR(), T.VARCHAR(), T.INTEGER, T.INTEGER], T.VARCHAR());
    expect(rr('ab', '(a)', '$12', 1, 0)).toBe('a2b');
    expect(rr('ab', '(a)', '$12', 1, 1)).toBe('a2b');
    expect(rr('ab', '(?<x>a)', '[${x}]', 1, 1)).toBe('[a]b');
  });
});

describe('MOD on DECIMAL', () => {
  it('rounds to the result scale', () => {
    expect(fn('MOD', [T.DEC(3, 1), T.DEC(3, 1)], T.DEC(3, 1))(0.3, 0.1)).toBe(0);
    expect(fn('MOD', [T.DEC(3, 1), T.DEC(3, 1)], T.DEC(3, 1))(5.5, 2)).toBe(1.5);
  });
});
