import fc from 'fast-check';
import { getEncoding } from 'js-tiktoken';
import { get_encoding } from 'tiktoken';
import { afterAll, describe, expect, it } from 'vitest';
import { corpus } from './__fixtures__/corpus';
import { countTokens } from './count-tokens';
import { isNoExactTokenizerError, NoExactTokenizerError } from './errors';
import type { EncodingName } from './types';

const reference = {
  o200k_base: getEncoding('o200k_base'),
  cl100k_base: getEncoding('cl100k_base'),
};
// OpenAI's own tokenizer: tiktoken's Rust core, compiled to WebAssembly.
const rust = {
  o200k_base: get_encoding('o200k_base'),
  cl100k_base: get_encoding('cl100k_base'),
};
afterAll(() => {
  rust.o200k_base.free();
  rust.cl100k_base.free();
});
const ENCODINGS: EncodingName[] = ['o200k_base', 'cl100k_base'];
// The two characters whose reading as whitespace differs between Rust's regex crate (tiktoken)
// and JavaScript's regular expressions (js-tiktoken), so where the two count differently.
const NEL = '\u0085';
const BOM = '\uFEFF';

/** The count is tiktoken's (Rust), and js-tiktoken's too wherever the two agree. */
function expectTiktokenCount(text: string, encoding: EncodingName): void {
  const count = countTokens(text, { encoding });
  expect(count, JSON.stringify(text)).toBe(rust[encoding].encode_ordinary(text).length);
  if (!text.includes(NEL) && !text.includes(BOM)) {
    expect(count, JSON.stringify(text)).toBe(reference[encoding].encode(text, [], []).length);
  }
}

describe('countTokens', () => {
  it('counts "tiktoken is great!" as 6 tokens in both encodings', () => {
    expect(countTokens('tiktoken is great!', { encoding: 'o200k_base' })).toBe(6);
    expect(countTokens('tiktoken is great!', { encoding: 'cl100k_base' })).toBe(6);
    expect(countTokens('tiktoken is great!', { model: 'gpt-4o' })).toBe(6);
    expect(countTokens('tiktoken is great!', { model: 'gpt-4' })).toBe(6);
  });

  it('returns the cookbook counts for Japanese when the encodings differ', () => {
    // From the cookbook's compare_encodings("お誕生日おめでとう"): cl100k 9, o200k 8.
    expect(countTokens('お誕生日おめでとう', { encoding: 'cl100k_base' })).toBe(9);
    expect(countTokens('お誕生日おめでとう', { encoding: 'o200k_base' })).toBe(8);
  });

  it('returns 0 when the text is empty', () => {
    expect(countTokens('')).toBe(0);
  });

  it('defaults to o200k_base when neither model nor encoding is given', () => {
    const text = 'Tokens per character vary a lot: 東京の朝は早い。';
    expect(countTokens(text)).toBe(reference.o200k_base.encode(text).length);
  });

  it('equals tiktoken and js-tiktoken encode().length on every corpus sample in both encodings', () => {
    expect(corpus.length).toBeGreaterThan(150);
    for (const encoding of ENCODINGS) {
      for (const sample of corpus) {
        const count = countTokens(sample.text, { encoding });
        expect(count, sample.id).toBe(reference[encoding].encode(sample.text).length);
        expect(count, sample.id).toBe(rust[encoding].encode_ordinary(sample.text).length);
      }
    }
  });

  it('equals tiktoken and js-tiktoken encode().length when the text is random unicode', () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 80 }),
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.string({ unit: 'grapheme-ascii', maxLength: 120 }),
      fc
        .array(
          fc.constantFrom(
            ' ',
            '  ',
            '\n',
            '\t',
            'ab',
            'X',
            '12345',
            "'s",
            '{',
            '}',
            '中文',
            '🎉',
            'é',
          ),
          {
            maxLength: 40,
          },
        )
        .map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(text, fc.constantFrom(...ENCODINGS), (input, encoding) => {
        expectTiktokenCount(input, encoding);
      }),
      { numRuns: 400 },
    );
  });

  it('counts the README examples as tiktoken does when U+0085 or U+FEFF is whitespace to one engine', () => {
    // js-tiktoken counts 4, 4, 2 and 3: JavaScript's \s has U+FEFF and lacks U+0085, Rust's
    // the reverse.
    expect(countTokens('\t\t\u0085', { encoding: 'o200k_base' })).toBe(3);
    expect(countTokens('\t\t\u0085', { encoding: 'cl100k_base' })).toBe(3);
    expect(countTokens('  \uFEFF\uFEFF', { encoding: 'o200k_base' })).toBe(3);
    expect(countTokens(' \u0085a', { model: 'gpt-4o' })).toBe(4);
  });

  it('equals tiktoken when U+0085 or U+FEFF leads, trails, sits between words or runs', () => {
    const contexts = [
      (c: string) => c,
      (c: string) => `${c}hello`,
      (c: string) => `hello${c}`,
      (c: string) => `hello ${c}`,
      (c: string) => `${c} hello`,
      (c: string) => ` ${c}hello`,
      (c: string) => `hello${c}world`,
      (c: string) => `hello ${c} world`,
      (c: string) => `hello${c} world`,
      (c: string) => `hello ${c}world`,
      (c: string) => `hello${c}${c}world`,
      (c: string) => c.repeat(2),
      (c: string) => c.repeat(7),
      (c: string) => `\t\t${c}`,
      (c: string) => `  ${c}${c}`,
      (c: string) => `${c}  `,
      (c: string) => `${c} ${c} ${c}`,
      (c: string) => `a${c}\nb`,
      (c: string) => `a\n${c}b`,
      (c: string) => `a${c}\r\n\r\nb`,
      (c: string) => `${c}\n\n`,
      (c: string) => `x = 1;${c}\n    return x;`,
      (c: string) => `!${c}?`,
      (c: string) => `...${c}`,
      (c: string) => `${c}!!`,
      (c: string) => `12${c}345`,
      (c: string) => `${c}'s`,
      (c: string) => `東京${c}大阪`,
      (c: string) => `🎉${c}🎉`,
      (c: string) => `\u00A0${c}\u3000`,
      (c: string) => `${c}${c === NEL ? BOM : NEL}`,
    ];
    for (const encoding of ENCODINGS) {
      for (const c of [NEL, BOM]) {
        for (const context of contexts) expectTiktokenCount(context(c), encoding);
      }
    }
  });

  it('equals tiktoken when the text mixes every whitespace of either engine with words and marks', () => {
    // Unicode's White_Space (Rust's \s), JavaScript's \s, and what neither calls whitespace.
    const unit = fc.constantFrom(
      ' ',
      '\t',
      '\n',
      '\r',
      '\v',
      '\f',
      NEL,
      BOM,
      '\u00A0',
      '\u1680',
      '\u2000',
      '\u200A',
      '\u2028',
      '\u2029',
      '\u202F',
      '\u205F',
      '\u3000',
      '\u200B',
      '\u180E',
      'word',
      'Word',
      "'s",
      '42',
      '!',
      '/',
      '中文',
      '🎉',
    );
    const run = fc
      .tuple(unit, fc.integer({ min: 1, max: 6 }))
      .map(([piece, times]) => piece.repeat(times));
    const text = fc.array(fc.oneof(unit, run), { maxLength: 12 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, fc.constantFrom(...ENCODINGS), (input, encoding) => {
        expectTiktokenCount(input, encoding);
      }),
      { numRuns: 500 },
    );
  });

  it('equals tiktoken and js-tiktoken when the text is emoji sequences, flags, keycaps and tags', () => {
    // Pieces of four-byte characters and their joiners, which split into several tokens each.
    const pictograph = fc.oneof(
      fc.integer({ min: 0x1f300, max: 0x1faff }).map((c) => String.fromCodePoint(c)),
      fc.constantFrom(
        '😀',
        '👍',
        '🔥',
        '🦩',
        '🪿',
        '🫠',
        '❤',
        '☠',
        '✈',
        '🏳',
        '🏴',
        '👨',
        '👩',
        '🧑',
      ),
    );
    const emoji = fc.oneof(
      pictograph,
      // a flag: two regional indicators (assigned or not)
      fc
        .tuple(fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 25 }))
        .map(([a, b]) => String.fromCodePoint(0x1f1e6 + a, 0x1f1e6 + b)),
      // a skin tone, a variation selector
      fc
        .tuple(pictograph, fc.constantFrom('\u{1F3FB}', '\u{1F3FF}', '\uFE0F', '\uFE0E', ''))
        .map(([e, m]) => e + m),
      // a keycap
      fc.constantFrom('1\uFE0F\u20E3', '#\uFE0F\u20E3', '*\u20E3', '0\u20E3'),
      // a subdivision flag: tag characters after a black flag
      fc
        .constantFrom('gbeng', 'gbsct', 'usca')
        .map(
          (tag) =>
            `🏴${[...tag].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('')}\u{E007F}`,
        ),
    );
    const sequence = fc.oneof(
      fc.array(emoji, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('\u200D')),
      fc.array(emoji, { minLength: 1, maxLength: 12 }).map((parts) => parts.join('')),
    );
    const text = fc
      .array(fc.oneof(sequence, fc.constantFrom(' ', 'Party', ' time', '!', '\n', '12', "'s")), {
        maxLength: 12,
      })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, fc.constantFrom(...ENCODINGS), (input, encoding) => {
        expectTiktokenCount(input, encoding);
      }),
      { numRuns: 300 },
    );
  });

  it('equals tiktoken and js-tiktoken when the text is runs of spaces, digits, marks, scripts and code', () => {
    const unit = fc.constantFrom(
      ' ',
      '\t',
      '\n',
      '\r\n',
      '\u00A0',
      '\u3000',
      '7',
      '=',
      '-',
      '!?',
      '...',
      '、',
      'a',
      "don't",
      "I'LL",
      '中文',
      'ひらがな',
      '한국어',
      'العربية',
      'नमस्ते',
      'Ελληνικά',
      '١٢٣',
      '१२३',
      'e\u0301',
      'x => x + 1;',
      '{"a": [1, 2]}',
    );
    const run = fc
      .tuple(unit, fc.integer({ min: 1, max: 40 }))
      .map(([piece, times]) => piece.repeat(times));
    const text = fc.array(fc.oneof(unit, run), { maxLength: 8 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, fc.constantFrom(...ENCODINGS), (input, encoding) => {
        expectTiktokenCount(input, encoding);
      }),
      { numRuns: 150 },
    );
  });

  it('equals js-tiktoken when pieces are long enough for the heap-based merge', () => {
    const longPiece = fc
      .array(fc.constantFrom('a', 'b', 'th', 'e', 'x', 'é', '中', 'ing'), {
        minLength: 100,
        maxLength: 400,
      })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(longPiece, fc.constantFrom(...ENCODINGS), (input, encoding) => {
        expect(countTokens(input, { encoding })).toBe(reference[encoding].encode(input).length);
      }),
      { numRuns: 60 },
    );
  });

  it('counts lone surrogates the way TextEncoder encodes them when the string is malformed', () => {
    for (const text of ['\ud800', 'a\udc00b', '\ud83d\ude00\ud83d']) {
      expect(countTokens(text)).toBe(reference.o200k_base.encode(text).length);
    }
  });

  it('counts special-token strings as text by default and as one token with allowSpecial', () => {
    const text = 'hello <|endoftext|> world';
    expect(countTokens(text)).toBe(reference.o200k_base.encode(text, [], []).length);
    expect(countTokens(text, { allowSpecial: true })).toBe(
      reference.o200k_base.encode(text, 'all').length,
    );
    expect(countTokens(text, { allowSpecial: true })).toBeLessThan(countTokens(text));
  });

  it('counts a long piece without spaces exactly when the merge loop runs long', () => {
    const text = `${'x'.repeat(1500)}${'数据'.repeat(300)}`;
    expect(countTokens(text, { encoding: 'cl100k_base' })).toBe(
      reference.cl100k_base.encode(text).length,
    );
  });

  it('throws NoExactTokenizerError when the model has no tiktoken encoding', () => {
    expect(() => countTokens('hi', { model: 'claude-sonnet-4' })).toThrow(NoExactTokenizerError);
    try {
      countTokens('hi', { model: 'llama3.2' });
    } catch (error) {
      expect(isNoExactTokenizerError(error)).toBe(true);
      expect((error as NoExactTokenizerError).code).toBe('X_TOKENS_NO_EXACT_TOKENIZER');
      expect((error as NoExactTokenizerError).model).toBe('llama3.2');
    }
  });

  it('throws TypeError when the input or the options are invalid', () => {
    expect(() => countTokens(42 as unknown as string)).toThrow(
      'Expected `text` to be a string, got `42` (number)',
    );
    expect(() => countTokens('x', { model: 'gpt-4o', encoding: 'o200k_base' })).toThrow(TypeError);
    expect(() => countTokens('x', { encoding: 'p50k_base' as EncodingName })).toThrow(
      'Expected `encoding` to be one of "o200k_base", "cl100k_base", got `"p50k_base"` (string)',
    );
    expect(() => countTokens('x', { model: '' })).toThrow(RangeError);
    expect(() => countTokens('x', { model: 5 as never })).toThrow(TypeError);
  });
});
