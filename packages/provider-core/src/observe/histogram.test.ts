import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Histogram } from './histogram';

describe('Histogram', () => {
  it('returns quantiles within 4% of the exact value for any sample', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.constantFrom(0.5, 0.9, 0.99),
        (values, q) => {
          const h = new Histogram();
          for (const v of values) h.record(v);
          const sorted = [...values].sort((a, b) => a - b);
          const exact = sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
          const got = h.quantile(q)!;
          expect(Math.abs(got - exact) / exact).toBeLessThanOrEqual(0.041);
        },
      ),
    );
  });

  it('reports an empty snapshot with undefined quantiles and ignores invalid values', () => {
    const h = new Histogram();
    h.record(Number.NaN);
    h.record(-1);
    expect(h.snapshot()).toEqual({
      count: 0,
      mean: undefined,
      min: undefined,
      max: undefined,
      p50: undefined,
      p90: undefined,
      p99: undefined,
    });
  });
});
