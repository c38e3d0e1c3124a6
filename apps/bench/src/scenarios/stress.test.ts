import { describe, expect, it } from 'vitest';
import { saturationLevel } from './stress';

describe('saturationLevel', () => {
  it('returns the step after which throughput stops growing when the curve flattens', () => {
    const steps = [
      { concurrency: 1, throughput: 100 },
      { concurrency: 4, throughput: 385 },
      { concurrency: 16, throughput: 397 },
      { concurrency: 64, throughput: 428 },
    ];
    expect(saturationLevel(steps)).toBe(4);
  });
  it('returns undefined when every step still adds throughput', () => {
    expect(
      saturationLevel([
        { concurrency: 1, throughput: 10 },
        { concurrency: 2, throughput: 20 },
      ]),
    ).toBeUndefined();
  });
});
