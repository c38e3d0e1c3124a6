import type { ResolvedWindow } from '../options';
import type { WindowSnapshot } from '../snapshot';

const FAILURE = 1;
const SLOW = 2;

/** Number of buckets a time window is divided into. */
export const TIME_BUCKETS = 10;

/**
 * A rate window. `total`, `failures` and `slow` are the current counts; for a time window they
 * are only current after `advance(now)`.
 */
export interface RateWindow {
  total: number;
  failures: number;
  slow: number;
  advance(now: number): void;
  record(now: number, failure: boolean, slow: boolean): void;
  reset(): void;
  snapshot(now: number): WindowSnapshot;
  restore(snapshot: WindowSnapshot, elapsedMs: number, now: number): void;
}

/** The last `size` outcomes in a ring. */
export class CountWindow implements RateWindow {
  total = 0;
  failures = 0;
  slow = 0;
  private readonly ring: Uint8Array;
  private next = 0;

  constructor(readonly size: number) {
    this.ring = new Uint8Array(size);
  }

  advance(_now: number): void {}

  record(_now: number, failure: boolean, slow: boolean): void {
    const ring = this.ring;
    const at = this.next;
    if (this.total === this.size) {
      const old = ring[at]!;
      this.failures -= old & FAILURE;
      this.slow -= old >> 1;
    } else this.total++;
    ring[at] = (failure ? FAILURE : 0) | (slow ? SLOW : 0);
    if (failure) this.failures++;
    if (slow) this.slow++;
    this.next = at + 1 === this.size ? 0 : at + 1;
  }

  reset(): void {
    this.total = this.failures = this.slow = this.next = 0;
  }

  snapshot(): WindowSnapshot {
    const outcomes: number[] = [];
    const start = this.total === this.size ? this.next : 0;
    for (let i = 0; i < this.total; i++) outcomes.push(this.ring[(start + i) % this.size]!);
    return { type: 'count', outcomes };
  }

  restore(snapshot: WindowSnapshot): void {
    this.reset();
    if (snapshot.type !== 'count') return;
    const outcomes = snapshot.outcomes.slice(-this.size);
    for (const o of outcomes) this.record(0, (o & FAILURE) !== 0, (o & SLOW) !== 0);
  }
}

/**
 * Outcomes of the last `durationMs`, in {@link TIME_BUCKETS} buckets of `durationMs / 10`: a call
 * is forgotten between 90% and 100% of `durationMs` after it completed, and an idle gap longer
 * than the window empties it.
 */
export class TimeWindow implements RateWindow {
  total = 0;
  failures = 0;
  slow = 0;
  readonly bucketMs: number;
  private readonly calls = new Float64Array(TIME_BUCKETS);
  private readonly fails = new Float64Array(TIME_BUCKETS);
  private readonly slows = new Float64Array(TIME_BUCKETS);
  /** Absolute index (time / bucketMs) of the newest bucket. */
  private head = Number.NEGATIVE_INFINITY;

  constructor(readonly durationMs: number) {
    this.bucketMs = durationMs / TIME_BUCKETS;
  }

  advance(now: number): void {
    const index = Math.floor(now / this.bucketMs);
    const head = this.head;
    if (index <= head) return;
    if (index - head >= TIME_BUCKETS) {
      if (this.total !== 0) this.clearAll();
    } else {
      for (let i = head + 1; i <= index; i++) {
        const slot = i % TIME_BUCKETS;
        this.total -= this.calls[slot]!;
        this.failures -= this.fails[slot]!;
        this.slow -= this.slows[slot]!;
        this.calls[slot] = this.fails[slot] = this.slows[slot] = 0;
      }
    }
    this.head = index;
  }

  record(now: number, failure: boolean, slow: boolean): void {
    this.advance(now);
    const slot = this.head % TIME_BUCKETS;
    this.calls[slot]!++;
    this.total++;
    if (failure) {
      this.fails[slot]!++;
      this.failures++;
    }
    if (slow) {
      this.slows[slot]!++;
      this.slow++;
    }
  }

  private clearAll(): void {
    this.calls.fill(0);
    this.fails.fill(0);
    this.slows.fill(0);
    this.total = this.failures = this.slow = 0;
  }

  reset(): void {
    this.clearAll();
    this.head = Number.NEGATIVE_INFINITY;
  }

  snapshot(now: number): WindowSnapshot {
    this.advance(now);
    const buckets: [number, number, number][] = [];
    if (this.total > 0) {
      for (let age = 0; age < TIME_BUCKETS; age++) {
        const slot = (((this.head - age) % TIME_BUCKETS) + TIME_BUCKETS) % TIME_BUCKETS;
        buckets.push([this.calls[slot]!, this.fails[slot]!, this.slows[slot]!]);
      }
    }
    return {
      type: 'time',
      bucketMs: this.bucketMs,
      offsetMs: now - this.head * this.bucketMs,
      buckets,
    };
  }

  restore(snapshot: WindowSnapshot, elapsedMs: number, now: number): void {
    this.reset();
    if (snapshot.type !== 'time' || snapshot.bucketMs !== this.bucketMs) return;
    this.advance(now);
    // Ages are counted in whole buckets from the bucket the snapshot was taken in.
    const shift = Math.floor((snapshot.offsetMs + Math.max(0, elapsedMs)) / this.bucketMs);
    snapshot.buckets.forEach(([calls, failures, slow], age) => {
      const newAge = age + shift;
      if (newAge >= TIME_BUCKETS) return;
      const slot = (((this.head - newAge) % TIME_BUCKETS) + TIME_BUCKETS) % TIME_BUCKETS;
      this.calls[slot] = calls;
      this.fails[slot] = failures;
      this.slows[slot] = slow;
      this.total += calls;
      this.failures += failures;
      this.slow += slow;
    });
  }
}

/** @internal */
export function createWindow(options: ResolvedWindow): RateWindow {
  return options.type === 'count' ? new CountWindow(options.size) : new TimeWindow(options.size);
}
