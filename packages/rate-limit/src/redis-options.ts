/**
 * The public types of `@x/rate-limit/redis` and the validation of the store's options. The client
 * is typed structurally ({@link RedisClientLike}); ioredis 5 and 6 are the tested clients.
 */
import {
  expectDuration,
  expectKeyLabel,
  expectLogger,
  expectNumber,
  expectOneOf,
  failRedisClient,
  isPlainObject,
  optionalBoolean,
  optionalDuration,
  optionalString,
  PackageLog,
  toWellFormed,
} from '@x/internal';
import type { OutagePolicy } from './errors';
import { type RateLimitLogger, redactRateLimitLog } from './log';
import { expectOptions } from './options';
import type { RateLimitStore } from './store';

/**
 * The Redis commands the store calls, typed structurally so that any client can be adapted.
 * ioredis 5 and 6 match it as is.
 */
export interface RedisClientLike {
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

// Declared with the error that reports it, so that the main entry needs nothing from this one.
export type { OutagePolicy } from './errors';

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /** A connected client (ioredis 5 or 6, or anything matching {@link RedisClientLike}); never closed by the store. */
  client: RedisClientLike;
  /**
   * Prepended to every key in Redis. A limiter's key is `prefix`, `limiter:`, its limit names,
   * `|`, then the key (`x:rate-limit:limiter:requests,tokens|openai`); a `createRedisTokenBucket`
   * key is `prefix`, `bucket|`, then the key (`x:rate-limit:bucket|openai`). `''` or a label of
   * at most 200 printable characters holding no credential (a URL with a password, an `sk-...`
   * key): else a `RangeError` that shows it as `[redacted]`.
   * @default 'x:rate-limit:'
   */
  prefix?: string | undefined;
  /**
   * How long one decision may wait for Redis before the outage policy decides instead, in ms.
   * @default 250
   * Range: 1 to 2^31-1 (Node's timer limit).
   */
  decisionTimeoutMs?: number | undefined;
  /**
   * The outage policy: `fail-open` admits everything, `fail-closed` admits nothing
   * (`acquire` rejects with `RateLimitStoreUnavailableError`, `tryAcquire` resolves false),
   * `local` admits from an in-process bucket holding `localShare` of each limit.
   * @default 'local'
   */
  outagePolicy?: OutagePolicy | undefined;
  /**
   * The share of each limit (rate and capacity) this process may use on its own during an outage,
   * with `outagePolicy: 'local'`; typically 1 / the number of processes.
   * @default 0.25
   * Range: a number > 0 and <= 1.
   */
  localShare?: number | undefined;
  /**
   * Also send decisions for different keys together in one script call (those made in the same
   * tick, or freed by the same answer; decisions for one key always share calls). Much higher
   * throughput under load on a standalone Redis;
   * leave it off with Redis Cluster unless every key shares a hash tag (`{tenant}:...`), since a
   * multi-key script across slots fails there.
   * @default false
   */
  batchKeys?: boolean | undefined;
  /**
   * After a failed decision, how long to apply the policy without asking Redis, in ms; then one
   * decision probes Redis again while the others keep applying the policy.
   * @default 1000
   * Range: 0 to 2^31-1.
   */
  probeIntervalMs?: number | undefined;
  /**
   * pino, `console` or any {@link RateLimitLogger}: an outage and the policy applied at warn, the recovery at info (see the README's Logging).
   * @default undefined (silent)
   */
  logger?: RateLimitLogger | undefined;
}

/**
 * The `unavailable` event: Redis did not decide in time, or refused the client; the policy applies
 * from now on, until a decision succeeds.
 */
export interface RedisUnavailableEvent {
  readonly policy: OutagePolicy;
  /**
   * `timeout`: no answer within `decisionTimeoutMs`; `error`: the client failed, or Redis refused
   * it (`NOAUTH`, `WRONGPASS`, `NOPERM`, `LOADING`...).
   */
  readonly reason: 'timeout' | 'error';
  /**
   * Redis' error code (`WRONGPASS`, `BUSY`...), else the error's `code` or `name` (never its
   * message, which could carry connection details).
   */
  readonly error: string | undefined;
}

/**
 * The `recovered` event: a decision succeeded again (a refusal such as `WRONGPASS` or `LOADING`
 * is an answer, but no recovery).
 */
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
  /**
   * While `unavailable`: the error that keeps it so, by Redis' error code when Redis refused the
   * client (`WRONGPASS`, `NOAUTH`, `NOPERM`, `LOADING`, `BUSY`...), else the code or name of the
   * error that began the outage; `undefined` for a timeout, and while `available`. Never a message.
   */
  outageError: string | undefined;
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
  /** Decisions that failed with a client error or a refusal (`WRONGPASS`, `LOADING`...). */
  errors: number;
  /**
   * Calls Redis answered with an error that is not an outage (a script error, `WRONGTYPE`...):
   * they rejected with `RateLimitStoreError` and left the outage state alone.
   */
  scriptErrors: number;
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

const POLICIES = ['fail-open', 'fail-closed', 'local'] as const;
const STORE_KEYS = [
  'client',
  'prefix',
  'decisionTimeoutMs',
  'outagePolicy',
  'localShare',
  'batchKeys',
  'probeIntervalMs',
  'logger',
] as const;
/** @internal */
export const BUCKET_KEYS = [...STORE_KEYS, 'key', 'ratePerSecond', 'capacity', 'maxQueue'] as const;

/** @internal the store's options, validated */
export interface ResolvedRedisStoreOptions {
  readonly client: RedisClientLike;
  readonly prefix: string;
  readonly decisionTimeoutMs: number;
  readonly policy: OutagePolicy;
  readonly localShare: number;
  readonly batchKeys: boolean;
  readonly probeIntervalMs: number;
  readonly log: PackageLog;
}

/** @internal `known`: the accepted keys (a Redis token bucket accepts a few more). */
export function resolveRedisStoreOptions(
  options: unknown,
  known: readonly string[] = STORE_KEYS,
): ResolvedRedisStoreOptions {
  if (!isPlainObject(options)) failRedisClient('options', 'an object with a `client`', options);
  const o = expectOptions(undefined, options, known);
  const client = o.client as Partial<RedisClientLike> | undefined;
  if (
    typeof client !== 'object' ||
    client === null ||
    typeof client.evalsha !== 'function' ||
    typeof client.eval !== 'function'
  ) {
    failRedisClient('client', 'a Redis client with evalsha() and eval() (ioredis 5 or 6)', client);
  }
  return {
    client: client as RedisClientLike,
    prefix: expectPrefix(o.prefix),
    // At least 1 ms, as the cache store's `commandTimeoutMs`: a timer cannot wait less, so a
    // fraction would only fire as 1 ms while the option claimed otherwise.
    decisionTimeoutMs:
      optionalDuration('decisionTimeoutMs', o.decisionTimeoutMs, { min: 1 }) ?? 250,
    policy:
      o.outagePolicy === undefined
        ? 'local'
        : expectOneOf('outagePolicy', o.outagePolicy, POLICIES),
    localShare:
      o.localShare === undefined
        ? 0.25
        : expectNumber('localShare', o.localShare, { min: 0, exclusiveMin: true, max: 1 }),
    batchKeys: optionalBoolean('batchKeys', o.batchKeys) ?? false,
    probeIntervalMs:
      o.probeIntervalMs === undefined ? 1000 : expectDuration('probeIntervalMs', o.probeIntervalMs),
    log: new PackageLog('rate-limit', expectLogger('logger', o.logger), {}, redactRateLimitLog),
  };
}

/**
 * The prefix starts every Redis key, and a key is no place for a secret: held to what a label is
 * (no credential, refused unshown; at most 200 printable characters, a lone surrogate checked as
 * the U+FFFD the client writes). '' stays "no prefix".
 */
function expectPrefix(value: unknown): string {
  const prefix = optionalString('prefix', value) ?? 'x:rate-limit:';
  if (prefix !== '') expectKeyLabel(toWellFormed(prefix), 'prefix');
  return prefix;
}
