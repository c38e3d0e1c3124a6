import { describe, expect, it } from 'vitest';
import { embeddingsMismatch } from './embeddings';

describe('embeddingsMismatch', () => {
  it('accepts one vector of finite numbers per input, all of one length (none for no input)', () => {
    expect(
      embeddingsMismatch(
        [
          [0.1, -2],
          [3, 4e-8],
        ],
        2,
      ),
    ).toBeUndefined();
    expect(embeddingsMismatch([], 0)).toBeUndefined();
  });

  it('names what is wrong when the answer is not what was asked', () => {
    expect(embeddingsMismatch([], 2)).toBe('2 inputs, 0 embeddings');
    expect(embeddingsMismatch([[1], [2], [3]], 1)).toBe('1 input, 3 embeddings');
    expect(embeddingsMismatch([null], 1)).toBe('embedding 0 is not a list of numbers');
    expect(embeddingsMismatch([[1], []], 2)).toBe('embedding 1 is empty');
    expect(embeddingsMismatch([['a']], 1)).toBe(
      'embedding 0 holds a string at 0, not a finite number',
    );
    expect(embeddingsMismatch([[1, Number.NaN]], 1)).toBe(
      'embedding 0 holds NaN at 1, not a finite number',
    );
    expect(embeddingsMismatch([[1, 2], [3]], 2)).toBe(
      'embedding 1 has 1 number, embedding 0 has 2',
    );
  });
});
