import { keyHash, type PackageLog, redactUrlCredentials, type Topic } from '@x/internal';
import type { ConcurrencyRejectEvent, RateLimitPauseEvent, RateLimitRejectEvent } from './events';
import type { RedisRecoveredEvent, RedisUnavailableEvent } from './redis-options';
import type { ResolvedLimit } from './store';

/** A log method as pino and `console` both have it: a structured object, then a message. */
export type RateLimitLogMethod = (fields: Record<string, unknown>, message?: string) => void;

/**
 * The `logger` option of every limiter and of the Redis store: pino, `console`, or any object with
 * some of these methods (a level it lacks falls back to `log`, else is skipped).
 */
export interface RateLimitLogger {
  debug?: RateLimitLogMethod | undefined;
  info?: RateLimitLogMethod | undefined;
  warn?: RateLimitLogMethod | undefined;
  error?: RateLimitLogMethod | undefined;
  log?: RateLimitLogMethod | undefined;
}

/** Scrubs the userinfo of any URL (a Redis connection string) out of a message. */
export const redactRateLimitLog = redactUrlCredentials;

/**
 * Rejections (a wait that timed out, a full queue) happen once per call under load, so they are
 * `debug`. A key may be user data (a user id, a team): entries carry `keyHash`, never the key.
 */
export function logRejects(log: PackageLog, topic: Topic<RateLimitRejectEvent>): void {
  if (!log.enabled) return;
  topic.on((e) =>
    log.debug(
      {
        event: 'rejected',
        reason: e.reason,
        keyHash: e.key === undefined ? undefined : keyHash(e.key),
        cost: e.cost,
        retryAfterMs: Number.isFinite(e.retryAfterMs) ? Math.round(e.retryAfterMs) : undefined,
      },
      `acquire rejected: ${e.reason}`,
    ),
  );
}

/** A token bucket paused (a 429's `Retry-After`): a state change, `info`. */
export function logPauses(log: PackageLog, topic: Topic<RateLimitPauseEvent>): void {
  if (!log.enabled) return;
  topic.on((e) => logPause(log, e.key, e.ms));
}

/** A pause of a bucket (`key` undefined) or of one key of a rate limiter. */
export function logPause(log: PackageLog, key: string | undefined, ms: number): void {
  if (!log.enabled) return;
  log.info(
    { event: 'paused', keyHash: key === undefined ? undefined : keyHash(key), ms: Math.round(ms) },
    `paused for ${Math.round(ms)} ms`,
  );
}

/**
 * A correction (`adjust`) larger than a whole bucket: the store keeps at most one capacity of debt,
 * so the rest is dropped. A server reporting such usage is worth a look: `warn`.
 */
export function logClampedCorrection(
  log: PackageLog,
  key: string,
  limits: readonly ResolvedLimit[],
  deltas: readonly number[],
): void {
  for (let i = 0; i < limits.length; i++) {
    const limit = limits[i]!;
    const delta = deltas[i]!;
    if (!(delta > limit.capacity)) continue;
    log.warn(
      {
        event: 'correction-clamped',
        keyHash: keyHash(key),
        limit: limit.name,
        delta,
        capacity: limit.capacity,
      },
      `a correction of ${delta} ${limit.name} exceeds the capacity ${limit.capacity}: the debt is capped at one capacity`,
    );
  }
}

/** A concurrency limiter turned a call away: once per call under load, `debug`. */
export function logConcurrencyRejects(log: PackageLog, topic: Topic<ConcurrencyRejectEvent>): void {
  if (!log.enabled) return;
  topic.on((e) =>
    log.debug(
      { event: 'rejected', reason: e.reason, active: e.active, queued: e.queued },
      `no slot: ${e.reason}`,
    ),
  );
}

const POLICY_TEXT = {
  'fail-open': 'admitting every request until it decides again',
  'fail-closed': 'rejecting every request until it decides again',
  local: 'deciding with local buckets until it decides again',
} as const;

/**
 * The Redis store's outages: the start is `warn` (an operator must know that limits are not
 * shared, or that nothing is admitted under `fail-closed`), the end `info`, with the decisions
 * taken by the policy meanwhile. `error` is the error's code or name, never its message.
 */
export function logRedisOutages(
  log: PackageLog,
  unavailable: Topic<RedisUnavailableEvent>,
  recovered: Topic<RedisRecoveredEvent>,
  fallbackDecisions: () => number,
): void {
  if (!log.enabled) return;
  let before = 0;
  unavailable.on((e) => {
    before = fallbackDecisions();
    log.warn(
      { event: 'store-unavailable', policy: e.policy, reason: e.reason, error: e.error },
      `Redis did not decide (${e.reason}): ${e.policy}, ${POLICY_TEXT[e.policy]}`,
    );
  });
  recovered.on((e) =>
    log.info(
      {
        event: 'store-recovered',
        policy: e.policy,
        downMs: Math.round(e.downMs),
        fallbackDecisions: fallbackDecisions() - before,
      },
      `Redis decides again after ${Math.round(e.downMs)} ms`,
    ),
  );
}
