import { describe, expect, it } from 'vitest';
import { median, percentile, spreadPercent, summarize } from './stats';

describe('percentile', () => {
  it('interpolates between ranks when the rank falls between two values', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([10], 99)).toBe(10);
    expect(Number.isNaN(percentile([], 50))).toBe(true);
  });
});

describe('median', () => {
  it('returns the middle value when the input is unsorted', () => {
    expect(median([5, 1, 3])).toBe(3);
  });
});

describe('spreadPercent', () => {
  it('returns half the range over the median when there are several samples', () => {
    expect(spreadPercent([90, 100, 110])).toBeCloseTo(10);
    expect(spreadPercent([100])).toBe(0);
  });
});

describe('summarize', () => {
  it('returns zeros when there is no value', () => {
    expect(summarize([])).toEqual({
      count: 0,
      min: 0,
      max: 0,
      mean: 0,
      p50: 0,
      p90: 0,
      p95: 0,
      p99: 0,
    });
  });
  it('returns ordered percentiles when values are given', () => {
    const s = summarize(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(s.count).toBe(100);
    expect(s.min).toBe(1);
    expect(s.max).toBe(100);
    expect(s.p50).toBeCloseTo(50.5);
    expect(s.p99).toBeGreaterThan(s.p95);
  });
});
