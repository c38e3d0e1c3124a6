import { describe, expect, it } from 'vitest';
import { createRandom } from './random';

describe('createRandom', () => {
  it('draws the same floats in [0, 1) for the same seed', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const draws = Array.from({ length: 1000 }, () => a());
    expect(draws).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('draws the mulberry32 sequence (seed 1 starts at 0.6270739405881613)', () => {
    const random = createRandom(1);
    expect(random()).toBe(0.6270739405881613);
    expect(Array.from({ length: 2 }, () => Math.floor(random() * 2 ** 32))).toEqual([
      11749833, 2265367787,
    ]);
  });

  it('draws another sequence for another seed', () => {
    expect(createRandom(1)()).not.toBe(createRandom(2)());
  });
});
