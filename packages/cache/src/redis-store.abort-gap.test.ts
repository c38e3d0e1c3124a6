// The last caller of a load aborting after its loader produced the answer but before the load
// settled (the few microtasks between): the answer is written and the lock released after it,
// so a second cache on the same Redis (another process) reads it rather than loading again.
// Real clock and the shared redis-server.
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it, vi } from 'vitest';
import { chatRequest as req } from './__fixtures__/chat-request';
import { redisClients } from './__fixtures__/redis-clients';
import { createCache } from './cache';
import { isCacheStoreError } from './errors';
import { createRedisStore, type RedisStoreClient, type RedisStoreOptions } from './redis-store';

const url = inject('redisUrl');
const connect = redisClients(url);
const admin = connect();

/** A cache with a Redis store of its own client (as in another process) under `prefix`. */
function cacheOn(
  prefix: string,
  client: RedisStoreClient = connect(),
  options: Partial<RedisStoreOptions> = {},
) {
  const store = createRedisStore({ client, prefix, commandTimeoutMs: 5_000, ...options });
  return { cache: createCache<string>({ store }), store };
}

/** Runs `fn` `depth` microtasks from now (0: at once). */
function after(depth: number, fn: () => void): void {
  if (depth === 0) fn();
  else queueMicrotask(() => after(depth - 1, fn));
}

/**
 * A loader whose answer is there at once and whose own reaction to it aborts `caller`, `depth`
 * microtasks later: the caller leaves once the answer exists, before the load has settled.
 */
function answerThenAbort(caller: AbortController, depth: number, answer = 'A answer') {
  return vi.fn(() => {
    const produced = Promise.resolve(answer);
    produced.then(() => after(depth, () => caller.abort(new Error('caller A left'))));
    return produced;
  });
}

/** Keys of `request` in Redis under `prefix`. */
function redisKeys(prefix: string, key: string) {
  return { value: `${prefix}v:${key}`, lock: `${prefix}lock:${key}` };
}

/** Waits until Redis no longer holds `lockKey` (it is released in the background). */
async function lockGone(lockKey: string): Promise<void> {
  await vi.waitFor(async () => expect(await admin.exists(lockKey)).toBe(0), {
    timeout: 5_000,
    interval: 20,
  });
}

describe('a load whose last caller aborts after its loader answered', () => {
  // 0: before the load sees the answer; the higher ones land later in the gap before it settles.
  it.each([0, 1, 2, 3, 4, 5, 6, 8])(
    'writes the answer before releasing the lock: another process does not load again (abort %i microtasks after)',
    async (depth) => {
      const prefix = `t:${randomUUID()}:`;
      const a = cacheOn(prefix);
      const b = cacheOn(prefix);
      const caller = new AbortController();
      const loaderA = answerThenAbort(caller, depth);
      // Either outcome is right for A: its abort (once it left) or the answer (abort too late).
      const outcome = await a.cache.getOrLoad(req(1), loaderA, { signal: caller.signal }).then(
        (value) => value,
        (error: Error) => error.message,
      );
      expect(['caller A left', 'A answer']).toContain(outcome);
      expect(caller.signal.aborted).toBe(true);
      // At once, as another process would: A's write and release may still be on their way.
      const loaderB = vi.fn(async () => 'B answer');
      expect(await b.cache.getOrLoad(req(1), loaderB)).toBe('A answer');
      expect(loaderB).not.toHaveBeenCalled();
      expect(loaderA).toHaveBeenCalledTimes(1);
      await a.cache.close();
      await lockGone(redisKeys(prefix, a.cache.key(req(1))).lock);
      expect(a.cache.stats().inflight).toBe(0);
      await b.cache.close();
    },
  );

  it('releases the lock and writes nothing when the loader fails in that gap', async () => {
    const prefix = `t:${randomUUID()}:`;
    const a = cacheOn(prefix);
    const b = cacheOn(prefix);
    const caller = new AbortController();
    const loaderA = vi.fn(() => {
      const failed = Promise.reject(new Error('upstream failed'));
      failed.catch(() => caller.abort(new Error('caller A left')));
      return failed;
    });
    await expect(a.cache.getOrLoad(req(2), loaderA, { signal: caller.signal })).rejects.toThrow(
      'caller A left',
    );
    await a.cache.flush();
    const keys = redisKeys(prefix, a.cache.key(req(2)));
    await lockGone(keys.lock);
    expect(await admin.exists(keys.value)).toBe(0);
    // Nothing to read: B loads, with the lock.
    const loaderB = vi.fn(async () => 'B answer');
    expect(await b.cache.getOrLoad(req(2), loaderB)).toBe('B answer');
    expect(loaderB).toHaveBeenCalledTimes(1);
    expect(a.cache.stats().inflight).toBe(0);
    await Promise.all([a.cache.close(), b.cache.close()]);
  });

  it('still releases the lock, after the write, when the write fails', async () => {
    const prefix = `t:${randomUUID()}:`;
    const real = connect();
    // Every SET refused, the rest as Redis answers it.
    const client = new Proxy(real, {
      get(target, name) {
        if (name === 'set') return () => Promise.reject(new Error('SET refused'));
        const value: unknown = Reflect.get(target, name, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    // A failed command would hold the next ones back as an outage (the release among them, the
    // lock then left to expire): every command is sent here, to see the release follow the write.
    const a = cacheOn(prefix, client, { probeIntervalMs: 0 });
    const errors: unknown[] = [];
    a.cache.onStoreError((error) => errors.push(error));
    const caller = new AbortController();
    await expect(
      a.cache.getOrLoad(req(3), answerThenAbort(caller, 0), { signal: caller.signal }),
    ).rejects.toThrow('caller A left');
    await a.cache.flush();
    const keys = redisKeys(prefix, a.cache.key(req(3)));
    expect(await admin.exists(keys.lock)).toBe(0);
    expect(await admin.exists(keys.value)).toBe(0);
    expect(errors).toHaveLength(1);
    expect(isCacheStoreError(errors[0]) && errors[0].operation).toBe('set');
    // Kept in memory all the same: this process does not load again.
    expect(a.cache.get(req(3))).toBe('A answer');
    expect(a.cache.stats().inflight).toBe(0);
    await a.cache.close();
  });

  it('finishes the write and the release when the cache closes meanwhile', async () => {
    const prefix = `t:${randomUUID()}:`;
    const a = cacheOn(prefix);
    const caller = new AbortController();
    const loading = a.cache.getOrLoad(req(4), answerThenAbort(caller, 0), {
      signal: caller.signal,
    });
    const closing = new Promise<void>((resolve, reject) => {
      caller.signal.addEventListener('abort', () => a.cache.close().then(resolve, reject));
    });
    await expect(loading).rejects.toThrow('caller A left');
    await closing;
    const keys = redisKeys(prefix, a.cache.key(req(4)));
    // close() waited for both.
    expect(await admin.exists(keys.lock)).toBe(0);
    expect(await admin.exists(keys.value)).toBe(1);
    expect(a.cache.stats().inflight).toBe(0);
  });

  it('gives the lock back when the store closes meanwhile, and writes nothing', async () => {
    const prefix = `t:${randomUUID()}:`;
    const a = cacheOn(prefix);
    const errors: unknown[] = [];
    a.cache.onStoreError((error) => errors.push(error));
    const caller = new AbortController();
    caller.signal.addEventListener('abort', () => void a.store.close());
    await expect(
      a.cache.getOrLoad(req(5), answerThenAbort(caller, 0), { signal: caller.signal }),
    ).rejects.toThrow('caller A left');
    await a.cache.close();
    await a.store.close();
    const keys = redisKeys(prefix, a.cache.key(req(5)));
    expect(await admin.exists(keys.lock)).toBe(0);
    expect(await admin.exists(keys.value)).toBe(0);
    expect(errors.map((error) => isCacheStoreError(error) && error.operation)).toEqual(['set']);
    expect(a.cache.stats().inflight).toBe(0);
  });
});

describe('a load without a store whose last caller aborts after its loader answered', () => {
  it('keeps the answer in memory: the next caller does not load again', async () => {
    const cache = createCache<string>();
    const caller = new AbortController();
    const loader = answerThenAbort(caller, 0);
    await expect(cache.getOrLoad(req(6), loader, { signal: caller.signal })).rejects.toThrow(
      'caller A left',
    );
    const again = vi.fn(async () => 'again');
    expect(await cache.getOrLoad(req(6), again)).toBe('A answer');
    expect(again).not.toHaveBeenCalled();
    expect(cache.stats().inflight).toBe(0);
  });

  it('still aborts the loader when every caller leaves before it answers', async () => {
    const cache = createCache<string>();
    const caller = new AbortController();
    let signal: AbortSignal | undefined;
    let answer!: (value: string) => void;
    const loading = cache.getOrLoad(
      req(7),
      (given) => {
        signal = given;
        return new Promise<string>((resolve) => (answer = resolve));
      },
      { signal: caller.signal },
    );
    await vi.waitFor(() => expect(signal).toBeDefined());
    caller.abort(new Error('caller A left'));
    await expect(loading).rejects.toThrow('caller A left');
    expect(signal!.aborted).toBe(true);
    answer('too late');
    await cache.close();
    // Its answer came after everyone left: maybe partial, not kept.
    expect(cache.has(req(7))).toBe(false);
  });
});
