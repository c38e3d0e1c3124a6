import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BucketHistogram, SECONDS_BUCKETS, TOKEN_BUCKETS } from './buckets';

describe('BucketHistogram', () => {
  it('counts a value equal to a bound in that bound (le is inclusive) and cumulates upward', () => {
    const h = new BucketHistogram([1, 2, 5]);
    for (const v of [0, 1, 1.5, 2, 7]) h.record(v);
    expect(h.snapshot()).toEqual({
      bounds: [1, 2, 5],
      cumulative: [2, 4, 4, 5],
      sum: 11.5,
      count: 5,
    });
  });

  it('keeps cumulative counts non-decreasing, ending at the count, for any sample', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e4, noNaN: true })), (values) => {
        const h = new BucketHistogram(SECONDS_BUCKETS);
        for (const v of values) h.record(v);
        const { cumulative, count, sum } = h.snapshot();
        for (let i = 1; i < cumulative.length; i++) {
          expect(cumulative[i]!).toBeGreaterThanOrEqual(cumulative[i - 1]!);
        }
        expect(cumulative.at(-1)).toBe(values.length);
        expect(count).toBe(values.length);
        expect(sum).toBeCloseTo(
          values.reduce((a, b) => a + b, 0),
          6,
        );
        for (const [i, bound] of SECONDS_BUCKETS.entries()) {
          expect(cumulative[i]).toBe(values.filter((v) => v <= bound).length);
        }
      }),
    );
  });

  it('interpolates a quantile inside its bucket as histogram_quantile does', () => {
    const h = new BucketHistogram([1, 2, 4]);
    for (const v of [1.5, 1.5, 3, 3]) h.record(v);
    expect(h.quantile(0.5)).toBe(2);
    expect(h.quantile(0.75)).toBe(3);
    expect(h.quantile(1)).toBe(4);
    h.record(100);
    expect(h.quantile(1)).toBe(4);
    expect(new BucketHistogram([1]).quantile(0.5)).toBeUndefined();
  });

  it('ignores NaN, negative and infinite values', () => {
    const h = new BucketHistogram(TOKEN_BUCKETS);
    for (const v of [Number.NaN, -1, Number.POSITIVE_INFINITY]) h.record(v);
    expect(h.count).toBe(0);
    expect(h.sum).toBe(0);
  });
});
