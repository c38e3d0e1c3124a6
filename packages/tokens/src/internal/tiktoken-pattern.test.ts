import { describe, expect, it } from 'vitest';
import { withRustWhiteSpace } from './tiktoken-pattern';

// Unicode's White_Space: Rust's `\s`, and the characters JavaScript's `\s` matches besides.
const WHITE_SPACE = [
  ...'\t\n\v\f\r \u0085\u00A0\u1680\u2000\u2005\u200A\u2028\u2029\u202F\u205F\u3000',
];
const NOT_WHITE_SPACE = [...'\uFEFF\u200B\u180Ea1!_'];

describe('withRustWhiteSpace', () => {
  it('matches White_Space, U+0085 included and U+FEFF not, where the pattern says \\s or \\S', () => {
    const space = new RegExp(`^${withRustWhiteSpace('\\s')}$`, 'u');
    const other = new RegExp(`^${withRustWhiteSpace('\\S')}$`, 'u');
    const notIn = new RegExp(`^${withRustWhiteSpace('[^\\s\\p{L}]')}$`, 'u');
    for (const c of WHITE_SPACE) {
      expect([space.test(c), other.test(c), notIn.test(c)], JSON.stringify(c)).toEqual([
        true,
        false,
        false,
      ]);
    }
    for (const c of NOT_WHITE_SPACE) {
      expect([space.test(c), other.test(c)], JSON.stringify(c)).toEqual([false, true]);
    }
    expect(notIn.test('\uFEFF')).toBe(true);
    expect(notIn.test('a')).toBe(false);
  });

  it('leaves the pattern alone when it has no \\s or \\S, an escaped backslash included', () => {
    for (const pattern of ['\\p{L}+|\\p{N}{1,3}', "('s|'t)", '[\\r\\n/]*', '\\\\s']) {
      expect(withRustWhiteSpace(pattern)).toBe(pattern);
    }
  });

  it('reads an escaped ] as part of its class', () => {
    const pattern = new RegExp(withRustWhiteSpace('[\\]\\s]+'), 'u');
    expect(pattern.exec('a]\u0085]b')?.[0]).toBe(']\u0085]');
  });

  it('throws when \\S is inside a character class, which no class can spell', () => {
    expect(() => withRustWhiteSpace('[^\\S\\n]')).toThrow('`\\S` inside a character class');
  });
});
