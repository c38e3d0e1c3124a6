/**
 * Option types of `@x/rate-limit` and their validation. Misuse throws a `TypeError` (wrong type,
 * unknown key) or a `RangeError` (right type, out of range) that names the field and says what
 * was expected and what was got.
 */
import {
  closestKey,
  expectDuration,
  expected,
  expectKnownKeys,
  expectLogger,
  expectNumber,
  fail,
  isPlainObject,
  type KeyAliases,
  MAX_TIMER_MS,
  optionalSignal,
  PackageLog,
} from '@x/internal';
import type { RateLimitLogger } from './log';

/** Options of {@link createTokenBucket}. */
export interface TokenBucketOptions {
  /**
   * Tokens added per second, continuously (sub-millisecond refill).
   * Range: a finite number > 0.
   */
  ratePerSecond: number;
  /**
   * The most tokens the bucket holds: the burst.
   * @default ratePerSecond (which must then be >= 1, for the default cost of 1 to fit)
   * Range: a finite number >= 1.
   */
  capacity?: number | undefined;
  /**
   * Tokens in the bucket at creation.
   * @default capacity
   * Range: 0 to `capacity`.
   */
  initialTokens?: number | undefined;
  /**
   * The most `acquire()` calls that may wait at once; one more rejects with `QueueFullError`.
   * @default Infinity
   * Range: an integer >= 0, or `Infinity`.
   */
  maxQueue?: number | undefined;
  /**
   * pino, `console` or any {@link RateLimitLogger}: rejections at debug, pauses at info (see the README's Logging).
   * @default undefined (silent)
   */
  logger?: RateLimitLogger | undefined;
}

/** One limit of a {@link createRateLimiter} (for example `requests` or `tokens`). */
export interface LimitOptions {
  /** Units added per second. Range: a finite number > 0. */
  ratePerSecond: number;
  /**
   * The burst: the most units a key holds.
   * @default ratePerSecond
   */
  capacity?: number | undefined;
}

/** Options of one `acquire()` call. */
export interface AcquireOptions {
  /** Aborting it removes this waiter from the queue and rejects with `signal.reason`. */
  signal?: AbortSignal | undefined;
  /**
   * The longest the call may wait, in ms. When the predicted wait already exceeds it, the call
   * rejects at once with `RateLimitTimeoutError` and nothing is queued.
   * @default undefined (wait as long as it takes)
   * Range: 0 to 2^31-1 (Node's timer limit, about 24.8 days).
   */
  timeoutMs?: number | undefined;
}

/** @internal a validated limit */
export interface NormalizedLimit {
  readonly name: string;
  readonly ratePerSecond: number;
  /** units per millisecond */
  readonly ratePerMs: number;
  readonly capacity: number;
}

const POSITIVE = { min: 0, exclusiveMin: true } as const;
const QUEUE_LIMIT = { min: 0, integer: true, allowInfinity: true } as const;
const ACQUIRE_KEYS = ['signal', 'timeoutMs'] as const;
const LIMIT_KEYS = ['ratePerSecond', 'capacity'] as const;
const BUCKET_KEYS = ['ratePerSecond', 'capacity', 'initialTokens', 'maxQueue', 'logger'] as const;

/**
 * The names limiter (`tokensPerInterval`, `interval`), rate-limiter-flexible (`points`,
 * `duration`) and bottleneck (`maxConcurrent`, `reservoir`) give these options, for the
 * unknown-key error to name ours; an alias counts only where its target is a key of the call.
 */
const OPTION_ALIASES: KeyAliases = {
  rps: 'ratePerSecond',
  perSecond: 'ratePerSecond',
  tokensPerInterval: 'ratePerSecond',
  interval: 'ratePerSecond',
  points: 'ratePerSecond',
  duration: 'ratePerSecond',
  burst: 'capacity',
  bucketSize: 'capacity',
  reservoir: 'capacity',
  concurrency: 'maxConcurrent',
  limit: 'maxConcurrent',
  timeout: 'timeoutMs',
  queueSize: 'maxQueue',
  highWater: 'maxQueue',
  // the Redis store's outage policy: its listener is `onUnavailable()`; rate-limiter-flexible's
  // insurance limiter is what `'local'` does
  onUnavailable: 'outagePolicy',
  insuranceLimiter: 'outagePolicy',
};

/** @internal an options argument: a plain object with only known keys */
export function expectOptions(
  name: string | undefined,
  value: unknown,
  known: readonly string[],
): Record<string, unknown> {
  if (!isPlainObject(value)) fail(name ?? 'options', 'an object', value);
  expectKnownKeys(name, value, known, OPTION_ALIASES);
  return value;
}

/** @internal a finite number > 0 */
export function expectPositive(name: string, value: unknown): number {
  return expectNumber(name, value, POSITIVE);
}

/**
 * @internal A token bucket's capacity: a finite number >= 1, as the Redis bucket and the keyed
 * limiter (`limits.<name>.capacity`) require; below 1 the default cost of 1 could never fit.
 */
export function expectCapacity(name: string, value: unknown): number {
  return expectNumber(name, value, { min: 1 });
}

/** @internal an integer >= 0 or Infinity */
export function expectQueueLimit(name: string, value: unknown): number {
  return value === undefined ? Number.POSITIVE_INFINITY : expectNumber(name, value, QUEUE_LIMIT);
}

/**
 * @internal an optional duration a timer will wait: 0 to 2^31-1 ms. Checked on every `acquire()`,
 * so a valid value returns before the shared helper (which words the error) is called.
 */
export function optionalTimeout(name: string, value: unknown): number | undefined {
  if (value === undefined || (typeof value === 'number' && value >= 0 && value <= MAX_TIMER_MS)) {
    return value;
  }
  return expectDuration(name, value);
}

/**
 * @internal The per-call options of `acquire()`, checked on every call: the loop costs nothing
 * for the two known keys, and the shared helper words the error only for an unknown one.
 */
export function expectAcquireOptions(options: unknown): AcquireOptions {
  // A plain object (a Map or an array holds no option where it is read), an object literal told
  // by its `constructor` at this site's own inline cache, as `CostVectors.vector` tells costs:
  // `isPlainObject` alone timed 12-23 ns more per `acquire(key, costs, options)`, costs included.
  if (
    typeof options !== 'object' ||
    options === null ||
    (options.constructor === Object ? Array.isArray(options) : !isPlainObject(options))
  ) {
    fail('options', 'an object', options);
  }
  for (const key in options) {
    if (key !== 'signal' && key !== 'timeoutMs') expectKnownKeys(undefined, options, ACQUIRE_KEYS);
  }
  return options as AcquireOptions;
}

/**
 * @internal Checks an optional `signal` and says whether it is aborted already, reading
 * `aborted` (a getter that validates its receiver) once: `acquire()` calls this every time.
 */
export function readSignal(value: unknown): boolean {
  if (value === undefined) return false;
  const aborted =
    typeof value === 'object' && value !== null ? (value as AbortSignal).aborted : undefined;
  if (
    typeof aborted !== 'boolean' ||
    typeof (value as AbortSignal).addEventListener !== 'function'
  ) {
    optionalSignal('signal', value); // throws, worded the house way
  }
  return aborted as boolean;
}

/** @internal the error for a cost that is not a number, or can never be admitted */
export function costError(name: string, cost: unknown, capacity: number): Error {
  const message = expected(name, `a finite number >= 0 and <= capacity ${capacity}`, cost);
  return typeof cost === 'number' ? new RangeError(message) : new TypeError(message);
}

/** @internal an unknown limit name in costs or deltas, with the closest known one */
export function unknownLimit(name: string, key: string, known: readonly string[]): never {
  const near = closestKey(key, known);
  const hint =
    near !== undefined
      ? `did you mean \`${name}.${near}\`?`
      : `the limits are ${known.map((k) => `\`${k}\``).join(', ')}`;
  throw new TypeError(`Unknown limit \`${name}.${key}\`: ${hint}`);
}

/** @internal */
export function normalizeLimit(path: string, name: string, options: unknown): NormalizedLimit {
  const o = expectOptions(path, options, LIMIT_KEYS);
  const ratePerSecond = expectPositive(`${path}.ratePerSecond`, o.ratePerSecond);
  const capacity =
    o.capacity === undefined ? ratePerSecond : expectPositive(`${path}.capacity`, o.capacity);
  return { name, ratePerSecond, ratePerMs: ratePerSecond / 1000, capacity };
}

/**
 * @internal A token bucket's capacity when its options leave it out: its rate, refused below 1
 * (then the default cost of 1 could never be admitted, and every `tryAcquire()` would throw).
 */
export function defaultCapacity(ratePerSecond: number): number {
  if (ratePerSecond < 1) {
    fail(
      'capacity',
      [
        'set when `',
        'ratePerSecond',
        `\` is below 1 (its default, \`ratePerSecond\` ${ratePerSecond}, cannot hold the default cost of 1)`,
      ],
      undefined,
      true,
    );
  }
  return ratePerSecond;
}

/** @internal */
interface NormalizedBucketOptions {
  limit: NormalizedLimit;
  initialTokens: number;
  maxQueue: number;
  log: PackageLog;
}

/** @internal */
export function normalizeTokenBucketOptions(options: unknown): NormalizedBucketOptions {
  const o = expectOptions(undefined, options, BUCKET_KEYS);
  const ratePerSecond = expectPositive('ratePerSecond', o.ratePerSecond);
  const capacity =
    o.capacity === undefined
      ? defaultCapacity(ratePerSecond)
      : expectCapacity('capacity', o.capacity);
  let initialTokens = capacity;
  if (o.initialTokens !== undefined) {
    initialTokens = expectNumber('initialTokens', o.initialTokens, { min: 0 });
    if (initialTokens > capacity) {
      fail(
        'initialTokens',
        `a finite number >= 0 and <= capacity ${capacity}`,
        initialTokens,
        true,
      );
    }
  }
  return {
    limit: { name: 'tokens', ratePerSecond, ratePerMs: ratePerSecond / 1000, capacity },
    initialTokens,
    maxQueue: expectQueueLimit('maxQueue', o.maxQueue),
    log: new PackageLog('rate-limit', expectLogger('logger', o.logger)),
  };
}
