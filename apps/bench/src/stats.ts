/** Small, dependency-free statistics used by the micro runner and the load engine. */

/** Sorts a copy ascending. */
export function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/**
 * Percentile by linear interpolation between closest ranks, on an ascending array.
 * `p` is in [0, 100]. Returns NaN for an empty array.
 */
export function percentile(ascending: readonly number[], p: number): number {
  const n = ascending.length;
  if (n === 0) return Number.NaN;
  if (n === 1) return ascending[0]!;
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = ascending[lo]!;
  const b = ascending[hi]!;
  return a + (b - a) * (rank - lo);
}

export function median(values: readonly number[]): number {
  return percentile(sorted(values), 50);
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * Relative spread of samples around their median, in percent: half the range (max - min)
 * divided by the median. Chosen over a standard deviation because with 3-7 samples on a busy
 * machine the honest statement is "the samples ranged ±x% around the median".
 */
export function spreadPercent(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const s = sorted(values);
  const m = percentile(s, 50);
  if (m === 0) return 0;
  return ((s[s.length - 1]! - s[0]!) / 2 / m) * 100;
}

export interface Summary {
  count: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}

/** Summary of a latency (or any) distribution. All NaN-free: an empty input gives zeros. */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) {
    return { count: 0, min: 0, max: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0 };
  }
  const s = sorted(values);
  return {
    count: s.length,
    min: s[0]!,
    max: s[s.length - 1]!,
    mean: mean(s),
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p95: percentile(s, 95),
    p99: percentile(s, 99),
  };
}
