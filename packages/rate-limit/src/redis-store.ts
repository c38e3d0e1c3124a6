/**
 * The Redis store (published as `@x/rate-limit/redis`): the script runner with its decision
 * timeout, and the outage state machine (available, unavailable, probing) shared by every limiter
 * bound to the store. The coalescing of decisions lives in `internal/redis-coalesce.ts`, the
 * scripts' arguments and the policy in `internal/redis-bound.ts`.
 */
import {
  answersIntegersAsText,
  driverErrorForCause,
  isUnusableRedisReply,
  redisClientSecrets,
  redisErrorLabel,
  Topic,
} from '@x/internal';
import { RateLimitStoreError } from './errors';
import { closeWatchers } from './internal/connection-close';
import { FifoDeadlines } from './internal/deadlines';
import { BoundRedis } from './internal/redis-bound';
import { isNoScript } from './internal/redis-errors';
import type { RedisKeyKind } from './internal/redis-keys';
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

export class DecisionTimeout extends Error {
  override name = 'DecisionTimeout';
}

/**
 * The connection closed with a take in flight: Redis may have run it, and ioredis sends it again
 * once reconnected, whose reply must not be the caller's (it would debit twice). The take is
 * decided as an outage instead; what the call sent again admits is given back as a late reply.
 */
export class ConnectionClosed extends Error {
  override name = 'ConnectionClosed';
}

/** @internal the store; its bindings ({@link BoundRedis}) call the methods below */
export class RedisStoreImpl implements RedisStore {
  // Private: `util.inspect(store)` would print the client, and ioredis keeps its password in it.
  readonly #client: RedisClientLike;
  readonly prefix: string;
  readonly decisionTimeoutMs: number;
  readonly policy: OutagePolicy;
  readonly localShare: number;
  /** A client made with `stringNumbers: true`: the scripts' integers come as text. */
  readonly integersAsText: boolean;
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
  /** every decision's `decisionTimeoutMs`, on one timer */
  private readonly deadlines: FifoDeadlines;
  private downSince: number | undefined;
  /**
   * When the latest outage began (its first failed decision), kept after it ends: Redis may have
   * lost its keys then (see {@link sinceOutage}). Set under `fail-closed` only: the other policies
   * admitted during the outage, and under-admitting new keys after any blip is theirs to avoid.
   */
  private outageBegan: number | undefined;
  /** What keeps the store unavailable, for `stats()`: see {@link failed}. */
  private outageError: string | undefined;
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

  /**
   * @param keyKind `bucket` for `createRedisTokenBucket`: part of every Redis key, so that a
   * bucket and a limiter never share one, whatever their keys (see `internal/redis-keys.ts`)
   */
  constructor(
    options: ResolvedRedisStoreOptions,
    readonly keyKind: RedisKeyKind = 'limiter',
  ) {
    this.#client = options.client;
    this.prefix = options.prefix;
    this.decisionTimeoutMs = options.decisionTimeoutMs;
    this.policy = options.policy;
    this.localShare = options.localShare;
    this.integersAsText = answersIntegersAsText(options.client);
    this.probeIntervalMs = options.probeIntervalMs;
    this.batchKeys = options.batchKeys;
    this.deadlines = new FifoDeadlines(options.decisionTimeoutMs, closeWatchers(options.client));
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
      outageError: this.outageError,
      ...this.counters,
    };
  }

  onUnavailable(listener: (event: RedisUnavailableEvent) => void): () => void {
    return this.unavailableEvents.on(listener);
  }

  onRecovered(listener: (event: RedisRecoveredEvent) => void): () => void {
    return this.recoveredEvents.on(listener);
  }

  /**
   * The ms since the latest outage began, while under `refillMs` (a limiter's slowest full
   * refill, capacity / rate), else undefined. A decision sends it, so that a key Redis lost
   * (a restart without persistence) starts from what it refilled since, not full: see
   * `internal/redis-script.ts`. Only under `fail-closed` (see {@link outageBegan}).
   */
  sinceOutage(refillMs: number): number | undefined {
    if (this.outageBegan === undefined) return undefined;
    const ms = performance.now() - this.outageBegan;
    return ms < refillMs ? ms : undefined;
  }

  /** True when this decision should skip Redis and apply the policy (outage, not time to probe). */
  skipRedis(): boolean {
    if (this.downSince === undefined) return false;
    if (this.probing || performance.now() < this.nextProbeAt) return true;
    this.probing = true;
    return false;
  }

  /**
   * Runs the script once (one round trip) on `argv` (its `numKeys` keys, then its arguments),
   * loading it again when Redis answers `NOSCRIPT`, and
   * calls `done` once: with the reply, or with the error (`DecisionTimeout` when
   * `decisionTimeoutMs` passes first; then `late` gets the reply if it comes). A call with `late`
   * (a take: it debits) also ends with `ConnectionClosed` when the client's connection closes
   * while it is in flight, since ioredis may send it again; the other calls (a peek, an adjust
   * with its id) are harmless twice, and wait for that reply.
   */
  run(
    script: RedisScript,
    numKeys: number,
    argv: readonly (string | number)[],
    done: (error: unknown, reply?: unknown) => void,
    late?: (reply: unknown) => void,
  ): void {
    // Callbacks, not a promise per step: this is the whole client-side cost of a decision.
    const deadline = this.deadlines.start(
      (closed) => done(closed ? new ConnectionClosed() : new DecisionTimeout()),
      late !== undefined,
    );
    const onReply = (reply: unknown) => {
      if (!this.deadlines.settle(deadline)) {
        // A reply that arrives after the policy decided must not leave a debit behind.
        late?.(reply);
        return;
      }
      done(undefined, reply);
    };
    const onError = (error: unknown) => {
      if (this.deadlines.settle(deadline)) done(error);
    };
    const reload = (error: unknown) => {
      if (!isNoScript(error)) {
        onError(error);
        return;
      }
      this.counters.scriptReloads++;
      try {
        this.#client.eval(script.source, numKeys, ...argv).then(onReply, onError);
      } catch (thrown) {
        onError(thrown);
      }
    };
    try {
      this.#client.evalsha(script.sha, numKeys, ...argv).then(onReply, reload);
    } catch (thrown) {
      // a client that throws instead of rejecting (not ioredis): the same as a rejection
      onError(thrown);
    }
  }

  succeeded(decisions: number): void {
    this.counters.decisions += decisions;
    this.answered();
  }

  /** A command Redis carried out (or refused as sent, which only a working Redis does). */
  private answered(): void {
    this.probing = false;
    if (this.downSince !== undefined) {
      const downMs = performance.now() - this.downSince;
      this.downSince = undefined;
      this.outageError = undefined;
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
      if (this.policy === 'fail-closed') this.outageBegan = now;
      this.counters.outages++;
      this.outageError = timeout ? undefined : redisErrorLabel(error);
      this.unavailableEvents.emit({
        policy: this.policy,
        reason: timeout ? 'timeout' : 'error',
        error: this.outageError,
      });
    } else if (isUnusableRedisReply(error)) {
      // Redis' own refusal (a wrong password) says why; the timeouts and dropped connections of
      // ioredis reconnecting into it, between two refusals, do not.
      this.outageError = redisErrorLabel(error);
    }
  }

  /**
   * Redis answered with a program error (see `internal/redis-errors.ts`): it is up, so an outage
   * ends here, and the caller gets a typed error instead of the outage policy.
   */
  programError(error: unknown, reply: string): RateLimitStoreError {
    this.counters.scriptErrors++;
    this.answered();
    // ioredis quotes the command's arguments: after a refused AUTH, the password. A server (or a
    // proxy) may quote the client's password in its reply's text: hidden too, read from the
    // client now (a rotated password is the one it sends).
    const secrets = redisClientSecrets(this.#client);
    return new RateLimitStoreError({ reply }, { cause: driverErrorForCause(error, secrets) });
  }

  fallback(decisions: number): void {
    this.counters.fallbackDecisions += decisions;
  }
}

/**
 * Creates a Redis store for `createRateLimiter({ store })`: decisions run an atomic Lua token
 * bucket on the Redis server's clock with `EVALSHA` (reloaded on `NOSCRIPT`), those for one key
 * sharing a script call when they come while one is in flight, with a declared policy for when
 * Redis does not answer within `decisionTimeoutMs`.
 *
 * @throws TypeError / RangeError when an option is invalid.
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * const redis = new Redis();
 * const store = createRedisStore({ client: redis, outagePolicy: 'local', localShare: 0.25 });
 * await using limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 60 } }, store });
 * await limiter.acquire('openai');
 * await redis.quit(); // the store never closes your client
 * ```
 */
export function createRedisStore(options: RedisStoreOptions): RedisStore {
  return new RedisStoreImpl(resolveRedisStoreOptions(options));
}
