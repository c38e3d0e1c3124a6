import { describe, expect, it } from 'vitest';
import { rateLimitPresets } from './presets';
import { createTokenBucket } from './token-bucket';

describe('rateLimitPresets', () => {
  it('holds the provider rates from the specification, frozen', () => {
    expect(rateLimitPresets).toEqual({
      openai: { ratePerSecond: 60, capacity: 60 },
      ollama: { ratePerSecond: 10, capacity: 10 },
      gemini: { ratePerSecond: 15, capacity: 15 },
      perplexity: { ratePerSecond: 5, capacity: 5 },
    });
    expect(Object.isFrozen(rateLimitPresets)).toBe(true);
    expect(Object.isFrozen(rateLimitPresets.openai)).toBe(true);
  });

  it('spreads into createTokenBucket with a custom burst', () => {
    const bucket = createTokenBucket({ ...rateLimitPresets.perplexity, capacity: 2 });
    expect(bucket.stats()).toMatchObject({ ratePerSecond: 5, capacity: 2 });
  });
});
