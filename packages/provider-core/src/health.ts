import type { BreakerState } from '@x/breaker';
import type { CacheStats } from '@x/cache';
import { anySignal, callOptions, expectDuration } from '@x/internal';
import type { PoolStats } from '@x/pool';
import type { RateLimiterStats } from '@x/rate-limit';
import type { ProviderCore } from './provider-core';
import type { HealthStatus } from './types';

// What every provider's `health()` does around its own probes: one deadline for all of them, the
// state of the composed pieces, and the status they add up to.

/** The deadline of one health check. `clear()` it once the probes settled. */
export interface HealthDeadline {
  /** Aborts at the deadline (with the provider's timeout error) or with the caller's signal. */
  readonly signal: AbortSignal;
  clear(): void;
}

/** The keys of a `health()` call's options, the same for every provider. */
const HEALTH_OPTION_KEYS = ['signal', 'timeoutMs'] as const;

/**
 * Starts the deadline of a health check: `options.timeoutMs` (default 5 s), aborting with
 * `timeoutError(timeoutMs)`, combined with the caller's `options.signal`. The options are checked
 * as every other call's are (`hasBlob()`'s, a request's), before any probe is sent: a misspelt
 * `timeout` would otherwise drop the caller's deadline, and a `signal` that is not one would fail
 * inside `AbortSignal.any` naming no option.
 * @throws {TypeError} when `options` is not an object, holds an unknown key (named with the
 * closest known one) or a `signal` that is not an `AbortSignal`.
 * @throws {TypeError | RangeError} for a malformed `timeoutMs`.
 */
export function healthDeadline(
  options: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined } | undefined,
  timeoutError: (timeoutMs: number) => Error,
): HealthDeadline {
  const checked = callOptions(options, HEALTH_OPTION_KEYS);
  const caller = checked.signal;
  const timeoutMs =
    checked.timeoutMs === undefined
      ? 5_000
      : expectDuration('options.timeoutMs', checked.timeoutMs, { min: 1 });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(timeoutError(timeoutMs)), timeoutMs);
  timer.unref?.();
  // Never undefined: the controller's signal is always there.
  const signal = anySignal(caller, controller.signal) as AbortSignal;
  return { signal, clear: () => clearTimeout(timer) };
}

/** The composed pieces as a health report shows them, and the reasons they give. */
export interface PiecesHealth {
  /** `circuit breaker open`, `circuit breaker half-open`, `<n> call(s) waiting for the rate limiter`. */
  reasons: string[];
  /** The breaker's state, when the provider has a breaker. */
  breaker: { state: BreakerState } | undefined;
  /** The rate limiter's `stats()`, when the provider has one. */
  rateLimit: RateLimiterStats | undefined;
  /** The cache's `stats()`, when the provider has one. */
  cache: CacheStats | undefined;
  /** The pool's `stats()`, when the provider has one. */
  pool: PoolStats | undefined;
}

/** Reads the breaker, the rate limiter, the cache and the pool of `core`, as they are now. */
export function piecesHealth(core: ProviderCore): PiecesHealth {
  const reasons: string[] = [];
  const state = core.breaker?.state;
  if (state === 'open') reasons.push('circuit breaker open');
  if (state === 'half-open') reasons.push('circuit breaker half-open');
  const rateLimit = core.rateLimiter?.stats();
  if (rateLimit !== undefined && rateLimit.queued > 0) {
    reasons.push(`${rateLimit.queued} call(s) waiting for the rate limiter`);
  }
  return {
    reasons,
    breaker: state === undefined ? undefined : { state },
    rateLimit,
    cache: core.cache?.stats(),
    pool: core.pool?.stats(),
  };
}

/**
 * `unhealthy` when the server is `down` (unreachable, or refusing the key) or the breaker is open,
 * `degraded` when anything else gave a reason, `healthy` otherwise.
 */
export function healthStatus(
  down: boolean,
  pieces: PiecesHealth,
  reasons: readonly string[],
): HealthStatus {
  if (down || pieces.breaker?.state === 'open') return 'unhealthy';
  return reasons.length > 0 ? 'degraded' : 'healthy';
}
