import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { T, errorOf, fn } from './helpers.js';

const V = T.VARCHAR();

describe('string built-ins', () => {
  it('lengths and case', () => {
    expect(fn('CHAR_LENGTH', [V], T.INTEGER)('héllo')).toBe(5);
    expect(fn('CHARACTER_LENGTH', [V], T.INTEGER)('')).toBe(0);
    expect(fn('CHAR_LENGTH', [V], T.INTEGER)(null)).toBe(null);
    expect(fn('UPPER', [V], V)('abc Déf')).toBe('ABC DÉF');
    expect(fn('LOWER', [V], V)('ABC')).toBe('abc');
    expect(fn('INITCAP', [V], V)('Each FIRST lEtTeR is cAPITALIZED')).toBe('Each First Letter Is Capitalized');
    expect(fn('INITCAP', [V], V)('hello  wORLD-fOO_bar\t2nd')).toBe('Hello  World-foo_bar\t2nd');
  });

  it('SUBSTRING follows SQL for short, zero and negative starts', () => {
    const sub2 = fn('SUBSTRING', [V, T.INTEGER], V);
    const sub3 = fn('SUBSTRING', [V, T.INTEGER, T.INTEGER], V);
    expect(sub2('hello', 2)).toBe('ello');
    expect(sub2('hello', 0)).toBe('hello');
    expect(sub2('hello', -3)).toBe('hello');
    expect(sub2('hello', 9)).toBe('');
    expect(sub3('hello', 2, 3)).toBe('ell');
    expect(sub3('hello', 0, 2)).toBe('h');
    expect(sub3('hello', -1, 2)).toBe('');
    expect(sub3('hello', -1, 4)).toBe('he');
    expect(sub3('hello', 4, 10)).toBe('lo');
    expect(sub3('hello', 2, null)).toBe(null);
    expect(errorOf(() => sub3('hello', 1, -1))).toBe('INVALID_ARGUMENT');
    // the KDA reference's examples
    expect(sub3('123456789', 3, 4)).toBe('3456');
    expect(sub3('123456789', 17, 4)).toBe('');
    expect(sub3('123456789', -1, 4)).toBe('12');
    expect(sub3('123456789', 6, 0)).toBe('');
    expect(sub3('123456789', 8, 4)).toBe('89');
    const rx = fn('SUBSTRING', [V, V], V);
    expect(rx('TECHNOLOGY', 'L[A-Z]*')).toBe('LOGY');
    expect(rx('TECHNOLOGY', 'X+')).toBe(null);
    expect(fn('SUBSTRING', [V, V, T.INTEGER], V)('TECHNOLOGY', 'L[A-Z]*', 2)).toBe('LO');
  });

  it('POSITION, TRIM, OVERLAY, ||', () => {
    const pos = fn('POSITION', [V, V], T.INTEGER);
    expect(pos('lo', 'hello')).toBe(4);
    expect(pos('x', 'hello')).toBe(0);
    expect(pos('', 'hello')).toBe(1);
    const trim = fn('TRIM', [V, V, V], V);
    expect(trim('BOTH', ' ', '  a b  ')).toBe('a b');
    expect(trim('LEADING', 'x', 'xxaxx')).toBe('axx');
    expect(trim('TRAILING', 'x', 'xxaxx')).toBe('xxa');
    expect(trim('BOTH', 'xy', 'xyaxy')).toBe('a');
    expect(trim('BOTH', ' ', null)).toBe(null);
    const ov3 = fn('OVERLAY', [V, V, T.INTEGER], V);
    const ov4 = fn('OVERLAY', [V, V, T.INTEGER, T.INTEGER], V);
    expect(ov3('Txxxxas', 'hom', 2)).toBe('Thomxas');
    expect(ov4('Txxxxas', 'hom', 2, 4)).toBe('Thomas');
    expect(ov4('abc', 'X', 2, 0)).toBe('aXbc');
    const cat = fn('||', [V, V], V);
    expect(cat('ab', 'cd')).toBe('abcd');
    expect(cat('ab', null)).toBe(null);
    const bcat = fn('||', [T.VARBINARY(), T.VARBINARY()], T.VARBINARY());
    expect(bcat(new Uint8Array([1]), new Uint8Array([2, 3]))).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('REGEX_REPLACE with Java replacement syntax, position and occurrence', () => {
    const rr3 = fn('REGEX_REPLACE', [V, V, V], V);
    const rr5 = fn('REGEX_REPLACE', [V, V, V, T.INTEGER, T.INTEGER], V);
    expect(rr3('Technology', 'e', 'E')).toBe('TEchnology');
    expect(rr3('aaa', 'a', 'b')).toBe('bbb');
    expect(rr3('John Smith', '(\\w+) (\\w+)', '$2, $1')).toBe('Smith, John');
    expect(rr3('a.b', '\\.', '\\$')).toBe('a$b');
    expect(rr3('a1b22', '\\d+', '<$0>')).toBe('a<1>b<22>');
    expect(rr5('aaaa', 'a', 'b', 1, 2)).toBe('abaa');
    expect(rr5('aaaa', 'a', 'b', 3, 0)).toBe('aabb');
    expect(rr5('aaaa', 'a', 'b', 3, 1)).toBe('aaba');
    expect(rr5('aaaa', 'x', 'b', 1, 1)).toBe('aaaa');
    expect(rr3('ab', 'a*+b', 'X')).toBe('X');
    expect(rr3('a.b', '\\Q.\\E', '-')).toBe('a-b');
    expect(rr3(null, 'a', 'b')).toBe(null);
    expect(errorOf(() => rr5('aaaa', 'a', 'b', 0, 0))).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => rr3('aaaa', '(', 'b'))).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => rr3('aaaa', 'a', '$2'))).toBe('INVALID_ARGUMENT');
  });
});

describe('LIKE and SIMILAR TO', () => {
  const like = fn('LIKE', [V, V], T.BOOLEAN);
  const likeEsc = fn('LIKE', [V, V, V], T.BOOLEAN);
  it('LIKE', () => {
    expect(like('hello', 'h%o')).toBe(true);
    expect(like('hello', 'h_llo')).toBe(true);
    expect(like('hello', 'h_lo')).toBe(false);
    expect(like('a.c', 'a.c')).toBe(true);
    expect(like('abc', 'a.c')).toBe(false);
    expect(like('line\nbreak', 'line%')).toBe(true);
    expect(like('(x)', '(%)')).toBe(true);
    expect(likeEsc('50%', '50!%', '!')).toBe(true);
    expect(likeEsc('500', '50!%', '!')).toBe(false);
    expect(likeEsc('a!b', 'a!!b', '!')).toBe(true);
    expect(like(null, 'a')).toBe(null);
    expect(errorOf(() => likeEsc('a', 'a!b', '!'))).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => likeEsc('a', 'a', '!!'))).toBe('INVALID_ARGUMENT');
  });

  it('LIKE agrees with a naive matcher', () => {
    const naive = (s: string, p: string): boolean => {
      if (p === '') return s === '';
      if (p[0] === '%') return naive(s, p.slice(1)) || (s !== '' && naive(s.slice(1), p));
      if (s === '') return false;
      return (p[0] === '_' || p[0] === s[0]) && naive(s.slice(1), p.slice(1));
    };
    const alpha = fc.constantFrom('a', 'b', '.', '*');
    const str = fc.array(alpha, { maxLength: 8 }).map((a) => a.join(''));
    const pat = fc.array(fc.constantFrom('a', 'b', '.', '*', '%', '_'), { maxLength: 6 }).map((a) => a.join(''));
    fc.assert(fc.property(str, pat, (s, p) => like(s, p) === naive(s, p)), { numRuns: 500 });
  });

  it('SIMILAR TO', () => {
    const sim = fn('SIMILAR TO', [V, V], T.BOOLEAN);
    const simEsc = fn('SIMILAR TO', [V, V, V], T.BOOLEAN);
    expect(sim('abc', 'abc')).toBe(true);
    expect(sim('abc', 'a%')).toBe(true);
    expect(sim('abc', '_b_')).toBe(true);
    expect(sim('abc', '(a|x)(b|y)c')).toBe(true);
    expect(sim('abbbc', 'ab+c')).toBe(true);
    expect(sim('ac', 'ab*c')).toBe(true);
    expect(sim('abc', 'a.c')).toBe(false);
    expect(sim('a.c', 'a.c')).toBe(true);
    expect(sim('abbc', 'ab{2}c')).toBe(true);
    expect(sim('b7', '[a-c][[:DIGIT:]]')).toBe(true);
    expect(sim('d7', '[^a-c]7')).toBe(true);
    expect(simEsc('a%', 'a#%', '#')).toBe(true);
    expect(simEsc('ab', 'a#%', '#')).toBe(false);
    expect(errorOf(() => sim('a', 'a{x}'))).toBe('INVALID_ARGUMENT');
  });

  it('SUBSTRING ... SIMILAR', () => {
    const ss = fn('SUBSTRING_SIMILAR', [V, V, V], V);
    expect(ss('foobar', '%#"o_b#"%', '#')).toBe('oob');
    expect(ss('foobar', '#"o_b#"%', '#')).toBe(null);
    expect(ss('abc123def', '%#"[0-9]+#"%', '#')).toBe('123');
    expect(ss('abc', 'abc', '#')).toBe('abc');
    expect(ss(null, 'a', '#')).toBe(null);
    expect(errorOf(() => ss('abc', 'a#"b', '#'))).toBe('INVALID_ARGUMENT');
  });
});
