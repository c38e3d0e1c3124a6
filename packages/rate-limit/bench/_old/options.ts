/**
 * Option types of `@x/rate-limit` and their validation. Misuse throws a `TypeError` (wrong type)
 * or a `RangeError` (right type, out of range) that says what was expected and what was got.
 */

/** Options of {@link createTokenBucket}. */
export interface TokenBucketOptions {
  /**
   * Tokens added per second, continuously (sub-millisecond refill).
   * Range: a finite number > 0.
   */
  ratePerSecond: number;
  /**
   * The most tokens the bucket holds: the burst.
   * @default ratePerSecond
   * Range: a finite number > 0.
   */
  capacity?: number;
  /**
   * Tokens in the bucket at creation.
   * @default capacity
   * Range: 0 to `capacity`.
   */
  initialTokens?: number;
  /**
   * The most `acquire()` calls that may wait at once; one more rejects with `QueueFullError`.
   * @default Infinity
   * Range: an integer >= 0, or `Infinity`.
   */
  maxQueue?: number;
}

/** One limit of a {@link createRateLimiter} (for example `requests` or `tokens`). */
export interface LimitOptions {
  /** Units added per second. Range: a finite number > 0. */
  ratePerSecond: number;
  /**
   * The burst: the most units a key holds.
   * @default ratePerSecond
   */
  capacity?: number;
}

/** Options of one `acquire()` call. */
export interface AcquireOptions {
  /** Aborting it removes this waiter from the queue and rejects with `signal.reason`. */
  signal?: AbortSignal;
  /**
   * The longest the call may wait, in ms. When the predicted wait already exceeds it, the call
   * rejects at once with `RateLimitTimeoutError` and nothing is queued.
   * @default undefined (wait as long as it takes)
   */
  timeoutMs?: number;
}

/** @internal a validated limit */
export interface NormalizedLimit {
  readonly name: string;
  readonly ratePerSecond: number;
  /** units per millisecond */
  readonly ratePerMs: number;
  readonly capacity: number;
}

function describe(value: unknown): string {
  let shown: string;
  if (typeof value === 'string') shown = JSON.stringify(value);
  else if (typeof value === 'bigint') shown = `${value}n`;
  else if (typeof value === 'function') shown = '[function]';
  else if (typeof value === 'object' && value !== null)
    shown = Array.isArray(value) ? '[array]' : '[object]';
  else shown = String(value);
  return `\`${shown}\` (${value === null ? 'null' : typeof value})`;
}

/** @internal */
export function expectNumber(
  name: string,
  value: unknown,
  min: number,
  exclusive: boolean,
): number {
  if (typeof value !== 'number') {
    throw new TypeError(
      `Expected \`${name}\` to be a finite number ${exclusive ? '>' : '>='} ${min}, got ${describe(value)}`,
    );
  }
  if (!Number.isFinite(value) || (exclusive ? value <= min : value < min)) {
    throw new RangeError(
      `Expected \`${name}\` to be a finite number ${exclusive ? '>' : '>='} ${min}, got ${describe(value)}`,
    );
  }
  return value;
}

/** @internal an integer >= 0 or Infinity */
export function expectQueueLimit(name: string, value: unknown): number {
  if (typeof value !== 'number') {
    throw new TypeError(
      `Expected \`${name}\` to be an integer >= 0 or Infinity, got ${describe(value)}`,
    );
  }
  if (value !== Number.POSITIVE_INFINITY && !(Number.isInteger(value) && value >= 0)) {
    throw new RangeError(
      `Expected \`${name}\` to be an integer >= 0 or Infinity, got ${describe(value)}`,
    );
  }
  return value;
}

/** @internal */
export function expectTimeout(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  return expectNumber('timeoutMs', value, 0, false);
}

/** @internal */
export function expectSignal(value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof (value as AbortSignal).aborted !== 'boolean'
  ) {
    throw new TypeError(`Expected \`signal\` to be an AbortSignal, got ${describe(value)}`);
  }
  return value as AbortSignal;
}

/** @internal a RangeError for a cost that can never be admitted (or is not a number >= 0). */
export function costError(name: string, cost: unknown, capacity: number): Error {
  const message = `Expected \`${name}\` to be a finite number >= 0 and <= capacity ${capacity}, got ${describe(cost)}`;
  return typeof cost === 'number' ? new RangeError(message) : new TypeError(message);
}

/** @internal */
export function normalizeLimit(name: string, options: unknown): NormalizedLimit {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`Expected \`${name}\` to be an object, got ${describe(options)}`);
  }
  const o = options as LimitOptions;
  const ratePerSecond = expectNumber(`${name}.ratePerSecond`, o.ratePerSecond, 0, true);
  const capacity =
    o.capacity === undefined
      ? ratePerSecond
      : expectNumber(`${name}.capacity`, o.capacity, 0, true);
  return { name, ratePerSecond, ratePerMs: ratePerSecond / 1000, capacity };
}

/** @internal */
export interface NormalizedBucketOptions {
  limit: NormalizedLimit;
  initialTokens: number;
  maxQueue: number;
}

/** @internal */
export function normalizeTokenBucketOptions(options: unknown): NormalizedBucketOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`Expected \`options\` to be an object, got ${describe(options)}`);
  }
  const o = options as TokenBucketOptions;
  const ratePerSecond = expectNumber('ratePerSecond', o.ratePerSecond, 0, true);
  const capacity =
    o.capacity === undefined ? ratePerSecond : expectNumber('capacity', o.capacity, 0, true);
  let initialTokens = capacity;
  if (o.initialTokens !== undefined) {
    initialTokens = expectNumber('initialTokens', o.initialTokens, 0, false);
    if (initialTokens > capacity) {
      throw new RangeError(
        `Expected \`initialTokens\` to be a finite number >= 0 and <= capacity ${capacity}, got ${describe(initialTokens)}`,
      );
    }
  }
  const maxQueue =
    o.maxQueue === undefined ? Number.POSITIVE_INFINITY : expectQueueLimit('maxQueue', o.maxQueue);
  return {
    limit: { name: 'tokens', ratePerSecond, ratePerMs: ratePerSecond / 1000, capacity },
    initialTokens,
    maxQueue,
  };
}
