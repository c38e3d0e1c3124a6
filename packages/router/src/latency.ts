/**
 * The penalty a failure that counts against a deployment adds to its `lowest-latency` score, in
 * ms: longer than any answer a healthy deployment takes, so one that fails ranks behind those
 * that answer. A failure has no latency of its own worth averaging: a refused connection fails in
 * a millisecond, and would rank the dead deployment first.
 */
const FAILURE_PENALTY_MS = 30_000;

/**
 * The penalty halves every this many ms, so a deployment that failed gets tried again after a
 * while (about two minutes against answers of 10 ms) without waiting for exploration, the way
 * LiteLLM's latency penalty ages out of its window.
 */
const PENALTY_HALF_LIFE_MS = 10_000;

/**
 * How one kind of call (`complete`, `stream`, `embed`) fares on one deployment, for
 * `lowest-latency`: an exponential moving average of the answered calls' latencies, plus a
 * decaying penalty for the failures since the last answer.
 */
export class LatencyScore {
  /** The moving average of answered calls, in ms (`stats().deployments[id].latencyMs`). */
  value: number | undefined;
  /** The penalty when it was last raised, and when (`performance.now()` time). */
  #penaltyMs = 0;
  #penaltyAt = 0;
  /** An attempt ended, answered or failed: "never measured first" is for the untried only. */
  #tried = false;

  /** An answer after `sample` ms: it speaks for the deployment now, so the penalty goes. */
  answered(sample: number, smoothing: number): void {
    this.value = this.value === undefined ? sample : this.value + smoothing * (sample - this.value);
    this.#penaltyMs = 0;
    this.#tried = true;
  }

  /** A failure that counts against the deployment: the penalty grows by one more. */
  failed(now: number): void {
    this.#penaltyMs = this.#penaltyLeft(now) + FAILURE_PENALTY_MS;
    this.#penaltyAt = now;
    this.#tried = true;
  }

  /**
   * Lower ranks first: -1 for a deployment never tried (so a new or recovered one is measured at
   * once), else its average (0 when none answered yet) plus what is left of its penalty.
   */
  score(now: number): number {
    if (!this.#tried) return -1;
    return (this.value ?? 0) + this.#penaltyLeft(now);
  }

  /** Forgotten (a cooldown): measured afresh when it comes back. */
  clear(): void {
    this.value = undefined;
    this.#penaltyMs = 0;
    this.#tried = false;
  }

  #penaltyLeft(now: number): number {
    if (this.#penaltyMs === 0) return 0;
    return this.#penaltyMs * 0.5 ** (Math.max(0, now - this.#penaltyAt) / PENALTY_HALF_LIFE_MS);
  }
}
