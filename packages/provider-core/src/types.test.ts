import { describe, expect, it } from 'vitest';
import { usageOf } from './types';

describe('usageOf', () => {
  it('sums the total when both counts are known, and leaves it undefined otherwise', () => {
    expect(usageOf(3, 4)).toEqual({ promptTokens: 3, completionTokens: 4, totalTokens: 7 });
    expect(usageOf(3, undefined)).toEqual({
      promptTokens: 3,
      completionTokens: undefined,
      totalTokens: undefined,
    });
  });
});
