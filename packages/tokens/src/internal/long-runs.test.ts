import { describe, expect, it } from 'vitest';
import { corpus } from '../__fixtures__/corpus';
import { referenceTokenizers as tokenizers } from '../__fixtures__/reference-tokenizers';
import { fitsContext } from '../context';
import { estimateTokens } from '../estimate';

let seed = 7;
const random = () => {
  seed = (seed * 16_807) % 2_147_483_647;
  return seed / 2_147_483_647;
};
const pick = (alphabet: string, n: number) =>
  Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');

// Runs longer than any in the fitting corpus: digits, whitespace and one letter, which the
// per-character weights got wrong by 50-99 % (2,000 digits: 2 tokens estimated, 667 real).
const samples: Record<string, string> = {
  '2,000 digits': '7'.repeat(2_000),
  '2,000 random digits': pick('0123456789', 2_000),
  'a JSON array of 13-digit numbers': JSON.stringify(
    Array.from({ length: 120 }, () => Math.floor(1e12 + random() * 9e12)),
  ),
  '2,000 tabs': '\t'.repeat(2_000),
  'x, 2,000 spaces, y': `x${' '.repeat(2_000)}y`,
  '2,000 line breaks': '\n'.repeat(2_000),
  '2,000 × a': 'a'.repeat(2_000),
  '2,000 random lowercase letters': pick('abcdefghijklmnopqrstuvwxyz', 2_000),
  // Base64-like runs mixing cases and digits: 40 % under the real count before `denseExcess`.
  '4,000 base64 characters': Buffer.from(
    Array.from({ length: 3_000 }, () => Math.floor(random() * 256)),
  ).toString('base64'),
  'a JWT in a sentence': `Authorization failed for token ${[
    Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url'),
    Buffer.from(Array.from({ length: 300 }, () => Math.floor(random() * 256))).toString(
      'base64url',
    ),
    Buffer.from(Array.from({ length: 32 }, () => Math.floor(random() * 256))).toString('base64url'),
  ].join('.')} at login.`,
  // CRLF endings: the pair is one line break (a 200-line Windows text was 16 % over), and runs
  // of CRLFs or of lone CRs merge at their own rates (1,000 CRLFs were 48 % under in o200k_base).
  '1,000 CRLFs': '\r\n'.repeat(1_000),
  'a 200-line text with CRLF endings': Array.from(
    { length: 200 },
    (_, i) => `line ${i} of a text written on Windows`,
  ).join('\r\n'),
  '2,000 lone CRs': '\r'.repeat(2_000),
};

describe('estimates of long runs', () => {
  for (const { name, provider, count } of tokenizers) {
    it(`stay within the reported errorMargin of ${name} for digit, whitespace and letter runs`, () => {
      for (const [label, text] of Object.entries(samples)) {
        const actual = count(text);
        const estimate = estimateTokens(text, { provider });
        const error = estimate.tokens / actual - 1;
        expect({ label, error: Math.abs(error) <= estimate.errorMargin }).toEqual({
          label,
          error: true,
        });
      }
      // js-tiktoken's merge is quadratic on a run of one token kind: about 0.45 s per
      // 2,000-character run on a quiet machine, several times that under a parallel test run.
    }, 60_000);
  }

  it('makes fitsContext refuse 30,000 digits in a 4,096 window (10,000 Llama 3 tokens)', () => {
    const fit = fitsContext('7'.repeat(30_000), { model: 'llama3.2', contextWindow: 4_096 });
    expect(fit.fits).toBe(false);
    expect(fit.promptTokens).toBeGreaterThan(9_000);
  });
});

// Lone CRs: a progress line rewritten in place, old Mac text. Counted as line breaks, they got
// Mistral v1's weight of a LF (2.18, what a LF costs in the corpus's code and markdown), where a
// CR between short lines costs one token (`a\rb\r…\rj` was estimated 28 for 19), and o200k_base's
// and Llama 3's, where a CR merges with the indentation after it less than a LF does (21 of the
// corpus's 70 held-out samples with line breaks fell outside the margin given CR endings).
const crSamples: Record<string, string> = {
  'ten letters between CRs': [...'abcdefghij'].join('\r'),
  'a progress line rewritten 50 times': Array.from(
    { length: 50 },
    (_, i) => `Progress ${i * 2}%`,
  ).join('\r'),
  'a download rewritten 40 times': Array.from(
    { length: 40 },
    (_, i) => `Downloading model: ${i * 2}% complete`,
  ).join('\r'),
};
// (The held-out half: bench/feature-rates.ts measured the CR rates on the training half.)
const heldOut = corpus.filter((s, i) => i % 2 === 1 && s.text.includes('\n'));

describe('estimates of lone CRs', () => {
  it('keep the count of every reference tokenizer within tokens × (1 ± errorMargin)', () => {
    for (const { name, provider, count } of tokenizers) {
      const within = (text: string) => {
        const estimate = estimateTokens(text, { provider });
        return Math.abs(count(text) / estimate.tokens - 1) <= estimate.errorMargin;
      };
      for (const [label, text] of Object.entries(crSamples)) {
        expect({ name, label, within: within(text) }).toEqual({ name, label, within: true });
      }
      // Text with CR line endings wherever it is estimated within its margin with LF endings.
      for (const { id, text } of heldOut) {
        if (!within(text)) continue;
        const mac = text.replaceAll('\n', '\r');
        expect({ name, id, within: within(mac) }).toEqual({ name, id, within: true });
      }
    }
  }, 60_000);
});
