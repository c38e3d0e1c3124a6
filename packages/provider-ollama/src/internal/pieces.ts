import {
  type Breaker,
  type BreakerOptions,
  type BreakerOutcome,
  breakerPresets,
  createBreaker,
} from '@x/breaker';
import { type Cache, type CacheOptions, createCache } from '@x/cache';
import { createPool, type Pool, type PoolOptions } from '@x/pool';
import { createRateLimiter, type RateLimiter, rateLimitPresets } from '@x/rate-limit';
import { type Calibrator, createCalibrator } from '@x/tokens';
import { isOllamaApiError, isOllamaError } from '../errors';
import { fail, isPlainObject, optionalNumber } from './validate';

/** Options of the provider's own rate limiter (used when `rateLimit` is not an instance). */
export interface ProviderRateLimitOptions {
  /**
   * Requests per second.
   * @default 10 (rateLimitPresets.ollama)
   */
  requestsPerSecond?: number;
  /**
   * Burst of requests.
   * @default requestsPerSecond
   */
  burst?: number;
  /**
   * Prompt + generated tokens per minute. Charged with the estimate before the call and corrected
   * with the server's counts after it. Off unless set.
   * @default undefined
   */
  tokensPerMinute?: number;
  /**
   * Longest wait in the limiter's queue before `RateLimitTimeoutError`.
   * @default 60_000
   */
  timeoutMs?: number;
  /**
   * Most callers waiting at once; more get `QueueFullError`.
   * @default 1000
   */
  maxQueue?: number;
  /**
   * The limiter key: one quota per server by default. Give a shared limiter and a key per
   * provider to split one quota between processes (with `@x/rate-limit/redis`).
   * @default 'ollama'
   */
  key?: string;
}

/** Options of token accounting and context-window checks. */
export interface TokenOptions {
  /**
   * Learns tokens per character from the server's `prompt_eval_count`. Share one between
   * providers, or `false` for plain heuristics.
   * @default createCalibrator()
   */
  calibrator?: Calibrator | false;
  /**
   * What to do when the estimated prompt does not fit the window: `'error'` throws
   * `ContextOverflowError` before sending; `'raise'` raises `num_ctx` (next power of two, at most
   * the trained length) and keeps it for that model; `'allow'` sends anyway (Ollama will cut the
   * prompt; the answer is flagged `truncated`).
   * @default 'error'
   */
  onOverflow?: 'error' | 'raise' | 'allow';
  /**
   * The `num_ctx` sent when a request does not set one. Default: the model's Modelfile `num_ctx`,
   * else 4096; never above the trained length. Kept constant per model so Ollama never reloads.
   * @default undefined
   */
  numCtx?: number;
  /**
   * Tokens kept free for the answer in the overflow check (a request's `maxTokens` wins).
   * @default 0
   */
  reserveOutputTokens?: number;
  /**
   * A response whose `prompt_eval_count` is below `truncationRatio` × the estimate (for a prompt
   * estimated at 75% of the window or more) is flagged `truncated`.
   * @default 0.5
   */
  truncationRatio?: number;
}

export interface ResolvedTokens {
  calibrator: Calibrator | undefined;
  onOverflow: 'error' | 'raise' | 'allow';
  numCtx: number | undefined;
  reserveOutputTokens: number;
  truncationRatio: number;
}

export interface ResolvedRateLimit {
  limiter: RateLimiter;
  own: boolean;
  key: string;
  timeoutMs: number | undefined;
  hasRequests: boolean;
  tokensCapacity: number | undefined;
}

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
function isCalibratorLike(value: unknown): value is Calibrator {
  return isObject(value) && typeof value.observe === 'function' && typeof value.get === 'function';
}

/**
 * Default breaker classification: only the server's trouble counts. Client mistakes (4xx, 500s
 * that are client mistakes, context overflow, model not found) and the caller's own aborts are
 * ignored; local saturation (pool queue, rate limiter) is not the server's fault either.
 */
export function classifyForBreaker(
  error: unknown,
  context: { callerAborted: boolean },
): BreakerOutcome {
  if (context.callerAborted) return 'ignore';
  if (isOllamaApiError(error)) {
    // A 500 that is the caller's mistake (`option "num_ctx" must be of type integer`) says
    // nothing about the server's health: one bad request must not open the breaker for everyone.
    if (error.statusCode === 500 && !error.retryable) return 'ignore';
    return error.statusCode >= 500 || error.statusCode === 429 || error.statusCode === 408
      ? 'failure'
      : 'ignore';
  }
  if (isOllamaError(error)) {
    const code = error.code;
    if (code === 'X_PROVIDER_OLLAMA_CONTEXT_OVERFLOW' || code === 'X_PROVIDER_OLLAMA_CLOSED') {
      return 'ignore';
    }
    return 'failure';
  }
  const code = (error as { code?: unknown })?.code;
  if (
    typeof code === 'string' &&
    (code.startsWith('X_POOL_') || code.startsWith('X_RATE_LIMIT_'))
  ) {
    return 'ignore';
  }
  return 'failure';
}

export function resolveBreaker(
  value: unknown,
  origin: string,
): { breaker: Breaker | undefined; own: boolean } {
  if (value === false) return { breaker: undefined, own: false };
  if (isBreaker(value)) return { breaker: value, own: false };
  if (value !== undefined && !isPlainObject(value)) {
    fail('breaker', 'breaker options, a breaker from createBreaker(), or false', value);
  }
  const options: BreakerOptions = {
    ...breakerPresets.ollama,
    name: `ollama ${origin}`,
    classify: classifyForBreaker,
    ...(value as BreakerOptions | undefined),
  };
  return { breaker: createBreaker(options), own: true };
}

export function resolvePool(
  value: unknown,
  connectTimeoutMs: number,
): { pool: Pool | undefined; own: boolean } {
  if (value === false) return { pool: undefined, own: false };
  if (isPool(value)) return { pool: value, own: false };
  if (value !== undefined && !isPlainObject(value)) {
    fail('pool', 'pool options, a pool from createPool(), or false', value);
  }
  const options: PoolOptions = {
    // The provider runs its own first-token and idle deadlines: undici's must not cut a long
    // generation (its 300 s headers timeout is what kills ollama-js calls).
    headersTimeoutMs: 0,
    bodyTimeoutMs: 0,
    ...(connectTimeoutMs > 0 ? { connectTimeoutMs } : {}),
    ...(value as PoolOptions | undefined),
  };
  return { pool: createPool(options), own: true };
}

export function resolveRateLimit(value: unknown): ResolvedRateLimit | undefined {
  if (value === false) return undefined;
  if (isLimiter(value)) {
    const tokens = value.limits.find((l) => l.name === 'tokens');
    return {
      limiter: value,
      own: false,
      key: 'ollama',
      timeoutMs: 60_000,
      hasRequests: value.limits.some((l) => l.name === 'requests'),
      tokensCapacity: tokens?.capacity,
    };
  }
  if (value !== undefined && !isPlainObject(value)) {
    fail('rateLimit', 'rate-limit options, a limiter from createRateLimiter(), or false', value);
  }
  const o = (value ?? {}) as ProviderRateLimitOptions & { limiter?: unknown };
  optionalNumber('rateLimit.requestsPerSecond', o.requestsPerSecond, Number.MIN_VALUE);
  optionalNumber('rateLimit.burst', o.burst, 1);
  optionalNumber('rateLimit.tokensPerMinute', o.tokensPerMinute, 1);
  optionalNumber('rateLimit.timeoutMs', o.timeoutMs, 0);
  optionalNumber('rateLimit.maxQueue', o.maxQueue, 0, Number.POSITIVE_INFINITY, true);
  if (o.key !== undefined && (typeof o.key !== 'string' || o.key.length === 0)) {
    fail('rateLimit.key', 'a non-empty string', o.key);
  }
  const rate = o.requestsPerSecond ?? rateLimitPresets.ollama.ratePerSecond;
  const limits: Record<string, { ratePerSecond: number; capacity: number }> = {
    requests: { ratePerSecond: rate, capacity: o.burst ?? Math.max(1, rate) },
  };
  if (o.tokensPerMinute !== undefined) {
    limits.tokens = { ratePerSecond: o.tokensPerMinute / 60, capacity: o.tokensPerMinute };
  }
  const limiter = createRateLimiter({ limits, maxQueue: o.maxQueue ?? 1000 });
  return {
    limiter,
    own: true,
    key: o.key ?? 'ollama',
    timeoutMs: o.timeoutMs ?? 60_000,
    hasRequests: true,
    tokensCapacity: o.tokensPerMinute,
  };
}

export function resolveCache(
  value: unknown,
  ttl: (request: object, response: unknown) => number | undefined | false,
): { cache: Cache | undefined; own: boolean } {
  if (value === false) return { cache: undefined, own: false };
  if (isCache(value)) return { cache: value, own: false };
  if (value !== undefined && !isPlainObject(value)) {
    fail('cache', 'cache options, a cache from createCache(), or false', value);
  }
  const options: CacheOptions = {
    namespace: 'ollama',
    ttl,
    ...(value as CacheOptions | undefined),
  };
  return { cache: createCache(options), own: true };
}

export function resolveTokens(value: unknown): ResolvedTokens | undefined {
  if (value === false) return undefined;
  if (isCalibratorLike(value)) {
    return {
      calibrator: value,
      onOverflow: 'error',
      numCtx: undefined,
      reserveOutputTokens: 0,
      truncationRatio: 0.5,
    };
  }
  if (value !== undefined && !isPlainObject(value)) {
    fail('tokens', 'token options, a calibrator from createCalibrator(), or false', value);
  }
  const o = (value ?? {}) as TokenOptions;
  if (o.onOverflow !== undefined && !['error', 'raise', 'allow'].includes(o.onOverflow)) {
    fail('tokens.onOverflow', 'one of "error", "raise", "allow"', o.onOverflow);
  }
  if (o.calibrator !== undefined && o.calibrator !== false && !isCalibratorLike(o.calibrator)) {
    fail('tokens.calibrator', 'a calibrator from createCalibrator(), or false', o.calibrator);
  }
  optionalNumber('tokens.numCtx', o.numCtx, 1, Number.POSITIVE_INFINITY, true);
  optionalNumber(
    'tokens.reserveOutputTokens',
    o.reserveOutputTokens,
    0,
    Number.POSITIVE_INFINITY,
    true,
  );
  optionalNumber('tokens.truncationRatio', o.truncationRatio, 0, 1);
  return {
    calibrator: o.calibrator === false ? undefined : (o.calibrator ?? createCalibrator()),
    onOverflow: o.onOverflow ?? 'error',
    numCtx: o.numCtx,
    reserveOutputTokens: o.reserveOutputTokens ?? 0,
    truncationRatio: o.truncationRatio ?? 0.5,
  };
}
