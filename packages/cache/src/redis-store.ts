import { randomUUID } from 'node:crypto';
import { CacheStoreError, type CacheStoreOperation } from './errors';
import type { CacheStore, CacheStoreLock } from './store';

/**
 * The Redis commands the store uses, typed structurally: an ioredis 5 client fits as is, and any
 * other client can be adapted with a small wrapper.
 */
export interface RedisStoreClient {
  getBuffer(key: string): Promise<Buffer | null>;
  set(key: string, value: Buffer | string, mode: 'PX', ttlMs: number): Promise<unknown>;
  set(
    key: string,
    value: Buffer | string,
    mode: 'PX',
    ttlMs: number,
    condition: 'NX',
  ): Promise<'OK' | null>;
  del(...keys: string[]): Promise<number>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  scan(
    cursor: string | number,
    matchToken: 'MATCH',
    pattern: string,
    countToken: 'COUNT',
    count: number,
  ): Promise<[cursor: string, keys: string[]]>;
}

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /** A connected Redis client (ioredis 5, or anything with the same commands). */
  client: RedisStoreClient;
  /**
   * Prefix of every Redis key this store writes: values at `<prefix><key>`, locks at
   * `<prefix>lock:<key>`.
   * @default 'x:cache:'
   */
  prefix?: string;
  /**
   * How long one Redis command may take before it counts as failed (the cache then carries on
   * from memory or the loader). Keeps an unreachable Redis from stalling requests.
   * @default 500
   */
  commandTimeoutMs?: number;
  /**
   * Expiry of the load lock. The holder renews it every third of this while its loader runs, so
   * it only runs out when the holder died; then another process takes over.
   * @default 10000
   */
  lockTtlMs?: number;
  /**
   * Longest time a process waits for another one's load before loading itself.
   * @default 60000
   */
  lockWaitMs?: number;
  /**
   * How often a waiting process looks for the value (and for a dead lock holder).
   * @default 50
   */
  pollIntervalMs?: number;
}

/** A {@link CacheStore} in Redis, with `clear()` for its prefix. */
export interface RedisStore extends CacheStore {
  /** The prefix of this store's keys. */
  readonly prefix: string;
  /** Deletes every key under the prefix (values and locks), with SCAN + DEL. */
  clear(): Promise<void>;
}

/** Deletes the lock only if it is still ours (it may have expired and been taken). */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
/** Extends the lock only if it is still ours. */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    const kind = typeof value === 'number' && !Number.isNaN(value) ? RangeError : TypeError;
    throw new kind(
      `Expected \`${name}\` to be an integer >= 1, got \`${String(value)}\` (${typeof value})`,
    );
  }
  return value;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    timer.unref?.();
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Creates a shared cache tier in Redis for `createCache({ store })`: values (already compressed
 * by the cache) with their TTL kept by Redis (`SET ... PX`), keys under a prefix, and at most one
 * loader across processes for a missing key (`SET lock NX PX`, renewed while loading; the others
 * poll for the value, and take over if the holder dies). Every command is bounded by
 * `commandTimeoutMs`; a failure rejects with {@link CacheStoreError}, which the cache counts and
 * never passes to a caller.
 *
 * @throws {TypeError} when `client` lacks a command or an option has the wrong type.
 * @throws {RangeError} when a number is out of range.
 * @example
 * ```ts
 * import Redis from 'ioredis';
 * import { createCache } from '@x/cache';
 * import { createRedisStore } from '@x/cache/redis';
 *
 * const cache = createCache({ store: createRedisStore({ client: new Redis(process.env.REDIS_URL) }) });
 * ```
 */
export function createRedisStore(options: RedisStoreOptions): RedisStore {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`Expected \`options\` to be an object, got \`${String(options)}\``);
  }
  const { client } = options;
  for (const command of ['getBuffer', 'set', 'del', 'eval', 'scan'] as const) {
    if (
      typeof (client as unknown as Record<string, unknown> | undefined)?.[command] !== 'function'
    ) {
      throw new TypeError(
        `Expected \`client\` to be a Redis client with a \`${command}\` method (ioredis 5), got \`${String(client)}\``,
      );
    }
  }
  const prefix = options.prefix ?? 'x:cache:';
  if (typeof prefix !== 'string') {
    throw new TypeError(
      `Expected \`prefix\` to be a string, got \`${String(prefix)}\` (${typeof prefix})`,
    );
  }
  const commandTimeoutMs = positiveInteger('commandTimeoutMs', options.commandTimeoutMs ?? 500);
  const lockTtlMs = positiveInteger('lockTtlMs', options.lockTtlMs ?? 10_000);
  const lockWaitMs = positiveInteger('lockWaitMs', options.lockWaitMs ?? 60_000);
  const pollIntervalMs = positiveInteger('pollIntervalMs', options.pollIntervalMs ?? 50);

  /** Runs one command within the timeout; rejects with CacheStoreError. */
  function command<R>(operation: CacheStoreOperation, run: () => Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new CacheStoreError(operation, { timedOut: true })),
        commandTimeoutMs,
      );
      timer.unref?.();
      let pending: Promise<R>;
      try {
        pending = Promise.resolve(run());
      } catch (cause) {
        pending = Promise.reject(cause);
      }
      pending.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (cause: unknown) => {
          clearTimeout(timer);
          reject(new CacheStoreError(operation, { cause }));
        },
      );
    });
  }

  async function get(key: string): Promise<Uint8Array | undefined> {
    const value = await command('get', () => client.getBuffer(prefix + key));
    return value ?? undefined;
  }

  /** Holds a lock: renews it while the loader runs, and releases it once. */
  function hold(lockKey: string, token: string): () => Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let released = false;
    const renew = () => {
      timer = setTimeout(
        () => {
          command('lock', () => client.eval(RENEW, 1, lockKey, token, lockTtlMs)).then(
            (renewed) => {
              // 0: the lock expired and is someone else's now; nothing left to renew.
              if (!released && renewed !== 0) renew();
            },
            // A failed renewal is not fatal: at worst the lock expires and a second process loads.
            () => {
              if (!released) renew();
            },
          );
        },
        Math.max(1, Math.floor(lockTtlMs / 3)),
      );
      timer.unref?.();
    };
    renew();
    return async () => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      await command('unlock', () => client.eval(RELEASE, 1, lockKey, token));
    };
  }

  async function lock(
    key: string,
    { signal }: { signal: AbortSignal },
  ): Promise<CacheStoreLock | undefined> {
    const lockKey = `${prefix}lock:${key}`;
    const token = randomUUID();
    const deadline = performance.now() + lockWaitMs;
    for (;;) {
      signal.throwIfAborted();
      const taken = await command('lock', () => client.set(lockKey, token, 'PX', lockTtlMs, 'NX'));
      if (taken === 'OK') {
        const release = hold(lockKey, token);
        // The previous holder may have stored the value between our miss and our lock.
        let value: Uint8Array | undefined;
        try {
          value = await get(key);
        } catch (error) {
          await release().catch(() => {});
          throw error;
        }
        if (value !== undefined || signal.aborted) {
          // Stored meanwhile by the previous holder, or nobody wants the load any more.
          await release().catch(() => {});
          signal.throwIfAborted();
          return { value: value! };
        }
        return { release };
      }
      if (performance.now() >= deadline) return undefined;
      await sleep(pollIntervalMs, signal);
      const value = await get(key);
      if (value !== undefined) return { value };
    }
  }

  return {
    prefix,
    get,
    async set(key, value, ttlMs) {
      const buffer = Buffer.isBuffer(value)
        ? value
        : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      await command('set', () =>
        client.set(prefix + key, buffer, 'PX', Math.max(1, Math.round(ttlMs))),
      );
    },
    async delete(key) {
      await command('delete', () => client.del(prefix + key));
    },
    lock,
    async clear() {
      const pattern = `${escapeGlob(prefix)}*`;
      let cursor = '0';
      do {
        const [next, keys] = await command('delete', () =>
          client.scan(cursor, 'MATCH', pattern, 'COUNT', 500),
        );
        cursor = next;
        if (keys.length > 0) await command('delete', () => client.del(...keys));
      } while (cursor !== '0');
    },
  };
}
