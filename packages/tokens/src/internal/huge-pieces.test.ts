import cl100k from 'js-tiktoken/ranks/cl100k_base';
import o200k from 'js-tiktoken/ranks/o200k_base';
import { describe, expect, it } from 'vitest';
import { BpeCounter } from './bpe';
import { hugePieceBounds } from './huge-pieces';
import { withRustWhiteSpace } from './tiktoken-pattern';

let seed = 11;
const random = () => {
  seed = (seed * 16_807) % 2_147_483_647;
  return seed / 2_147_483_647;
};
const pickFrom = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

// What the patterns tell apart: letters of each case, marks, digits (ASCII and not), white space
// (U+0085 and U+3000 included), the characters they name ('s, /, \r, \n; ſ is an `s` to `(?i)`),
// symbols, U+FFFD, lone surrogates and an emoji (a surrogate pair).
const ALPHABET = [
  ..."漢字aAzBǅʰé\u0301 \n\r\t!?/'stſ1２.-\uFFFD\u0085\u3000",
  '\uD800',
  '\uDC00',
  '😀',
];

/** Runs of one character, or of two mixed, some far longer than `keep`. */
function sample(): string {
  let text = '';
  const runs = 1 + Math.floor(random() * 6);
  for (let r = 0; r < runs; r++) {
    const a = pickFrom(ALPHABET);
    const b = random() < 0.3 ? pickFrom(ALPHABET) : a;
    const roll = random();
    const length = Math.floor(
      roll < 0.3 ? random() * 4 : roll < 0.6 ? 5 + random() * 20 : 20 + random() * 60,
    );
    for (let i = 0; i < length; i++) text += random() < 0.5 ? a : b;
  }
  return text;
}

const pieces = (text: string, bounds: number[]) => {
  const out: string[] = [];
  for (let i = 0; i < bounds.length; i += 2) out.push(text.slice(bounds[i], bounds[i + 1]));
  return out;
};

describe('hugePieceBounds', () => {
  for (const [name, file] of [
    ['o200k_base', o200k],
    ['cl100k_base', cl100k],
  ] as const) {
    it(`splits as the ${name} pattern does, with runs cut short`, () => {
      const pattern = new RegExp(withRustWhiteSpace(file.pat_str), 'gu');
      for (let t = 0; t < 3_000; t++) {
        const text = sample();
        const keep = 3 + Math.floor(random() * 5);
        expect(pieces(text, hugePieceBounds(text, pattern, keep)), JSON.stringify(text)).toEqual(
          text.match(pattern) ?? [],
        );
      }
    });
  }
});

describe('BpeCounter on one piece of millions of characters', () => {
  // V8's backtrack stack overflowed on a piece of ~4.1 million CJK characters (or U+FFFD, or
  // lone surrogates): `RangeError: Maximum call stack size exceeded` instead of a count. With no
  // ranks every byte is a token, so the merge is quick and the count is the UTF-8 length.
  const counter = new BpeCounter({ pat_str: o200k.pat_str, special_tokens: {}, bpe_ranks: '' }, 16);

  it('counts 4.3 million × U+FFFD', () => {
    const text = `a \uFFFD${'\uFFFD'.repeat(4_300_000)}b`;
    expect(counter.count(text, false)).toBe(3 + 3 * 4_300_001);
  }, 60_000);
});
