import { expected } from './internal/describe';

/** The rate window part of a {@link BreakerSnapshot}. */
export type WindowSnapshot =
  | {
      readonly type: 'count';
      /** Outcomes, oldest first: bit 1 = failure, bit 2 = slow (0 = fast success). */
      readonly outcomes: readonly number[];
    }
  | {
      readonly type: 'time';
      /** Width of one bucket in milliseconds. */
      readonly bucketMs: number;
      /** How far into the newest bucket the snapshot was taken, in milliseconds. */
      readonly offsetMs: number;
      /** `[calls, failures, slow]` per bucket, newest (current) bucket first. */
      readonly buckets: readonly (readonly [number, number, number])[];
    };

/**
 * What `breaker.toJSON()` returns and `createBreaker({ restore })` accepts: plain JSON, safe to
 * store (no errors, no secrets). Times are relative to `savedAt` (epoch milliseconds), so a
 * snapshot restored later, or in another process, keeps only the open time that is left.
 */
export interface BreakerSnapshot {
  /** Format version, `1`. */
  readonly v: 1;
  /** The breaker's `name`. */
  readonly name: string;
  /** `Date.now()` when the snapshot was taken. */
  readonly savedAt: number;
  /** State when the snapshot was taken. */
  readonly state: 'closed' | 'open' | 'half-open';
  /**
   * Whether the breaker was held open by `isolate()`. Isolation is not restored (its release
   * functions belong to the process that took them): the restored breaker is open for one
   * open period instead.
   */
  readonly isolated: boolean;
  /** The current open period, grown by failed probes. */
  readonly openTimeoutMs: number;
  /** Milliseconds of the open period left at `savedAt` (0 unless open). */
  readonly retryAfterMs: number;
  /** Consecutive failures counted while closed. */
  readonly consecutiveFailures: number;
  /** Consecutive successful probes counted while half-open. */
  readonly consecutiveSuccesses: number;
  /** Contents of the rate window, or `null` without one. */
  readonly window: WindowSnapshot | null;
}

const count = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const nonNegative = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0;

function check(ok: boolean, field: string, what: string, value: unknown): void {
  if (!ok) throw new TypeError(expected(`restore.${field}`, what, value));
}

/** @internal Validates a snapshot (it may come from disk or another process). */
export function parseSnapshot(value: unknown): BreakerSnapshot {
  check(typeof value === 'object' && value !== null, '', 'a snapshot from breaker.toJSON()', value);
  const s = value as Record<string, unknown>;
  check(s.v === 1, 'v', '1', s.v);
  check(typeof s.name === 'string', 'name', 'a string', s.name);
  check(nonNegative(s.savedAt), 'savedAt', 'an epoch time in milliseconds', s.savedAt);
  check(
    s.state === 'closed' || s.state === 'open' || s.state === 'half-open',
    'state',
    "'closed', 'open' or 'half-open'",
    s.state,
  );
  check(typeof s.isolated === 'boolean', 'isolated', 'a boolean', s.isolated);
  check(nonNegative(s.openTimeoutMs), 'openTimeoutMs', 'a finite number >= 0', s.openTimeoutMs);
  check(nonNegative(s.retryAfterMs), 'retryAfterMs', 'a finite number >= 0', s.retryAfterMs);
  check(
    count(s.consecutiveFailures),
    'consecutiveFailures',
    'an integer >= 0',
    s.consecutiveFailures,
  );
  check(
    count(s.consecutiveSuccesses),
    'consecutiveSuccesses',
    'an integer >= 0',
    s.consecutiveSuccesses,
  );
  const w = s.window as Record<string, unknown> | null;
  if (w !== null) {
    check(typeof w === 'object', 'window', 'null or a window snapshot', w);
    if (w.type === 'count') {
      check(
        Array.isArray(w.outcomes) && w.outcomes.every((o) => count(o) && o <= 3),
        'window.outcomes',
        'an array of integers from 0 to 3',
        w.outcomes,
      );
    } else if (w.type === 'time') {
      check(
        typeof w.bucketMs === 'number' && Number.isFinite(w.bucketMs) && w.bucketMs > 0,
        'window.bucketMs',
        'a finite number > 0',
        w.bucketMs,
      );
      check(nonNegative(w.offsetMs), 'window.offsetMs', 'a finite number >= 0', w.offsetMs);
      check(
        Array.isArray(w.buckets) &&
          w.buckets.every(
            (b) =>
              Array.isArray(b) &&
              b.length === 3 &&
              b.every(count) &&
              b[1]! <= b[0]! &&
              b[2]! <= b[0]!,
          ),
        'window.buckets',
        'an array of [calls, failures, slow] integer triples',
        w.buckets,
      );
    } else check(false, 'window.type', "'count' or 'time'", w.type);
  }
  return s as unknown as BreakerSnapshot;
}
