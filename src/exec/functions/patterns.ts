/**
 * Pattern languages translated to JS RegExps, each compiled once and cached: LIKE, SIMILAR TO (SQL regular expressions),
 * SUBSTRING ... SIMILAR, and Java regular expressions (REGEX_REPLACE and the log parsers).
 *
 * Java → JS: mostly the same syntax. Translated: \Q...\E quoting, possessive quantifiers (X*+ read as X*, i.e. with
 * backtracking), atomic groups (?>X) as (?:X), \A, \z, \Z, \h, POSIX classes \p{Alpha} \p{Digit} \p{Alnum} \p{Upper}
 * \p{Lower} \p{Punct} \p{Space} \p{Blank} \p{XDigit} \p{ASCII} and \p{javaLowerCase}-style names, and leading inline
 * flags (?i) (?s) (?m). Regexes work on UTF-16 code units, as Java's do.
 */
import { SqlRuntimeError } from '../values.js';

function invalid(msg: string): never {
  throw new SqlRuntimeError('INVALID_ARGUMENT', msg);
}

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/-]/;
const lit = (c: string): string => (REGEX_SPECIAL.test(c) ? '\\' + c : c);

function cached<T>(cache: Map<string, T>, key: string, build: () => T): T {
  let v = cache.get(key);
  if (v === undefined) {
    v = build();
    if (cache.size >= 512) cache.clear();
    cache.set(key, v);
  }
  return v;
}

function checkEscape(escape: string | undefined, what: string): void {
  if (escape !== undefined && escape.length !== 1) invalid(`the ESCAPE of ${what} must be one character, not '${escape}'`);
}

// ---- LIKE ------------------------------------------------------------------------------------------------------------------
const likeCache = new Map<string, RegExp>();

export function likeRegExp(pattern: string, escape?: string): RegExp {
  return cached(likeCache, escape === undefined ? pattern : escape + '\u0000' + pattern, () => {
    checkEscape(escape, 'LIKE');
    let re = '^';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i]!;
      if (c === escape) {
        const d = pattern[++i];
        if (d !== '%' && d !== '_' && d !== escape) invalid(`invalid escape sequence in LIKE pattern '${pattern}'`);
        re += lit(d);
      } else if (c === '%') re += '[\\s\\S]*';
      else if (c === '_') re += '[\\s\\S]';
      else re += lit(c);
    }
    return new RegExp(re + '$');
  });
}

// ---- SIMILAR TO ---------------------------------------------------------------------------------------------------------------
const POSIX: Record<string, string> = {
  ALPHA: 'a-zA-Z', UPPER: 'A-Z', LOWER: 'a-z', DIGIT: '0-9', ALNUM: 'a-zA-Z0-9', SPACE: '\\s', WHITESPACE: '\\s',
};

/** A SIMILAR TO pattern (no anchors) as a JS regex source; `lazy` makes every quantifier reluctant. */
function similarSource(pattern: string, escape: string | undefined, lazy: boolean): string {
  const q = lazy ? '?' : '';
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === escape) {
      const d = pattern[++i];
      if (d === undefined) invalid(`SIMILAR TO pattern '${pattern}' ends with its escape character`);
      re += lit(d);
      continue;
    }
    switch (c) {
      case '%':
        re += '[\\s\\S]*' + q;
        break;
      case '_':
        re += '[\\s\\S]';
        break;
      case '*':
      case '+':
      case '?':
        re += c + q;
        break;
      case '{': {
        const end = pattern.indexOf('}', i);
        const body = end < 0 ? '' : pattern.slice(i + 1, end);
        if (!/^\d+(,\d*)?$/.test(body)) invalid(`invalid repetition in SIMILAR TO pattern '${pattern}'`);
        re += '{' + body + '}' + q;
        i = end;
        break;
      }
      case '(':
        re += '(?:';
        break;
      case ')':
      case '|':
        re += c;
        break;
      case '[': {
        let j = i + 1;
        let cls = '[';
        if (pattern[j] === '^') {
          cls += '^';
          j++;
        }
        let closed = false;
        for (; j < pattern.length; j++) {
          const d = pattern[j]!;
          if (d === ']' && cls.length > 1 && cls !== '[^') {
            closed = true;
            break;
          }
          if (d === escape) {
            cls += '\\' + (pattern[++j] ?? '');
          } else if (d === '[' && pattern[j + 1] === ':') {
            const end = pattern.indexOf(':]', j);
            const name = end < 0 ? '' : pattern.slice(j + 2, end).toUpperCase();
            if (!POSIX[name]) invalid(`unknown character class in SIMILAR TO pattern '${pattern}'`);
            cls += POSIX[name];
            j = end + 1;
          } else if (d === '\\' || d === '[' || d === ']') cls += '\\' + d;
          else cls += d;
        }
        if (!closed) invalid(`unterminated [ in SIMILAR TO pattern '${pattern}'`);
        re += cls + ']';
        i = j;
        break;
      }
      default:
        re += lit(c);
    }
  }
  return re;
}

const similarCache = new Map<string, RegExp>();

export function similarRegExp(pattern: string, escape?: string): RegExp {
  return cached(similarCache, escape === undefined ? pattern : escape + '\u0000' + pattern, () => {
    checkEscape(escape, 'SIMILAR TO');
    return compile('^(?:' + similarSource(pattern, escape, false) + ')$', '', pattern);
  });
}

const substringSimilarCache = new Map<string, RegExp>();

/**
 * SUBSTRING(s SIMILAR pattern ESCAPE e): the pattern is `before e" middle e" after`; the whole string must match, the
 * result is what `middle` matched (with `before` matching as little as possible). Without the two markers the whole
 * pattern is the middle.
 */
export function substringSimilarRegExp(pattern: string, escape: string): RegExp {
  return cached(substringSimilarCache, escape + '\u0000' + pattern, () => {
    checkEscape(escape, 'SUBSTRING ... SIMILAR');
    const marker = escape + '"';
    const parts = pattern.split(marker);
    if (parts.length === 1) return compile('^(' + similarSource(pattern, escape, false) + ')$', '', pattern);
    if (parts.length !== 3) invalid(`SUBSTRING ... SIMILAR pattern '${pattern}' needs exactly two ${marker} markers`);
    const [a, b, c] = parts as [string, string, string];
    return compile('^(?:' + similarSource(a, escape, true) + ')(' + similarSource(b, escape, false) + ')(?:' + similarSource(c, escape, false) + ')$', '', pattern);
  });
}

function compile(source: string, flags: string, original: string): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (e) {
    return invalid(`invalid pattern '${original}': ${(e as Error).message}`);
  }
}

// ---- Java regular expressions -----------------------------------------------------------------------------------------------
const JAVA_CLASSES: Record<string, string> = {
  Lower: 'a-z', Upper: 'A-Z', ASCII: '\\x00-\\x7F', Alpha: 'a-zA-Z', Digit: '0-9', Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~', Graph: '!-~', Print: ' -~', Blank: ' \\t', Cntrl: '\\x00-\\x1F\\x7F', XDigit: '0-9a-fA-F',
  Space: ' \\t\\n\\x0B\\f\\r', javaLowerCase: 'a-z', javaUpperCase: 'A-Z', javaWhitespace: '\\s', L: 'a-zA-Z\\u00C0-\\u024F',
  IsAlphabetic: 'a-zA-Z', IsDigit: '0-9', IsLetter: 'a-zA-Z',
};

/** Translate a Java regex to JS source and flags; `lazy` makes greedy quantifiers reluctant (FAST_REGEX_LOG_PARSER). */
export function javaRegexSource(src: string, lazy = false): { source: string; flags: string } {
  let flags = '';
  let i = 0;
  const lead = /^\(\?([imsux]+)\)/.exec(src);
  if (lead) {
    for (const f of lead[1]!) if (f === 'i' || f === 'm' || f === 's') flags += f;
    i = lead[0].length;
  }
  let out = '';
  let inClass = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\') {
      const d = src[i + 1];
      if (d === 'Q') {
        const end = src.indexOf('\\E', i + 2);
        const text = end < 0 ? src.slice(i + 2) : src.slice(i + 2, end);
        for (const ch of text) out += lit(ch);
        i = end < 0 ? src.length : end + 2;
        continue;
      }
      if ((d === 'p' || d === 'P') && src[i + 2] === '{') {
        const end = src.indexOf('}', i);
        let name = src.slice(i + 3, end);
        if (name.startsWith('Is') && !JAVA_CLASSES[name]) name = name.slice(2);
        const cls = JAVA_CLASSES[name];
        if (cls === undefined) invalid(`unsupported character class \\${d}{${name}} in regex '${src}'`);
        out += inClass ? (d === 'p' ? cls : invalid(`\\P{...} inside [...] is not supported in regex '${src}'`)) : (d === 'p' ? '[' : '[^') + cls + ']';
        i = end + 1;
        continue;
      }
      if (!inClass && d === 'A') out += '^';
      else if (!inClass && d === 'z') out += '$(?![\\s\\S])';
      else if (!inClass && d === 'Z') out += '(?=\\n?$(?![\\s\\S]))';
      else if (d === 'h') out += inClass ? ' \\t' : '[ \\t]';
      else out += c + (d ?? '');
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === '[') {
        inClass++;
        out += '\\['; // nested classes are not supported; read literally
      } else if (c === ']') {
        inClass--;
        out += c;
      } else out += c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = 1;
      out += c;
      i++;
      if (src[i] === '^') {
        out += '^';
        i++;
      }
      if (src[i] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && src.startsWith('(?>', i)) {
      out += '(?:';
      i += 3;
      continue;
    }
    if (c === '*' || c === '+' || c === '?' || c === '}') {
      out += c;
      i++;
      if (c === '?' && out.length >= 2 && out[out.length - 2] === '(') continue; // group syntax (?
      if (src[i] === '+') i++; // possessive: read as greedy
      else if (src[i] === '?') {
        out += '?';
        i++;
      } else if (lazy && (c !== '}' || /\{\d+(,\d*)?\}$/.test(out))) out += '?';
      continue;
    }
    out += c;
    i++;
  }
  return { source: out, flags };
}

const javaCache = new Map<string, RegExp>();

/**
 * A Java regex as a JS RegExp. `mode`: 'full' anchors it to the whole string (Matcher.matches), 'global' finds every
 * match (flag g), 'lazy-full' anchors it and makes quantifiers reluctant, 'first' finds the first match (Matcher.find).
 */
export function javaRegExp(src: string, mode: 'full' | 'global' | 'lazy-full' | 'first'): RegExp {
  return cached(javaCache, mode + '\u0000' + src, () => {
    const { source, flags } = javaRegexSource(src, mode === 'lazy-full');
    if (mode === 'global') return compile(source, flags + 'g', src);
    if (mode === 'first') return compile(source, flags, src);
    return compile('^(?:' + source + ')$', flags, src);
  });
}

/** Number of capturing groups of a RegExp. */
export function groupCount(re: RegExp): number {
  return new RegExp(re.source + '|').exec('')!.length - 1;
}

// ---- Java replacement strings ----------------------------------------------------------------------------------------------
export type ReplacementPart = string | number;

const replacementCache = new Map<string, { js: string; parts: ReplacementPart[] }>();

/**
 * Java's Matcher replacement syntax ($n, ${name}, \x for a literal x) as a JS replacement string and as parts (literal
 * text or a group number; named groups are looked up by name at expansion time as strings prefixed with '\u0000').
 */
export function javaReplacement(repl: string): { js: string; parts: ReplacementPart[] } {
  return cached(replacementCache, repl, () => {
    let js = '';
    const parts: ReplacementPart[] = [];
    let text = '';
    const flush = () => {
      if (text) parts.push(text);
      text = '';
    };
    for (let i = 0; i < repl.length; i++) {
      const c = repl[i]!;
      if (c === '\\') {
        const d = repl[++i];
        if (d === undefined) invalid(`replacement '${repl}' ends with a backslash`);
        text += d;
        js += d === '$' ? '$$' : d;
      } else if (c === '$') {
        if (repl[i + 1] === '{') {
          const end = repl.indexOf('}', i);
          if (end < 0) invalid(`unterminated \${ in replacement '${repl}'`);
          const name = repl.slice(i + 2, end);
          flush();
          parts.push('\u0000' + name);
          js += '$<' + name + '>';
          i = end;
        } else {
          let j = i + 1;
          while (j < repl.length && repl[j]! >= '0' && repl[j]! <= '9') j++;
          if (j === i + 1) invalid(`illegal group reference in replacement '${repl}'`);
          flush();
          const g = Number(repl.slice(i + 1, j));
          parts.push(g);
          js += g === 0 ? '$&' : '$' + g;
          i = j - 1;
        }
      } else {
        text += c;
        js += c;
      }
    }
    flush();
    return { js, parts };
  });
}

/** Expand replacement parts for one match. */
export function expandReplacement(parts: ReplacementPart[], m: RegExpExecArray): string {
  let s = '';
  for (const part of parts) {
    if (typeof part === 'number') {
      // as Java: a multi-digit reference takes only as many digits as name an existing group
      let p = part;
      let rest = '';
      while (p >= m.length && p >= 10) {
        rest = (p % 10) + rest;
        p = Math.floor(p / 10);
      }
      if (p >= m.length) invalid(`no group ${p} in the regex`);
      s += (m[p] ?? '') + rest;
    } else if (part.charCodeAt(0) === 0) {
      const g = m.groups?.[part.slice(1)];
      s += g ?? '';
    } else s += part;
  }
  return s;
}
