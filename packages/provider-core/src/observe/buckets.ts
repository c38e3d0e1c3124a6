/**
 * Fixed-boundary histograms, the shape Prometheus aggregates: a count per upper bound (`le`), a
 * sum and a count. Unlike quantiles computed in one process, bucket counts of several instances
 * add up, so `histogram_quantile(0.99, sum by (le) (rate(..._bucket[5m])))` is right across a fleet.
 */

/**
 * Seconds, for call latency, time to first token and rate-limit waits: 5 ms (a cache-near answer,
 * a limiter that barely waited) to 10 minutes (a long generation on a loaded local model), dense
 * where LLM calls live (0.25 s to 30 s).
 */
export const SECONDS_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60, 120, 300, 600,
]);

/**
 * Tokens of one call (prompt or completion): powers of 4 from 1 to 67,108,864, the boundaries the
 * OpenTelemetry GenAI conventions advise for `gen_ai.client.token.usage`.
 */
export const TOKEN_BUCKETS: readonly number[] = Object.freeze([
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
]);

/** Generation speed in tokens per second: a CPU-bound model (1/s) to a hosted one (2500/s). */
export const TOKENS_PER_SECOND_BUCKETS: readonly number[] = Object.freeze([
  1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500,
]);

/** The state of a {@link BucketHistogram}, cumulative like Prometheus's `_bucket` series. */
export interface BucketSnapshot {
  /** Upper bounds, ascending; `+Inf` is implied. */
  bounds: readonly number[];
  /** Observations <= each bound (cumulative), then the `+Inf` bucket (= `count`). */
  cumulative: number[];
  sum: number;
  count: number;
}

export class BucketHistogram {
  readonly bounds: readonly number[];
  /**
   * The bounds searched on every record: one typed array for every histogram. The frozen arrays
   * above hold integers in one and fractions in another (two element kinds), which turned the
   * search's reads into generic keyed loads, about 1,100 instructions of a call's six records.
   */
  readonly #search: Float64Array;
  /** Per-bucket (not cumulative) counts; the last slot is above the highest bound. */
  readonly #counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.#search = Float64Array.from(bounds);
    this.#counts = new Float64Array(bounds.length + 1);
  }

  /** Records one value; NaN, negative and infinite values are ignored. */
  record(value: number): void {
    if (!(value >= 0) || !Number.isFinite(value)) return;
    const bounds = this.#search;
    // Binary search for the first bound >= value (`le` is inclusive).
    let lo = 0;
    let hi = bounds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (bounds[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    this.#counts[lo]!++;
    this.sum += value;
    this.count++;
  }

  snapshot(): BucketSnapshot {
    const cumulative: number[] = [];
    let running = 0;
    for (const n of this.#counts) {
      running += n;
      cumulative.push(running);
    }
    return { bounds: this.bounds, cumulative, sum: this.sum, count: this.count };
  }

  /**
   * The value at quantile q in [0, 1], interpolated linearly inside its bucket as Prometheus's
   * `histogram_quantile` does; the highest bound when it falls in the `+Inf` bucket; undefined
   * when empty.
   */
  quantile(q: number): number | undefined {
    if (this.count === 0) return undefined;
    const rank = q * this.count;
    let below = 0;
    for (let i = 0; i < this.bounds.length; i++) {
      const n = this.#counts[i]!;
      if (below + n >= rank && n > 0) {
        const lower = i === 0 ? 0 : this.bounds[i - 1]!;
        const upper = this.bounds[i]!;
        return lower + (upper - lower) * ((rank - below) / n);
      }
      below += n;
    }
    return this.bounds[this.bounds.length - 1];
  }
}
