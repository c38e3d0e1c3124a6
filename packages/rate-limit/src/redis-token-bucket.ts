/**
 * One token bucket shared through Redis: a one-limit rate limiter on a Redis store, with the
 * bucket's shape (`tryAcquire(cost)`, `acquire(cost, options)`) and its own option names.
 */
import { expectKeyLabel, fail, toWellFormed } from '@x/internal';
import type { RateLimitRejectEvent } from './events';
import {
  type AcquireOptions,
  costError,
  defaultCapacity,
  expectCapacity,
  expectOptions,
  expectPositive,
} from './options';
import { createNamedRateLimiter } from './rate-limiter';
import type { RateLimiterStats } from './rate-limiter-api';
import {
  BUCKET_KEYS,
  type RedisRecoveredEvent,
  type RedisStoreOptions,
  type RedisUnavailableEvent,
  resolveRedisStoreOptions,
} from './redis-options';
import { RedisStoreImpl } from './redis-store';

/** Options of {@link createRedisTokenBucket}. */
export interface RedisTokenBucketOptions extends RedisStoreOptions {
  /**
   * The bucket's key: stored at `prefix + 'bucket|' + key` in Redis; every process using it
   * shares one bucket. A label of 1 to 200 printable characters holding no credential (a URL
   * with a password, an `sk-...` key): else a `RangeError` that shows it as `[redacted]`.
   */
  key: string;
  /** Tokens added per second. Range: a finite number > 0. */
  ratePerSecond: number;
  /**
   * The burst.
   * @default ratePerSecond
   * Range: a finite number >= 1.
   */
  capacity?: number | undefined;
  /**
   * The most `acquire()` calls that may wait in this process.
   * @default Infinity
   */
  maxQueue?: number | undefined;
}

/** A token bucket shared through Redis: see {@link createRedisTokenBucket}. */
export interface RedisTokenBucket {
  /**
   * One decision, at most one round trip: calls made while one is in flight share the next
   * script call, each with its own answer. `false` debits nothing.
   */
  tryAcquire(cost?: number): Promise<boolean>;
  /**
   * Waits (FIFO within this process) for the time the script says, bounded by `timeoutMs`.
   * Rejects like `TokenBucket.acquire`, and with `RateLimitStoreUnavailableError` under a
   * `fail-closed` outage.
   */
  acquire(cost?: number, options?: AcquireOptions): Promise<void>;
  /** Ms until `acquire(cost)` would be admitted (one round trip, no debit). */
  waitTimeMs(cost?: number): Promise<number>;
  /**
   * Gives tokens back (negative) or charges more (positive); the bucket stays between -capacity
   * (a debt of at most one capacity) and capacity.
   */
  adjust(delta: number): Promise<void>;
  /** A JSON-serialisable snapshot: the limiter's counters and the store's outage state. */
  stats(): RateLimiterStats;
  /**
   * Listens to `acquire()` calls this process rejected (`timeout`, `queue-full`); returns an
   * unsubscribe function. See the README's Events section.
   */
  onReject(listener: (event: RateLimitRejectEvent) => void): () => void;
  /**
   * Listens to the start of a Redis outage (no decision within `decisionTimeoutMs`, or a refusal
   * such as `NOAUTH`), once per outage; the outage policy decides until Redis answers again.
   * Returns an unsubscribe function. See the README's Events section.
   */
  onUnavailable(listener: (event: RedisUnavailableEvent) => void): () => void;
  /**
   * Listens to the end of an outage (Redis ran a command again), with how long it lasted; returns
   * an unsubscribe function. See the README's Events section.
   */
  onRecovered(listener: (event: RedisRecoveredEvent) => void): () => void;
  /**
   * Rejects this process's waiters with a `RateLimitClosedError` (named `AbortError`), as every
   * later call rejects (`tryAcquire()` too: unlike the in-process bucket's, it returns a promise);
   * the Redis client stays open.
   */
  close(): Promise<void>;
  /** Calls `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Creates one token bucket shared by every process that uses the same Redis `key`.
 *
 * @throws TypeError / RangeError when an option is invalid.
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * const redis = new Redis();
 * await using bucket = createRedisTokenBucket({ client: redis, key: 'openai', ratePerSecond: 60 });
 * await bucket.acquire(1, { timeoutMs: 5_000 });
 * await redis.quit(); // the bucket never closes your client
 * ```
 */
export function createRedisTokenBucket(options: RedisTokenBucketOptions): RedisTokenBucket {
  const o = expectOptions(undefined, options, BUCKET_KEYS);
  if (typeof o.key !== 'string') fail('key', 'a string', o.key);
  // The key is written into Redis (`<prefix>bucket|<key>`): a label, as a provider's
  // `rateLimit.key` is, so a blank one (a bucket no caller meant) is a RangeError and a
  // credential's shape is refused unshown. A lone surrogate is checked as the U+FFFD it is sent as.
  expectKeyLabel(toWellFormed(o.key), 'key');
  const key = o.key;
  const ratePerSecond = expectPositive('ratePerSecond', o.ratePerSecond);
  // a default cost of 1 must be admissible
  const capacity =
    o.capacity === undefined
      ? defaultCapacity(ratePerSecond)
      : expectCapacity('capacity', o.capacity);
  const store = new RedisStoreImpl(resolveRedisStoreOptions(options, BUCKET_KEYS), 'bucket');
  const limiter = createNamedRateLimiter(
    {
      limits: { tokens: { ratePerSecond, capacity } },
      store,
      maxQueue: o.maxQueue as number | undefined,
    },
    'Redis token bucket',
  );
  // Checked here so that errors name the bucket's own fields (`cost`, `delta`).
  const costs = (value: unknown): { tokens: number } => {
    if (typeof value !== 'number' || !(value >= 0 && value <= capacity)) {
      throw costError('cost', value, capacity);
    }
    return { tokens: value };
  };
  const settle = <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return call();
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return {
    tryAcquire: (cost = 1) => settle(() => limiter.tryAcquire(key, costs(cost))),
    acquire: (cost = 1, acquireOptions) =>
      settle(() => limiter.acquire(key, costs(cost), acquireOptions)),
    waitTimeMs: (cost = 1) => settle(() => limiter.waitTimeMs(key, costs(cost))),
    adjust: (delta) =>
      settle(() => {
        if (typeof delta !== 'number' || !Number.isFinite(delta)) {
          fail('delta', 'a finite number', delta, typeof delta === 'number');
        }
        return limiter.adjust(key, { tokens: delta });
      }),
    stats: () => limiter.stats(),
    onReject: (listener) => limiter.onReject(listener),
    onUnavailable: (listener) => store.onUnavailable(listener),
    onRecovered: (listener) => store.onRecovered(listener),
    close: () => limiter.close(),
    [Symbol.asyncDispose]: () => limiter.close(),
  };
}
