import type { RoutableProvider } from './types';

/**
 * The share of a deployment's quota left, in [0, 1], for the `most-quota-left` strategy: the
 * lowest of what its provider's rate limiter and its server's rate-limit headers say. Unknown
 * counts as 1 (a full quota).
 *
 * `@x/rate-limit` exposes no per-key level, so the requests bucket is followed from the outside:
 * its rate and capacity from `limits`, its debits from `stats().admitted` (the limiter of a
 * provider serves one key). A limiter with callers queued has nothing left.
 */
export class QuotaGauge {
  #level: number | undefined;
  #at = 0;
  #admitted = 0;

  /** The share left now (`nowMs`: `performance.now()`, `wallMs`: `Date.now()`). */
  read(provider: RoutableProvider, nowMs: number, wallMs: number): number {
    let left = 1;
    const limiter = provider.rateLimiter;
    if (limiter !== undefined) left = Math.min(left, this.#limiterShare(limiter, nowMs));
    const server = provider.serverLimits?.();
    if (server !== undefined) {
      if (server.pausedUntil !== undefined && server.pausedUntil > wallMs) return 0;
      const fresh = (resetAt: number | undefined) => resetAt === undefined || resetAt > wallMs;
      if (
        server.remainingRequests !== undefined &&
        server.limitRequests !== undefined &&
        server.limitRequests > 0 &&
        fresh(server.resetRequestsAt)
      ) {
        left = Math.min(left, server.remainingRequests / server.limitRequests);
      }
      if (
        server.remainingTokens !== undefined &&
        server.limitTokens !== undefined &&
        server.limitTokens > 0 &&
        fresh(server.resetTokensAt)
      ) {
        left = Math.min(left, server.remainingTokens / server.limitTokens);
      }
    }
    return Math.max(0, Math.min(1, left));
  }

  #limiterShare(limiter: NonNullable<RoutableProvider['rateLimiter']>, now: number): number {
    const limit = limiter.limits.find((l) => l.name === 'requests') ?? limiter.limits[0];
    if (limit === undefined || !(limit.capacity > 0)) return 1;
    const { admitted, queued } = limiter.stats();
    if (this.#level === undefined) {
      // First look: taken as full; the admissions from now on are followed.
      this.#level = limit.capacity;
    } else {
      const refill = (limit.ratePerSecond * Math.max(0, now - this.#at)) / 1000;
      this.#level = Math.min(limit.capacity, this.#level + refill) - (admitted - this.#admitted);
    }
    this.#at = now;
    this.#admitted = admitted;
    if (queued > 0) return 0;
    return Math.max(0, this.#level) / limit.capacity;
  }
}
