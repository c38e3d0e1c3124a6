/**
 * The Redis store and the Redis token bucket (published as `@x/rate-limit/redis`). The client is
 * typed structurally ({@link RedisClientLike}); ioredis 5 is the tested client.
 */
import { RateLimitStoreUnavailableError } from './errors';
import { EventSource } from './internal/events';
import { TOKEN_BUCKET_SCRIPT, TOKEN_BUCKET_SHA } from './internal/redis-script';
import { createMemoryStore } from './memory-store';
import { type AcquireOptions, expectNumber } from './options';
import { createRateLimiter, type RateLimiter, type RateLimiterStats } from './rate-limiter';
import type { BoundRateLimitStore, RateLimitStore, ResolvedLimit } from './store';
import type { RateLimitRejectEvent } from './token-bucket';

/**
 * The Redis commands the store calls, typed structurally so that any client can be adapted.
 * ioredis 5 matches it as is.
 */
export interface RedisClientLike {
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

/** What the store does when Redis does not answer within `decisionTimeoutMs`. */
export type OutagePolicy = 'fail-open' | 'fail-closed' | 'local';

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /** A connected client (ioredis 5 or anything matching {@link RedisClientLike}); never closed by the store. */
  client: RedisClientLike;
  /**
   * Prepended to every key in Redis.
   * @default 'x:rate-limit:'
   */
  prefix?: string;
  /**
   * How long one decision may wait for Redis before the outage policy decides instead, in ms.
   * @default 250
   * Range: a finite number > 0.
   */
  decisionTimeoutMs?: number;
  /**
   * The outage policy: `fail-open` admits everything, `fail-closed` admits nothing
   * (`acquire` rejects with `RateLimitStoreUnavailableError`, `tryAcquire` resolves false),
   * `local` admits from an in-process bucket holding `localShare` of each limit.
   * @default 'local'
   */
  onUnavailable?: OutagePolicy;
  /**
   * The share of each limit (rate and capacity) this process may use on its own during an outage,
   * with `onUnavailable: 'local'`; typically 1 / the number of processes.
   * @default 0.25
   * Range: a number > 0 and <= 1.
   */
  localShare?: number;
  /**
   * Also send decisions for different keys made in the same tick in one script call (decisions
   * for one key always share a call). Much higher throughput under load on a standalone Redis;
   * leave it off with Redis Cluster unless every key shares a hash tag (`{tenant}:...`), since a
   * multi-key script across slots fails there.
   * @default false
   */
  batchKeys?: boolean;
  /**
   * After a failed decision, how long to apply the policy without asking Redis, in ms; then one
   * decision probes Redis again while the others keep applying the policy.
   * @default 1000
   * Range: a finite number >= 0.
   */
  probeIntervalMs?: number;
}

/** The `unavailable` event: Redis did not decide in time; the policy applies from now on. */
export interface RedisUnavailableEvent {
  readonly policy: OutagePolicy;
  /** `timeout`: no answer within `decisionTimeoutMs`; `error`: the client failed. */
  readonly reason: 'timeout' | 'error';
  /** The error's `code` or `name` (never its message, which could carry connection details). */
  readonly error: string | undefined;
}

/** The `recovered` event: Redis answers again. */
export interface RedisRecoveredEvent {
  readonly policy: OutagePolicy;
  /** How long the outage lasted, in ms. */
  readonly downMs: number;
}

/** A JSON-serialisable snapshot of a Redis store. */
export interface RedisStoreStats {
  kind: 'redis';
  policy: OutagePolicy;
  /** `available`, or `unavailable` while the outage policy decides. */
  state: 'available' | 'unavailable';
  /** Decisions Redis made. */
  decisions: number;
  /** Decisions the outage policy made. */
  fallbackDecisions: number;
  /** Times the script had to be loaded again after `NOSCRIPT` (a restart or `SCRIPT FLUSH`). */
  scriptReloads: number;
  /** Outages begun. */
  outages: number;
  /** Decisions that hit `decisionTimeoutMs`. */
  timeouts: number;
  /** Decisions that failed with a client error. */
  errors: number;
}

/** The Redis store; pass it to `createRateLimiter({ store })`. */
export interface RedisStore extends RateLimitStore {
  /** A JSON-serialisable snapshot (shared by every limiter bound to this store). */
  stats(): RedisStoreStats;
  /** Listens to the start of an outage; returns an unsubscribe function. */
  onUnavailable(listener: (event: RedisUnavailableEvent) => void): () => void;
  /** Listens to the end of an outage; returns an unsubscribe function. */
  onRecovered(listener: (event: RedisRecoveredEvent) => void): () => void;
}

class DecisionTimeout extends Error {
  override name = 'DecisionTimeout';
}

class RedisStoreImpl implements RedisStore {
  readonly client: RedisClientLike;
  readonly prefix: string;
  readonly decisionTimeoutMs: number;
  readonly policy: OutagePolicy;
  readonly localShare: number;
  readonly probeIntervalMs: number;
  readonly batchKeys: boolean;
  private readonly unavailableEvents = new EventSource<RedisUnavailableEvent>('store-unavailable');
  private readonly recoveredEvents = new EventSource<RedisRecoveredEvent>('store-recovered');
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
  };

  constructor(options: RedisStoreOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(
        `Expected \`options\` to be an object, got \`${String(options)}\` (${typeof options})`,
      );
    }
    const client = options.client as Partial<RedisClientLike> | undefined;
    if (
      typeof client !== 'object' ||
      client === null ||
      typeof client.evalsha !== 'function' ||
      typeof client.eval !== 'function'
    ) {
      throw new TypeError(
        `Expected \`client\` to be a Redis client with evalsha() and eval() (ioredis 5), got \`${String(client)}\` (${typeof client})`,
      );
    }
    this.client = client as RedisClientLike;
    if (options.prefix !== undefined && typeof options.prefix !== 'string') {
      throw new TypeError(
        `Expected \`prefix\` to be a string, got \`${String(options.prefix)}\` (${typeof options.prefix})`,
      );
    }
    this.prefix = options.prefix ?? 'x:rate-limit:';
    this.decisionTimeoutMs =
      options.decisionTimeoutMs === undefined
        ? 250
        : expectNumber('decisionTimeoutMs', options.decisionTimeoutMs, 0, true);
    const policy = options.onUnavailable ?? 'local';
    if (policy !== 'fail-open' && policy !== 'fail-closed' && policy !== 'local') {
      const message = `Expected \`onUnavailable\` to be 'fail-open', 'fail-closed' or 'local', got \`${String(policy)}\` (${typeof policy})`;
      throw typeof policy === 'string' ? new RangeError(message) : new TypeError(message);
    }
    this.policy = policy;
    this.localShare =
      options.localShare === undefined
        ? 0.25
        : expectNumber('localShare', options.localShare, 0, true);
    if (this.localShare > 1) {
      throw new RangeError(
        `Expected \`localShare\` to be a number > 0 and <= 1, got \`${this.localShare}\` (number)`,
      );
    }
    if (options.batchKeys !== undefined && typeof options.batchKeys !== 'boolean') {
      throw new TypeError(
        `Expected \`batchKeys\` to be a boolean, got \`${String(options.batchKeys)}\` (${typeof options.batchKeys})`,
      );
    }
    this.batchKeys = options.batchKeys ?? false;
    this.probeIntervalMs =
      options.probeIntervalMs === undefined
        ? 1000
        : expectNumber('probeIntervalMs', options.probeIntervalMs, 0, false);
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
    keys: readonly string[],
    args: (string | number)[],
    late?: (reply: unknown) => void,
  ): Promise<unknown> {
    const call = this.client
      .evalsha(TOKEN_BUCKET_SHA, keys.length, ...keys, ...args)
      .catch((error: unknown) => {
        if (isNoScript(error)) {
          this.counters.scriptReloads++;
          return this.client.eval(TOKEN_BUCKET_SCRIPT, keys.length, ...keys, ...args);
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

  fallback(decisions: number): void {
    this.counters.fallbackDecisions += decisions;
  }
}

type Mode = 'take' | 'peek' | 'adjust';

interface Pending {
  readonly costs: readonly number[];
  readonly resolve: (wait: number) => void;
  readonly reject: (error: unknown) => void;
}

/** One key's requests within a script call. */
interface Group {
  readonly key: string;
  readonly requests: readonly (readonly number[])[];
}

/** The most decisions sent in one script call (a bound on ARGV size and Lua stack use). */
const MAX_BATCH = 128;

class BoundRedis implements BoundRateLimitStore {
  readonly remote = true;
  private readonly local: BoundRateLimitStore | undefined;
  private readonly localCaps: number[];
  /** per limit: name, rate in units/ms, capacity, as script arguments */
  private readonly spec: (string | number)[];
  private readonly count: number;
  /** `take` calls of this tick, by key: they go to Redis together */
  private pending = new Map<string, Pending[]>();
  private flushQueued = false;

  constructor(
    private readonly store: RedisStoreImpl,
    limits: readonly ResolvedLimit[],
  ) {
    this.count = limits.length;
    this.spec = limits.flatMap((l) => [l.name, String(l.ratePerSecond / 1000), String(l.capacity)]);
    this.localCaps = limits.map((l) => l.capacity * store.localShare);
    this.local =
      store.policy === 'local'
        ? createMemoryStore().bind(
            limits.map((l) => ({
              name: l.name,
              ratePerSecond: l.ratePerSecond * store.localShare,
              capacity: l.capacity * store.localShare,
            })),
          )
        : undefined;
  }

  /**
   * Decisions requested in the same tick share one script call: those for one key always, those
   * for different keys with `batchKeys` (still one round trip, in call order, as if they had
   * arrived one after the other).
   */
  take(key: string, costs: readonly number[]): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      let list = this.pending.get(key);
      if (list === undefined) {
        list = [];
        this.pending.set(key, list);
      }
      list.push({ costs, resolve, reject });
      if (!this.flushQueued) {
        this.flushQueued = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  async waitTime(key: string, costs: readonly number[]): Promise<number> {
    return (await this.decide('peek', [{ key, requests: [costs] }]))[0]![0]!;
  }

  async adjust(key: string, deltas: readonly number[]): Promise<void> {
    await this.decide('adjust', [{ key, requests: [deltas] }]);
  }

  stats(): Record<string, unknown> {
    return { ...this.store.stats() };
  }

  close(): void {
    this.local?.close();
  }

  private flush(): void {
    this.flushQueued = false;
    const pending = this.pending;
    this.pending = new Map();
    let groups: Group[] = [];
    let waiters: Pending[][] = [];
    let size = 0;
    const send = () => {
      const sent = waiters;
      this.decide('take', groups).then(
        (results) => {
          for (let g = 0; g < sent.length; g++) {
            const list = sent[g]!;
            const waits = results[g]!;
            for (let i = 0; i < list.length; i++) list[i]!.resolve(waits[i]!);
          }
        },
        (error: unknown) => {
          for (const list of sent) for (const p of list) p.reject(error);
        },
      );
      groups = [];
      waiters = [];
      size = 0;
    };
    for (const [key, list] of pending) {
      for (let start = 0; start < list.length; start += MAX_BATCH) {
        const part = list.length <= MAX_BATCH ? list : list.slice(start, start + MAX_BATCH);
        if (size > 0 && (!this.store.batchKeys || size + part.length > MAX_BATCH)) send();
        groups.push({ key, requests: part.map((p) => p.costs) });
        waiters.push(part);
        size += part.length;
      }
    }
    if (size > 0) send();
  }

  private args(mode: Mode, groups: readonly Group[]): (string | number)[] {
    const args: (string | number)[] = [mode, this.count, ...this.spec];
    for (const { requests } of groups) {
      args.push(requests.length);
      for (const amounts of requests) for (let i = 0; i < this.count; i++) args.push(amounts[i]!);
    }
    return args;
  }

  private async decide(mode: Mode, groups: readonly Group[]): Promise<number[][]> {
    const store = this.store;
    let decisions = 0;
    for (const g of groups) decisions += g.requests.length;
    if (!store.skipRedis()) {
      const keys = groups.map((g) => store.prefix + g.key);
      let reply: unknown;
      try {
        reply = await store.run(keys, this.args(mode, groups), (late) => {
          if (mode === 'take' && Array.isArray(late)) this.refund(groups, late);
        });
      } catch (error) {
        store.failed(error);
        store.fallback(decisions);
        return this.policyDecision(mode, groups);
      }
      store.succeeded(decisions);
      if (!Array.isArray(reply) || reply.length !== decisions) {
        throw new TypeError('Unexpected reply from the rate-limit script');
      }
      const results: number[][] = [];
      let r = 0;
      for (const g of groups) results.push(g.requests.map(() => Number(reply[r++])));
      return results;
    }
    store.fallback(decisions);
    return this.policyDecision(mode, groups);
  }

  /** Redis admitted after the policy had decided: give those tokens back, key by key. */
  private refund(groups: readonly Group[], late: readonly unknown[]): void {
    let r = 0;
    const refunds: Group[] = [];
    for (const g of groups) {
      const refund = new Array<number>(this.count).fill(0);
      let any = false;
      for (const amounts of g.requests) {
        if (Number(late[r++]) !== 0) continue;
        any = true;
        for (let i = 0; i < this.count; i++) refund[i]! -= amounts[i]!;
      }
      if (any) refunds.push({ key: g.key, requests: [refund] });
    }
    for (const g of refunds) {
      this.store.run([this.store.prefix + g.key], this.args('adjust', [g])).catch(() => {});
    }
  }

  private policyDecision(mode: Mode, groups: readonly Group[]): number[][] {
    switch (this.store.policy) {
      case 'fail-open':
        return groups.map((g) => g.requests.map(() => 0));
      case 'fail-closed':
        if (mode === 'adjust') return groups.map((g) => g.requests.map(() => 0));
        throw new RateLimitStoreUnavailableError({ policy: 'fail-closed' });
      case 'local': {
        const local = this.local!;
        return groups.map(({ key, requests }) =>
          requests.map((amounts) => {
            if (mode === 'adjust') {
              local.adjust(key, amounts);
              return 0;
            }
            // A cost above the local share is charged as a full local bucket, so it still passes.
            const clamped = amounts.map((a, i) => Math.min(a, this.localCaps[i]!));
            return (
              mode === 'peek' ? local.waitTime(key, clamped) : local.take(key, clamped)
            ) as number;
          }),
        );
      }
    }
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

function errorLabel(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string') return name;
  }
  return undefined;
}

/**
 * Creates a Redis store for `createRateLimiter({ store })`: every decision is one `EVALSHA` of an
 * atomic Lua token bucket on the Redis server's clock (reloaded on `NOSCRIPT`), with a declared
 * policy for when Redis does not answer within `decisionTimeoutMs`.
 *
 * @throws TypeError / RangeError when an option is invalid.
 * @example
 * ```ts
 * import Redis from 'ioredis';
 * const store = createRedisStore({ client: new Redis(), onUnavailable: 'local', localShare: 0.25 });
 * const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 60 } }, store });
 * await limiter.acquire('openai');
 * ```
 */
export function createRedisStore(options: RedisStoreOptions): RedisStore {
  return new RedisStoreImpl(options);
}

/** Options of {@link createRedisTokenBucket}. */
export interface RedisTokenBucketOptions extends RedisStoreOptions {
  /** The bucket's key in Redis (after `prefix`); every process using it shares one bucket. */
  key: string;
  /** Tokens added per second. Range: a finite number > 0. */
  ratePerSecond: number;
  /**
   * The burst.
   * @default ratePerSecond
   */
  capacity?: number;
  /**
   * The most `acquire()` calls that may wait in this process.
   * @default Infinity
   */
  maxQueue?: number;
}

/** A token bucket shared through Redis: see {@link createRedisTokenBucket}. */
export interface RedisTokenBucket {
  /** One decision, one round trip; `false` debits nothing. */
  tryAcquire(cost?: number): Promise<boolean>;
  /**
   * Waits (FIFO within this process) for the time the script says, bounded by `timeoutMs`.
   * Rejects like `TokenBucket.acquire`, and with `RateLimitStoreUnavailableError` under a
   * `fail-closed` outage.
   */
  acquire(cost?: number, options?: AcquireOptions): Promise<void>;
  /** Ms until `acquire(cost)` would be admitted (one round trip, no debit). */
  waitTimeMs(cost?: number): Promise<number>;
  /** Gives tokens back (negative) or charges more (positive). */
  adjust(delta: number): Promise<void>;
  /** A JSON-serialisable snapshot: the limiter's counters and the store's outage state. */
  stats(): RateLimiterStats;
  onReject(listener: (event: RateLimitRejectEvent) => void): () => void;
  onUnavailable(listener: (event: RedisUnavailableEvent) => void): () => void;
  onRecovered(listener: (event: RedisRecoveredEvent) => void): () => void;
  /** Rejects this process's waiters; the Redis client stays open. */
  close(): Promise<void>;
}

/**
 * Creates one token bucket shared by every process that uses the same Redis `key`.
 *
 * @throws TypeError / RangeError when an option is invalid.
 * @example
 * ```ts
 * const bucket = createRedisTokenBucket({ client: new Redis(), key: 'openai', ratePerSecond: 60 });
 * await bucket.acquire(1, { timeoutMs: 5_000 });
 * ```
 */
export function createRedisTokenBucket(options: RedisTokenBucketOptions): RedisTokenBucket {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      `Expected \`options\` to be an object, got \`${String(options)}\` (${typeof options})`,
    );
  }
  if (typeof options.key !== 'string') {
    throw new TypeError(
      `Expected \`key\` to be a string, got \`${String(options.key)}\` (${typeof options.key})`,
    );
  }
  const key = options.key;
  const store = createRedisStore(options);
  const limiter: RateLimiter<'tokens'> = createRateLimiter({
    limits: { tokens: { ratePerSecond: options.ratePerSecond, capacity: options.capacity } },
    store,
    maxQueue: options.maxQueue,
  });
  return {
    tryAcquire: (cost = 1) => limiter.tryAcquire(key, { tokens: cost }),
    acquire: (cost = 1, acquireOptions) => limiter.acquire(key, { tokens: cost }, acquireOptions),
    waitTimeMs: (cost = 1) => limiter.waitTimeMs(key, { tokens: cost }),
    adjust: (delta) => limiter.adjust(key, { tokens: delta }),
    stats: () => limiter.stats(),
    onReject: (listener) => limiter.onReject(listener),
    onUnavailable: (listener) => store.onUnavailable(listener),
    onRecovered: (listener) => store.onRecovered(listener),
    close: () => limiter.close(),
  };
}
