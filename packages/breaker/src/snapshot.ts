import { expected } from '@x/internal';

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

// A count above 2^53 cannot be added to or subtracted from exactly, so a window holding one drifts
// as its buckets age out (failures above calls, rates above 1). No breaker ever counted that far.
const count = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const COUNT = 'an integer from 0 to 2^53-1';
/**
 * Most calls a restored time window may hold. Real calls are added to the restored ones, so the
 * window must leave room for them to stay exact: 2^52 more is beyond any traffic in a window.
 */
const MAX_WINDOW_CALLS = 2 ** 52;

function isBucket(bucket: unknown): bucket is readonly [number, number, number] {
  return (
    Array.isArray(bucket) &&
    bucket.length === 3 &&
    bucket.every(count) &&
    bucket[1]! <= bucket[0]! &&
    bucket[2]! <= bucket[0]!
  );
}
const nonNegative = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0;

function check(ok: boolean, field: string, what: string, value: unknown): void {
  if (!ok)
    throw new TypeError(expected(field === '' ? 'restore' : `restore.${field}`, what, value));
}

/** @internal Validates a snapshot (it may come from disk or another process). */
export function parseSnapshot(value: unknown): BreakerSnapshot {
  check(typeof value === 'object' && value !== null, '', 'a snapshot from breaker.toJSON()', value);
  const snapshot = value as Record<string, unknown>;
  check(snapshot.v === 1, 'v', '1', snapshot.v);
  check(typeof snapshot.name === 'string', 'name', 'a string', snapshot.name);
  check(
    nonNegative(snapshot.savedAt),
    'savedAt',
    'an epoch time in milliseconds',
    snapshot.savedAt,
  );
  check(
    snapshot.state === 'closed' || snapshot.state === 'open' || snapshot.state === 'half-open',
    'state',
    "'closed', 'open' or 'half-open'",
    snapshot.state,
  );
  check(typeof snapshot.isolated === 'boolean', 'isolated', 'a boolean', snapshot.isolated);
  check(
    nonNegative(snapshot.openTimeoutMs),
    'openTimeoutMs',
    'a finite number >= 0',
    snapshot.openTimeoutMs,
  );
  check(
    nonNegative(snapshot.retryAfterMs),
    'retryAfterMs',
    'a finite number >= 0',
    snapshot.retryAfterMs,
  );
  check(
    count(snapshot.consecutiveFailures),
    'consecutiveFailures',
    COUNT,
    snapshot.consecutiveFailures,
  );
  check(
    count(snapshot.consecutiveSuccesses),
    'consecutiveSuccesses',
    COUNT,
    snapshot.consecutiveSuccesses,
  );
  const window = snapshot.window as Record<string, unknown> | null;
  if (window !== null) {
    check(typeof window === 'object', 'window', 'null or a window snapshot', window);
    if (window.type === 'count') {
      check(
        Array.isArray(window.outcomes) &&
          window.outcomes.every((outcome) => count(outcome) && outcome <= 3),
        'window.outcomes',
        'an array of integers from 0 to 3',
        window.outcomes,
      );
    } else if (window.type === 'time') {
      check(
        typeof window.bucketMs === 'number' &&
          Number.isFinite(window.bucketMs) &&
          window.bucketMs > 0,
        'window.bucketMs',
        'a finite number > 0',
        window.bucketMs,
      );
      check(
        nonNegative(window.offsetMs),
        'window.offsetMs',
        'a finite number >= 0',
        window.offsetMs,
      );
      const buckets = window.buckets;
      check(
        Array.isArray(buckets) && buckets.every(isBucket),
        'window.buckets',
        'an array of [calls, failures, slow] triples of integers from 0 to 2^53-1, failures and slow <= calls',
        buckets,
      );
      let calls = 0;
      for (const bucket of buckets as readonly (readonly [number, number, number])[])
        calls += bucket[0];
      check(
        calls <= MAX_WINDOW_CALLS,
        'window.buckets',
        'buckets whose calls add up to at most 2^52',
        buckets,
      );
    } else check(false, 'window.type', "'count' or 'time'", window.type);
  }
  return snapshot as unknown as BreakerSnapshot;
}
