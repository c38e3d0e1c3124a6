/**
 * The Redis store (published as `@x/rate-limit/redis`): the script runner with its decision
 * timeout, and the outage state machine (available, unavailable, probing) shared by every limiter
 * bound to the store. The batching of decisions lives in `internal/redis-bound.ts`.
 */
import { Topic } from '@x/internal';
import { RateLimitStoreError } from './errors';
import { BoundRedis } from './internal/redis-bound';
import { errorLabel, isNoScript } from './internal/redis-errors';
import type { RedisScript } from './internal/redis-script';
import { logRedisOutages } from './log';
import {
  type OutagePolicy,
  type RedisClientLike,
  type RedisRecoveredEvent,
  type RedisStore,
  type RedisStoreOptions,
  type RedisStoreStats,
  type RedisUnavailableEvent,
  type ResolvedRedisStoreOptions,
  resolveRedisStoreOptions,
} from './redis-options';
import type { BoundRateLimitStore, ResolvedLimit } from './store';

class DecisionTimeout extends Error {
  override name = 'DecisionTimeout';
}

/** @internal the store; its bindings ({@link BoundRedis}) call the methods below */
export class RedisStoreImpl implements RedisStore {
  readonly client: RedisClientLike;
  readonly prefix: string;
  readonly decisionTimeoutMs: number;
  readonly policy: OutagePolicy;
  readonly localShare: number;
  readonly probeIntervalMs: number;
  readonly batchKeys: boolean;
  private readonly unavailableEvents = new Topic<RedisUnavailableEvent>(
    'rate-limit',
    'store-unavailable',
  );
  private readonly recoveredEvents = new Topic<RedisRecoveredEvent>(
    'rate-limit',
    'store-recovered',
  );
  private downSince: number | undefined;
  private nextProbeAt = 0;
  private probing = false;
  private counters = {
    decisions: 0,
    fallbackDecisions: 0,
    scriptReloads: 0,
    outages: 0,
    timeouts: 0,
    errors: 0,
    scriptErrors: 0,
  };

  constructor(options: ResolvedRedisStoreOptions) {
    this.client = options.client;
    this.prefix = options.prefix;
    this.decisionTimeoutMs = options.decisionTimeoutMs;
    this.policy = options.policy;
    this.localShare = options.localShare;
    this.probeIntervalMs = options.probeIntervalMs;
    this.batchKeys = options.batchKeys;
    logRedisOutages(
      options.log,
      this.unavailableEvents,
      this.recoveredEvents,
      () => this.counters.fallbackDecisions,
    );
  }

  bind(limits: readonly ResolvedLimit[]): BoundRateLimitStore {
    return new BoundRedis(this, limits);
  }

  stats(): RedisStoreStats {
    return {
      kind: 'redis',
      policy: this.policy,
      state: this.downSince === undefined ? 'available' : 'unavailable',
      ...this.counters,
    };
  }

  onUnavailable(listener: (event: RedisUnavailableEvent) => void): () => void {
    return this.unavailableEvents.on(listener);
  }

  onRecovered(listener: (event: RedisRecoveredEvent) => void): () => void {
    return this.recoveredEvents.on(listener);
  }

  /** True when this decision should skip Redis and apply the policy (outage, not time to probe). */
  skipRedis(): boolean {
    if (this.downSince === undefined) return false;
    if (this.probing || performance.now() < this.nextProbeAt) return true;
    this.probing = true;
    return false;
  }

  /**
   * Runs the script once (one round trip), loading it again when Redis answers `NOSCRIPT`.
   * Rejects with `DecisionTimeout` when `decisionTimeoutMs` passes first.
   */
  run(
    script: RedisScript,
    keys: readonly string[],
    args: (string | number)[],
    late?: (reply: unknown) => void,
  ): Promise<unknown> {
    const call = this.client
      .evalsha(script.sha, keys.length, ...keys, ...args)
      .catch((error: unknown) => {
        if (isNoScript(error)) {
          this.counters.scriptReloads++;
          return this.client.eval(script.source, keys.length, ...keys, ...args);
        }
        throw error;
      });
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        reject(new DecisionTimeout());
        // A reply that arrives after the policy decided must not leave a debit behind.
        call.then(
          (reply) => late?.(reply),
          () => {},
        );
      }, this.decisionTimeoutMs);
      timer.unref?.();
      call.then(
        (reply) => {
          if (settled) return;
          clearTimeout(timer);
          resolve(reply);
        },
        (error: unknown) => {
          if (settled) return;
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  succeeded(decisions: number): void {
    this.counters.decisions += decisions;
    this.answered();
  }

  private answered(): void {
    this.probing = false;
    if (this.downSince !== undefined) {
      const downMs = performance.now() - this.downSince;
      this.downSince = undefined;
      this.recoveredEvents.emit({ policy: this.policy, downMs });
    }
  }

  failed(error: unknown): void {
    this.probing = false;
    const timeout = error instanceof DecisionTimeout;
    if (timeout) this.counters.timeouts++;
    else this.counters.errors++;
    const now = performance.now();
    this.nextProbeAt = now + this.probeIntervalMs;
    if (this.downSince === undefined) {
      this.downSince = now;
      this.counters.outages++;
      this.unavailableEvents.emit({
        policy: this.policy,
        reason: timeout ? 'timeout' : 'error',
        error: timeout ? undefined : errorLabel(error),
      });
    }
  }

  /**
   * Redis answered with a program error (see `internal/redis-errors.ts`): it is up, so an outage
   * ends here, and the caller gets a typed error instead of the outage policy.
   */
  programError(error: unknown, reply: string): RateLimitStoreError {
    this.counters.scriptErrors++;
    this.answered();
    return new RateLimitStoreError({ reply }, { cause: error });
  }

  fallback(decisions: number): void {
    this.counters.fallbackDecisions += decisions;
  }
}

/**
 * Creates a Redis store for `createRateLimiter({ store })`: every decision is one `EVALSHA` of an
 * atomic Lua token bucket on the Redis server's clock (reloaded on `NOSCRIPT`), with a declared
 * policy for when Redis does not answer within `decisionTimeoutMs`.
 *
 * @throws TypeError / RangeError when an option is invalid.
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * const redis = new Redis();
 * const store = createRedisStore({ client: redis, onUnavailable: 'local', localShare: 0.25 });
 * await using limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 60 } }, store });
 * await limiter.acquire('openai');
 * await redis.quit(); // the store never closes your client
 * ```
 */
export function createRedisStore(options: RedisStoreOptions): RedisStore {
  return new RedisStoreImpl(resolveRedisStoreOptions(options));
}
