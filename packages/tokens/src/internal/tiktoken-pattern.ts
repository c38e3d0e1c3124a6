// Unicode's White_Space property: what `\s` matches in Rust's regex crate, which tiktoken's
// pre-tokeniser runs. JavaScript's `\s` is another set, WhiteSpace and LineTerminator: it has
// U+FEFF (a byte-order mark) and lacks U+0085 (NEL). Run as js-tiktoken runs it, the pattern
// splits text holding either differently from OpenAI's tokenizer (`'\t\t\u0085'` was 4 tokens
// for tiktoken's 3). Spelled as ranges, the class compiles to the same range checks as `\s`.
const WHITE_SPACE = '\\t-\\r \\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000';

/**
 * The pre-tokenisation pattern of a rank file (written for Rust's regex crate) with `\s` and `\S`
 * spelled as classes, so that a JavaScript `RegExp` with the `u` flag splits text as tiktoken does.
 * The other escapes the rank files use (`\p{L}`, `\p{N}`, `\r`, `\n`) mean the same in both.
 * @throws {Error} for `\S` inside a class, which no rank file has and a class cannot spell.
 */
export function withRustWhiteSpace(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '\\') {
      const next = pattern[++i] ?? '';
      if (next === 's') {
        out += inClass ? WHITE_SPACE : `[${WHITE_SPACE}]`;
      } else if (next === 'S') {
        if (inClass) throw new Error('`\\S` inside a character class cannot be rewritten');
        out += `[^${WHITE_SPACE}]`;
      } else {
        out += char + next;
      }
      continue;
    }
    // With the `u` flag a `[` inside a class is a literal, and the first `]` closes it.
    if (char === '[') inClass = true;
    else if (char === ']') inClass = false;
    out += char;
  }
  return out;
}
