import { randomUUID } from 'node:crypto';
import {
  answersIntegersAsText,
  expectKeyLabel,
  failRedisClient,
  integerReply,
  isPlainObject,
  optionalDuration,
  optionalString,
  sleep,
  toWellFormed,
} from '@x/internal';
import { CacheClosedError, type CacheStoreOperation, isCacheStoreError } from './errors';
import { readValue } from './internal/bounded-read';
import { holdLock } from './internal/lock-hold';
import { registerRedisLockScope } from './internal/lock-scope';
import { RELEASE, TAKE } from './internal/lock-scripts';
import { checkClient, RedisCommands, type ReplyReader } from './internal/redis-commands';
import { keyPrefixOf, redisKeys, scanPattern } from './internal/redis-keys';
import { ignored, redisBytes, redisFlag, redisScan } from './internal/reply-checks';
import { Waits } from './internal/waits';
import { expectOptions } from './options';
import type { RedisStoreClient, RedisStoreReadOptions } from './redis-store-client';
import type { CacheStore, CacheStoreLock, CacheStoreLockOptions } from './store';

export type { RedisStoreClient, RedisStoreReadOptions } from './redis-store-client';

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /**
   * A connected Redis client (ioredis 5 or 6, or anything with the same commands). It stays
   * yours.
   */
  client: RedisStoreClient;
  /**
   * Prefix of every Redis key this store writes: values at `<prefix>v:<key>`, locks at
   * `<prefix>lock:<key>` (after an ioredis `keyPrefix`, which the client adds). `''` or a label
   * of at most 200 printable characters holding no credential (a URL with a password, an
   * `sk-...` key): else a `RangeError` that shows it as `[redacted]`.
   * @default 'x:cache:'
   */
  prefix?: string | undefined;
  /**
   * How long one Redis command may take before it counts as failed (the cache then carries on
   * from memory or the loader). Keeps an unreachable Redis from stalling requests.
   * 1 to 2^31-1 (a fraction of a ms allowed: only a timer waits it).
   * @default 500
   */
  commandTimeoutMs?: number | undefined;
  /**
   * Expiry of the load lock. The holder renews it every third of this while its loader runs, so
   * it only runs out when the holder died; then another process takes over. Integer, 1 to 2^31-1.
   * @default 10000
   */
  lockTtlMs?: number | undefined;
  /**
   * Longest time a cache waits for a load another cache holds the lock of (another process, or
   * another deployment sharing this Redis) before loading itself, without the lock; its answer
   * is written as usual. A holder that hangs costs a waiter this much, not the holder's whole
   * timeout. Integer, 1 to 2^31-1.
   * @default 30000
   */
  lockWaitMs?: number | undefined;
  /**
   * How often a waiting process looks for the value (and for a dead lock holder).
   * Integer, 1 to 2^31-1.
   * @default 50
   */
  pollIntervalMs?: number | undefined;
  /**
   * After a command times out, the connection fails or Redis refuses the client (`NOAUTH`,
   * `WRONGPASS`, `NOPERM`, `LOADING`...), how long every command fails at once, unsent (the cache
   * serves from memory or calls the loader); then one command, the probe, is sent while the
   * others still fail at once, and its answer, unless it is such a refusal, ends the outage.
   * 0 sends every command. Integer, 0 to 2^31-1.
   * @default 1000
   */
  probeIntervalMs?: number | undefined;
}

/** A {@link CacheStore} in Redis, with `clear()` for its prefix and `close()`. */
export interface RedisStore extends CacheStore {
  get(
    key: string,
    options?: { signal?: AbortSignal | undefined } & RedisStoreReadOptions,
  ): Promise<Uint8Array | undefined>;
  lock(
    key: string,
    options: CacheStoreLockOptions & RedisStoreReadOptions,
  ): Promise<CacheStoreLock | undefined>;
  /** The prefix of this store's keys. */
  readonly prefix: string;
  /**
   * Deletes every key under the prefix (values and locks), with SCAN + DEL; under the client's
   * ioredis `keyPrefix` when it has one.
   */
  clear(): Promise<void>;
  /**
   * Stops renewing and releases the load locks this store holds, ends the waits for another
   * process's load (the waiting caches load by themselves; a cache's own `close()` ends its waits
   * too), and makes every later command reject with {@link CacheClosedError}. The Redis client is
   * yours: it stays open. Idempotent.
   */
  close(): Promise<void>;
  /** Calls `close()`, so `await using store = createRedisStore(...)` closes it at scope end. */
  [Symbol.asyncDispose](): Promise<void>;
}

const OPTION_KEYS = [
  'client',
  'prefix',
  'commandTimeoutMs',
  'lockTtlMs',
  'lockWaitMs',
  'pollIntervalMs',
  'probeIntervalMs',
] as const satisfies readonly (keyof RedisStoreOptions)[];

/**
 * Creates a shared cache tier in Redis for `createCache({ store })`: values (already compressed
 * by the cache) with their TTL kept by Redis (`SET ... PX`), keys under a prefix, and at most one
 * loader across processes for a missing key (`SET lock NX PX`, renewed while loading; the others
 * poll for the value, and take over if the holder dies). Every command is bounded by
 * `commandTimeoutMs`; a failure rejects with `CacheStoreError` (from `@x/cache`), which the cache counts and
 * never passes to a caller.
 *
 * @throws {TypeError} when `client` lacks a command, or an option has the wrong type or is unknown.
 * @throws {RangeError} when a number is out of range (durations: 1 to 2^31-1 ms, integers but for
 *   `commandTimeoutMs`).
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { createCache } from '@x/cache';
 * import { createRedisStore } from '@x/cache/redis';
 *
 * const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
 * await using store = createRedisStore({ client: redis });
 * await using cache = createCache({ store });
 * ```
 */
export function createRedisStore(options: RedisStoreOptions): RedisStore {
  // Never shown: a string may be a connection URL, an object (a client given as the options) may
  // hold one.
  if (!isPlainObject(options)) failRedisClient('options', 'an object with a `client`', options);
  expectOptions('options', options, OPTION_KEYS);
  const client = checkClient(options.client);
  // A client made with `stringNumbers: true` answers the lock scripts' 0 and 1 as text.
  const textIntegers = answersIntegersAsText(client);
  const flag = (reply: unknown): boolean => redisFlag(textIntegers ? integerReply(reply) : reply);
  const prefix = optionalString('prefix', options.prefix) ?? 'x:cache:';
  // The prefix starts every Redis key, as a namespace does: held to what `namespace` is (no
  // credential, refused unshown; at most 200 printable characters). '' stays "no prefix".
  if (prefix !== '') expectKeyLabel(toWellFormed(prefix), 'prefix');
  // `undefined` is "not set"; `null` is refused like any other wrong type, never `?? fallback`.
  const duration = (name: string, value: unknown, fallback: number, min = 1) =>
    optionalDuration(name, value, { min, integer: true }) ?? fallback;
  // Only a timer waits it (setTimeout takes fractional ms), as the router's Redis state's does;
  // the others are sent to Redis as `PX`, which takes whole ms.
  const commandTimeoutMs =
    optionalDuration('commandTimeoutMs', options.commandTimeoutMs, { min: 1 }) ?? 500;
  const lockTtlMs = duration('lockTtlMs', options.lockTtlMs, 10_000);
  // Long enough for most answers of a model (a second load of a healthy one costs its tokens
  // again), well under a stalled call's deadlines: the holder may be a deployment that hangs,
  // renewing its lock until its own timeout (60 s before this release).
  const lockWaitMs = duration('lockWaitMs', options.lockWaitMs, 30_000);
  const pollIntervalMs = duration('pollIntervalMs', options.pollIntervalMs, 50);
  const probeIntervalMs = duration('probeIntervalMs', options.probeIntervalMs, 1000, 0);
  /**
   * During an outage, and while the client connects, commands fail without being sent but for one
   * probe at a time: each would wait in the client's queue, which would grow with the outage, and
   * a miss sends two (`get`, then the lock), so every miss would pay twice `commandTimeoutMs`.
   */
  const commands = new RedisCommands(commandTimeoutMs, probeIntervalMs, client);
  // values at `<prefix>v:<key>`, locks at `<prefix>lock:<key>` (see redis-keys.ts)
  const { value: valueKeyOf, lock: lockKeyOf } = redisKeys(prefix);

  /** One per lock() in progress; close() aborts them with CacheClosedError. */
  const waits = new Waits();
  /** The release of each lock this store holds now. */
  const held = new Set<() => Promise<void>>();
  let closed: Promise<void> | undefined;

  /** {@link RedisCommands.send}, refused once the store is closed, held back during an outage. */
  function command<R>(
    operation: CacheStoreOperation,
    run: () => Promise<unknown>,
    read: ReplyReader<R>,
  ): Promise<R> {
    if (closed !== undefined) return Promise.reject(new CacheClosedError('store'));
    return commands.gated(operation, run, read);
  }

  async function get(
    key: string,
    options?: RedisStoreReadOptions,
  ): Promise<Uint8Array | undefined> {
    return command('get', () => readValue(client, valueKeyOf(key), options?.maxBytes), redisBytes);
  }

  /** {@link holdLock} with this store's commands. */
  const hold = (lockKey: string, token: string, failed: ((cause: unknown) => void) | undefined) =>
    holdLock({ commands, client, lockTtlMs, flag, held }, lockKey, token, failed);

  /** lock() under a signal of its own, aborted by the caller's or by close(). */
  async function lock(
    key: string,
    options: CacheStoreLockOptions & RedisStoreReadOptions,
  ): Promise<CacheStoreLock | undefined> {
    options.signal.throwIfAborted();
    const wait = waits.start(options.signal);
    wait.endable();
    try {
      return await acquire(key, wait.signal, options);
    } finally {
      wait.done();
    }
  }

  /** Resolves as {@link lock}; `waiting` is told when another holder's lock is first found. */
  async function acquire(
    key: string,
    signal: AbortSignal,
    { waiting, maxBytes, failed }: CacheStoreLockOptions & RedisStoreReadOptions,
  ): Promise<CacheStoreLock | undefined> {
    const lock = lockKeyOf(key);
    const deadline = performance.now() + lockWaitMs;
    // Found another holder's lock: counted in stats().store.lockWaits, told to `waiting` at once
    // so that the wait counts also when an abort or a failure ends it (no `waited` flag then).
    let waited = false;
    for (;;) {
      signal.throwIfAborted();
      // A token per try: a lock that an earlier try's command took late is given back (see
      // takeLock), and must not be taken for this try's meanwhile.
      const token = randomUUID();
      if (await takeLock(lock, token)) {
        const release = hold(lock, token, failed);
        // The previous holder may have stored the value between our miss and our lock.
        let value: Uint8Array | undefined;
        try {
          value = await get(key, { maxBytes });
        } catch (error) {
          await release().catch(() => {});
          throw error;
        }
        if (value !== undefined || signal.aborted) {
          // Stored meanwhile by the previous holder, or nobody wants the load any more.
          await release().catch(() => {});
          signal.throwIfAborted();
          return { value: value!, waited };
        }
        return waited ? { release, waited } : { release };
      }
      // Someone else's lock: its value is polled for, up to the deadline and not a poll beyond;
      // not at all when the cache says the holder is a load waiting for this one (`false`).
      if (!waited && waiting?.() === false) return undefined;
      waited = true;
      const left = deadline - performance.now();
      if (left <= 0) return undefined;
      await sleep(Math.min(pollIntervalMs, Math.ceil(left)), signal, false);
      const value = await get(key, { maxBytes });
      if (value !== undefined) return { value, waited };
    }
  }

  /**
   * The lock's {@link TAKE}. When it times out, Redis may still take it later (a paused or slow
   * server, the client's offline queue): nobody would hold that lock, and every process missing
   * the key would wait `lockTtlMs` for it. So a lock that lands late is given back at once, and so
   * is one whose reply is neither 0 nor 1, or whose command failed once sent (a connection lost
   * after Redis ran it): it may have been taken, and RELEASE deletes only our token.
   */
  async function takeLock(lockKey: string, token: string): Promise<boolean> {
    let sent: Promise<unknown> | undefined;
    const giveBack = () => {
      commands
        .send('unlock', () => client.eval(RELEASE, 1, lockKey, token), ignored)
        .catch(() => {});
    };
    try {
      return await command(
        'lock',
        () => {
          sent = client.eval(TAKE, 1, lockKey, token, lockTtlMs);
          return sent;
        },
        (reply) => {
          try {
            return flag(reply);
          } catch (error) {
            giveBack();
            throw error;
          }
        },
      );
    } catch (error) {
      if (sent !== undefined && isCacheStoreError(error)) {
        // Timed out: its reply, if one comes, says whether it landed. Failed once sent: it may
        // have landed. (A reply that was no flag was given back above.)
        const { timedOut } = error;
        Promise.resolve(sent).then(
          (late) => timedOut && (textIntegers ? integerReply(late) : late) === 1 && giveBack(),
          giveBack,
        );
      }
      throw error;
    }
  }

  function close(): Promise<void> {
    closed ??= (async () => {
      waits.end(new CacheClosedError('store'));
      await Promise.allSettled([...held].map((release) => release()));
    })();
    return closed;
  }

  const store: RedisStore = {
    prefix,
    get,
    async set(key, value, ttlMs) {
      const buffer = Buffer.isBuffer(value)
        ? value
        : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      await command(
        'set',
        () => client.set(valueKeyOf(key), buffer, 'PX', Math.max(1, Math.round(ttlMs))),
        ignored,
      );
    },
    async delete(key) {
      await command('delete', () => client.del(valueKeyOf(key)), ignored);
    },
    lock,
    async clear() {
      const outer = keyPrefixOf(client);
      const pattern = scanPattern(outer, prefix);
      let cursor = '0';
      do {
        const [next, keys] = await command(
          'delete',
          () => client.scan(cursor, 'MATCH', pattern, 'COUNT', 500),
          redisScan,
        );
        cursor = next;
        if (keys.length > 0) {
          const names = outer === '' ? keys : keys.map((name) => name.slice(outer.length));
          await command('delete', () => client.del(...names), ignored);
        }
      } while (cursor !== '0');
    },
    close,
    [Symbol.asyncDispose]: close,
  };
  registerRedisLockScope(store, client, prefix);
  return store;
}
