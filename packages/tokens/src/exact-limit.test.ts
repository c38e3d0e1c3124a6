import { describe, expect, it } from 'vitest';
import { corpus } from './__fixtures__/corpus';
import { countChatTokens } from './chat';
import { fitsContext } from './context';
import { countTokens } from './count-tokens';
import { estimateTokens } from './estimate';

// Texts the heuristic overestimates most (README, "Estimator accuracy", and runs it rates high):
// if skipping the exact count is safe for them, it is for milder text.
const HARD = [
  'ÿ'.repeat(20_000),
  '{'.repeat(20_000),
  '\u0001'.repeat(20_000),
  '👨‍👩‍👧‍👦'.repeat(2_000),
  '漢'.repeat(20_000),
  'a'.repeat(20_000),
  Array.from({ length: 20_000 }, (_, i) => 'aZ漢Д١α😀ñ.-'[(i * 7919) % 10]).join(''),
];

describe('estimateTokens with exactLimit', () => {
  it('returns the heuristic estimate, without counting exactly, for a text far past the limit', () => {
    const text = 'a'.repeat(4e6);
    const estimate = estimateTokens(text, { model: 'gpt-4o', exactLimit: 128_000 });
    expect(estimate.method).toBe('heuristic');
    expect(estimate.errorMargin).toBeGreaterThan(0);
    // The exact count is 500,000 (8 letters a token): the estimate is within its margin.
    expect(Math.abs(estimate.tokens / 500_000 - 1)).toBeLessThanOrEqual(estimate.errorMargin);
  });

  it('skips the exact count of a chat far past the limit too', () => {
    const messages = [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: '!?😀'.repeat(3e5) },
    ];
    const estimate = estimateTokens(messages, { model: 'gpt-4o', exactLimit: 100_000 });
    expect(estimate.method).toBe('heuristic');
    expect(estimate.tokens).toBeGreaterThan(200_000);
  });

  it('counts exactly whatever may fit: never skips a text whose exact count is the limit', () => {
    for (const text of [...HARD, ...corpus.map((s) => s.text)]) {
      const exact = countTokens(text, { model: 'gpt-4o' });
      const estimate = estimateTokens(text, { model: 'gpt-4o', exactLimit: exact });
      expect(estimate, text.slice(0, 20)).toMatchObject({ tokens: exact, method: 'exact' });
    }
    const chat = [{ role: 'user', content: HARD[0]! }];
    const exact = countChatTokens(chat, { model: 'gpt-4o' });
    expect(estimateTokens(chat, { model: 'gpt-4o', exactLimit: exact }).method).toBe('exact');
  });

  it('leaves models without an encoding as they were', () => {
    const options = { model: 'llama3.2:3b', provider: 'ollama' } as const;
    const text = 'a'.repeat(1e5);
    expect(estimateTokens(text, { ...options, exactLimit: 10 })).toEqual(
      estimateTokens(text, options),
    );
  });

  it('rejects a limit that is not a non-negative number', () => {
    expect(() => estimateTokens('hi', { model: 'gpt-4o', exactLimit: -1 })).toThrow(RangeError);
    expect(() =>
      estimateTokens('hi', { model: 'gpt-4o', exactLimit: '5' as unknown as number }),
    ).toThrow(TypeError);
  });
});

describe('fitsContext', () => {
  it('answers a prompt far past the window from the estimate', () => {
    const fit = fitsContext('a'.repeat(4e6), { model: 'gpt-4o', contextWindow: 128_000 });
    expect(fit).toMatchObject({ fits: false, method: 'heuristic' });
    expect(fit.overflowBy).toBeGreaterThan(100_000);
  });

  it('still counts a prompt that may fit exactly', () => {
    const text = 'a'.repeat(2e4);
    const fit = fitsContext(text, { model: 'gpt-4o', contextWindow: 2_500 });
    expect(fit).toMatchObject({ fits: true, method: 'exact', promptTokens: 2_500 });
  });
});
