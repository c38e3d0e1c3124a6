import { type Breaker, type BreakerOptions, createBreaker, sharedBreaker } from '@x/breaker';
import { type Cache, type CacheOptions, createCache, sharedCache } from '@x/cache';
import {
  expectKeyLabel,
  expectKnownKeys,
  fail,
  isPlainObject,
  optionalDuration,
  optionalNumber,
  toWellFormed,
  withOptionPath,
} from '@x/internal';
import { createPool, type Pool, type PoolOptions } from '@x/pool';
import { createRateLimiter, type RateLimiter, sharedRateLimiter } from '@x/rate-limit';
import { type Calibrator, createCalibrator } from '@x/tokens';
import type { Logger } from '../observe/log';
import type { QueueWaits } from '../stages/queue-wait';
import { classifyForBreaker } from './classify';
import { classifyShared } from './shared-breaker';

/** Options of the provider's own rate limiter (used when `rateLimit` is not an instance). */
export interface ProviderRateLimitOptions {
  /**
   * Requests per second.
   * @default the provider's preset (Ollama 10, OpenAI 60...)
   */
  requestsPerSecond?: number | undefined;
  /**
   * Burst of requests.
   * @default requestsPerSecond
   */
  burst?: number | undefined;
  /**
   * Prompt + generated tokens per minute. Charged with the estimate before the call and corrected
   * with the server's counts after it. Off unless set.
   * @default undefined
   */
  tokensPerMinute?: number | undefined;
  /**
   * Longest wait in the limiter's queue before `RateLimitTimeoutError`.
   * @default 60_000
   */
  timeoutMs?: number | undefined;
  /**
   * Most callers waiting at once; more get `QueueFullError`.
   * @default 1000
   */
  maxQueue?: number | undefined;
  /**
   * The limiter key: one quota per server by default. Give a shared limiter and a key per
   * provider to split one quota between processes (with `@x/rate-limit/redis`). A label of 1 to
   * 200 printable characters that holds no credential (a URL with a password, an `sk-...` key,
   * `Bearer ...`): else a `RangeError` that shows it as `[redacted]`.
   * @default the provider's id (`'ollama'`)
   */
  key?: string | undefined;
}

const RATE_LIMIT_KEYS = [
  'requestsPerSecond',
  'burst',
  'tokensPerMinute',
  'timeoutMs',
  'maxQueue',
  'key',
] as const;

/** Other names for these keys (`@x/rate-limit`'s own among them), for the unknown-key error. */
const RATE_LIMIT_ALIASES = {
  rps: 'requestsPerSecond',
  ratePerSecond: 'requestsPerSecond',
  capacity: 'burst',
  tpm: 'tokensPerMinute',
  queueSize: 'maxQueue',
  timeout: 'timeoutMs',
} as const;

/** The rate limiter of a provider and how it is charged. */
export interface ResolvedRateLimit {
  limiter: RateLimiter;
  own: boolean;
  key: string;
  timeoutMs: number;
  /**
   * `{ timeoutMs, signal: waits.idle }`, made once: the options of a wait by a call without a
   * signal of its own, which runs under the provider's `ending` signal.
   */
  waitOptions: Readonly<{ timeoutMs: number; signal: AbortSignal | undefined }>;
  /** How calls wait in its queue (see `queueSignal`). */
  waits: QueueWaits | undefined;
  hasRequests: boolean;
  tokensCapacity: number | undefined;
}

/** What a provider brings to the pieces it composes. */
export interface PieceDefaults {
  /** The provider id: the limiter key, the cache namespace. */
  id: string;
  /** Requests per second of the default limiter (a `rateLimitPresets` entry). */
  requestsPerSecond: number;
  /**
   * The breaker preset (a `breakerPresets` entry), with the provider's `classify` when its
   * server fails in ways {@link classifyForBreaker} cannot tell (the default when left out).
   */
  breaker: BreakerOptions;
  /** The provider's `logger`: the default of the pieces it creates for itself. */
  logger?: Logger | undefined;
}

// A leaf's argument errors name its own fields (`maxEntries`): its factory is called through
// `withOptionPath` so the user reads the option they wrote (`cache.maxEntries`). The rate limiter
// and the calibrator need no such call: their options are built here from checked values.

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function isBreaker(value: unknown): value is Breaker {
  return isObject(value) && typeof value.execute === 'function' && 'state' in value;
}
function isPool(value: unknown): value is Pool {
  return isObject(value) && typeof value.request === 'function' && 'dispatcher' in value;
}
function isLimiter(value: unknown): value is RateLimiter {
  return isObject(value) && typeof value.acquire === 'function' && Array.isArray(value.limits);
}
function isCache(value: unknown): value is Cache {
  return (
    isObject(value) && typeof value.getOrLoad === 'function' && typeof value.lookup === 'function'
  );
}
export function isCalibratorLike(value: unknown): value is Calibrator {
  return isObject(value) && typeof value.observe === 'function' && typeof value.get === 'function';
}

/**
 * `breaker`: options (over the provider's preset and classification), a breaker to share, or
 * false. With a `share` name, options make the process-wide `sharedBreaker(name)` instead: its
 * `classify` is {@link classifyShared}, and `judge` is this provider's own classification when it
 * is not the default (the provider then records its verdict on each error it creates).
 */
export function resolveBreaker(
  value: unknown,
  defaults: PieceDefaults,
  origin: string,
  shared?: string,
): {
  breaker: Breaker | undefined;
  own: boolean;
  judge?: BreakerOptions['classify'] | undefined;
  /** A breaker instance the provider was given: its `classify` is the user's. */
  given?: true | undefined;
} {
  if (value === false) return { breaker: undefined, own: false };
  if (isBreaker(value)) return { breaker: value, own: false, given: true };
  if (value !== undefined && !isPlainObject(value)) {
    fail('breaker', 'breaker options, a breaker from createBreaker(), or false', value);
  }
  const given = value as BreakerOptions | undefined;
  const options: BreakerOptions = {
    ...defaults.breaker,
    name: shared ?? `${defaults.id} ${origin}`,
    ...given,
    // The user's, else the provider's (its preset's `classify`: a server's own failures that
    // the shared rules cannot tell), else the shared rules. `classify: undefined` is one left out
    // (a config object's optional field), not a request for the breaker's count-everything default.
    classify: given?.classify ?? defaults.breaker.classify ?? classifyForBreaker,
  };
  if (shared !== undefined) {
    const own = options.classify;
    const breaker = withOptionPath('breaker', () =>
      sharedBreaker(shared, { ...options, classify: classifyShared }),
    );
    return own === classifyForBreaker || own === undefined
      ? { breaker, own: false }
      : { breaker, own: false, judge: own };
  }
  // No logger here: the provider logs its breaker's transitions itself (`breaker-transition`).
  return { breaker: withOptionPath('breaker', () => createBreaker(options)), own: true };
}

/** `pool`: options for a private pool, a pool to share, or false (a plain keep-alive Agent). */
export function resolvePool(
  value: unknown,
  connectTimeoutMs: number,
  logger?: Logger,
): { pool: Pool | undefined; own: boolean } {
  if (value === false) return { pool: undefined, own: false };
  if (isPool(value)) return { pool: value, own: false };
  if (value !== undefined && !isPlainObject(value)) {
    fail('pool', 'pool options, a pool from createPool(), or false', value);
  }
  const options: PoolOptions = {
    // The provider runs its own first-token and idle deadlines: undici's must not cut a long
    // generation.
    headersTimeoutMs: 0,
    bodyTimeoutMs: 0,
    ...(connectTimeoutMs > 0 ? { connectTimeoutMs } : {}),
    ...(value as PoolOptions | undefined),
  };
  const pool = withOptionPath('pool', () => createPool(withLogger(options, value, logger)));
  return { pool, own: true };
}

/**
 * `rateLimit`: options, a limiter to share (its `requests` and `tokens` limits), or false. With a
 * `share` name, options make the process-wide `sharedRateLimiter(name)`, charged under that name.
 */
export function resolveRateLimit(
  value: unknown,
  defaults: PieceDefaults,
  shared?: string,
  waitsFor?: (own: boolean) => QueueWaits,
): ResolvedRateLimit | undefined {
  if (value === false) return undefined;
  if (isLimiter(value)) {
    const tokens = value.limits.find((l) => l.name === 'tokens');
    const waits = waitsFor?.(false);
    return {
      limiter: value,
      own: false,
      key: defaults.id,
      timeoutMs: 60_000,
      waitOptions: Object.freeze({ timeoutMs: 60_000, signal: waits?.idle }),
      waits,
      hasRequests: value.limits.some((l) => l.name === 'requests'),
      tokensCapacity: tokens?.capacity,
    };
  }
  if (value !== undefined && !isPlainObject(value)) {
    fail('rateLimit', 'rate-limit options, a limiter from createRateLimiter(), or false', value);
  }
  const o = (value ?? {}) as ProviderRateLimitOptions;
  expectKnownKeys('rateLimit', o, RATE_LIMIT_KEYS, RATE_LIMIT_ALIASES);
  optionalNumber('rateLimit.requestsPerSecond', o.requestsPerSecond, {
    min: 0,
    exclusiveMin: true,
  });
  optionalNumber('rateLimit.burst', o.burst, { min: 1 });
  optionalNumber('rateLimit.tokensPerMinute', o.tokensPerMinute, { min: 1 });
  optionalDuration('rateLimit.timeoutMs', o.timeoutMs);
  optionalNumber('rateLimit.maxQueue', o.maxQueue, { min: 0, integer: true, allowInfinity: true });
  if (o.key !== undefined) {
    // The key is written into Redis keys and the limiter's events: held to what its sibling
    // labels (`breaker.name`, `cache.namespace`) are, so a credential's shape is refused unshown
    // and a blank key is a RangeError. A lone surrogate is checked as the U+FFFD it is written as,
    // as a namespace is: the key itself is kept.
    expectKeyLabel(typeof o.key === 'string' ? toWellFormed(o.key) : o.key, 'rateLimit.key');
  }
  const rate = o.requestsPerSecond ?? defaults.requestsPerSecond;
  const limits: Record<string, { ratePerSecond: number; capacity: number }> = {
    requests: { ratePerSecond: rate, capacity: o.burst ?? Math.max(1, rate) },
  };
  if (o.tokensPerMinute !== undefined) {
    limits.tokens = { ratePerSecond: o.tokensPerMinute / 60, capacity: o.tokensPerMinute };
  }
  const limiterOptions = { limits, maxQueue: o.maxQueue ?? 1000 };
  const limiter =
    shared === undefined
      ? createRateLimiter(withLogger(limiterOptions, undefined, defaults.logger))
      : sharedRateLimiter(shared, limiterOptions);
  const timeoutMs = o.timeoutMs ?? 60_000;
  const own = shared === undefined;
  const waits = waitsFor?.(own);
  return {
    limiter,
    own,
    key: o.key ?? shared ?? defaults.id,
    timeoutMs,
    waitOptions: Object.freeze({ timeoutMs, signal: waits?.idle }),
    waits,
    hasRequests: true,
    tokensCapacity: o.tokensPerMinute,
  };
}

/**
 * `cache`: options, a cache to share, or false. `ttl` keeps answers that must not be stored out.
 * With a `share` name, options make the process-wide `sharedCache(name)` instead.
 */
export function resolveCache(
  value: unknown,
  defaults: PieceDefaults,
  ttl: (request: object, response: unknown) => number | undefined | false,
  shared?: string,
): { cache: Cache | undefined; own: boolean } {
  if (value === false) return { cache: undefined, own: false };
  if (isCache(value)) return { cache: value, own: false };
  if (value !== undefined && !isPlainObject(value)) {
    fail('cache', 'cache options, a cache from createCache(), or false', value);
  }
  const options: CacheOptions = {
    namespace: defaults.id,
    ttl,
    ...(value as CacheOptions | undefined),
  };
  if (shared !== undefined) {
    return { cache: withOptionPath('cache', () => sharedCache(shared, options)), own: false };
  }
  const cache = withOptionPath('cache', () =>
    createCache(withLogger(options, value, defaults.logger)),
  );
  return { cache, own: true };
}

/** `options` with the provider's logger, unless the piece's own options name one. */
function withLogger<T extends object>(options: T, own: unknown, logger: Logger | undefined): T {
  if (logger === undefined || (isObject(own) && own.logger !== undefined)) return options;
  return { ...options, logger };
}

/** Options of token accounting and context-window checks. */
export interface TokenOptions {
  /**
   * Learns tokens per character from the server's prompt counts. Share one between providers, or
   * `false` for plain heuristics.
   * @default createCalibrator()
   */
  calibrator?: Calibrator | false | undefined;
  /**
   * What to do when the estimated prompt does not fit the window: `'error'` throws
   * `ContextOverflowError` before sending; `'raise'` asks for a larger window where the provider
   * can (Ollama's `num_ctx`); `'allow'` sends anyway (the answer may be flagged `truncated`).
   * @default 'error'
   */
  onOverflow?: 'error' | 'raise' | 'allow' | undefined;
  /**
   * Tokens kept free for the answer in the overflow check (a request's `maxTokens` wins).
   * @default 0
   */
  reserveOutputTokens?: number | undefined;
  /**
   * A response whose prompt count is below `truncationRatio` × the estimate (for a prompt
   * estimated at 75% of the window or more) is flagged `truncated`.
   * @default 0.5
   */
  truncationRatio?: number | undefined;
}

const TOKEN_KEYS = ['calibrator', 'onOverflow', 'reserveOutputTokens', 'truncationRatio'] as const;

/** {@link TokenOptions} checked, every default filled in; `calibrator` is `undefined` when off. */
export interface ResolvedTokens {
  calibrator: Calibrator | undefined;
  onOverflow: 'error' | 'raise' | 'allow';
  reserveOutputTokens: number;
  truncationRatio: number;
}

/**
 * `tokens`: options, a calibrator to share, or false (no estimate, no context check). A provider
 * with options of its own (Ollama's `numCtx`) names their keys in `extraKeys` and checks them.
 */
export function resolveTokens(
  value: unknown,
  extraKeys: readonly string[] = [],
): ResolvedTokens | undefined {
  if (value === false) return undefined;
  if (isCalibratorLike(value)) {
    return { calibrator: value, onOverflow: 'error', reserveOutputTokens: 0, truncationRatio: 0.5 };
  }
  if (value !== undefined && !isPlainObject(value)) {
    fail('tokens', 'token options, a calibrator from createCalibrator(), or false', value);
  }
  const o = (value ?? {}) as TokenOptions;
  expectKnownKeys('tokens', o, [...TOKEN_KEYS, ...extraKeys]);
  if (o.onOverflow !== undefined && !['error', 'raise', 'allow'].includes(o.onOverflow)) {
    // A string that is not one of them is a RangeError; anything else a TypeError.
    const range = typeof o.onOverflow === 'string';
    fail('tokens.onOverflow', 'one of "error", "raise", "allow"', o.onOverflow, range);
  }
  if (o.calibrator !== undefined && o.calibrator !== false && !isCalibratorLike(o.calibrator)) {
    fail('tokens.calibrator', 'a calibrator from createCalibrator(), or false', o.calibrator);
  }
  optionalNumber('tokens.reserveOutputTokens', o.reserveOutputTokens, { min: 0, integer: true });
  optionalNumber('tokens.truncationRatio', o.truncationRatio, { min: 0, max: 1 });
  return {
    calibrator: o.calibrator === false ? undefined : (o.calibrator ?? createCalibrator()),
    onOverflow: o.onOverflow ?? 'error',
    reserveOutputTokens: o.reserveOutputTokens ?? 0,
    truncationRatio: o.truncationRatio ?? 0.5,
  };
}
