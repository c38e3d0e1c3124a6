/**
 * Replies of the wrong shape: a fake Redis (a proxy, or something else listening on the port)
 * answering commands with what a real one never sends, and custom stores resolving with
 * something other than bytes. Each must end as a counted store error, never at the caller.
 */
import Redis from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chatRequest as req } from './__fixtures__/chat-request';
import { type FakeReply, startFakeRedis } from './__fixtures__/fake-redis';
import { createCache } from './cache';
import { type CacheStoreError, isCacheStoreError } from './errors';
import { createRedisStore, type RedisStoreOptions } from './redis-store';
import type { CacheStore } from './store';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const INTEGER = () => ':5\r\n';
/** What GETRANGE answers for a missing key. */
const EMPTY = () => '$0\r\n\r\n';

/** A cache on a Redis store whose server answers with `replies`, and the errors it reports. */
async function fakeBacked(
  replies: Record<string, FakeReply>,
  options: Omit<RedisStoreOptions, 'client'> = {},
) {
  const fake = await startFakeRedis(replies);
  cleanups.push(() => fake.close());
  const client = new Redis(fake.url, { maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  cleanups.push(() => client.disconnect());
  const store = createRedisStore({ client, ...options });
  const cache = createCache<string>({ store });
  const errors: CacheStoreError[] = [];
  cache.onStoreError((error) => errors.push(error));
  return { cache, store, errors, fake };
}

describe('createRedisStore when Redis answers with the wrong type', () => {
  it('counts a store error and reads a miss when the read (GETRANGE) answers an integer', async () => {
    const { cache, errors } = await fakeBacked({ GETRANGE: INTEGER });
    await expect(cache.lookup(req(1))).resolves.toBeUndefined();
    expect(cache.stats().store).toMatchObject({ errors: 1, misses: 1, corruptEntries: 0 });
    expect(errors.map((error) => [isCacheStoreError(error), error.operation])).toEqual([
      [true, 'get'],
    ]);
    expect(errors[0]!.message).toContain('unexpected reply');
  });

  it('runs the loader when the read answers an integer, before and after the lock', async () => {
    const { cache, errors } = await fakeBacked({ GETRANGE: INTEGER, EVAL: () => ':1\r\n' });
    const loader = vi.fn(async () => 'loaded');
    await expect(cache.getOrLoad(req(1), loader)).resolves.toBe('loaded');
    expect(loader).toHaveBeenCalledTimes(1);
    // The read, then the read the lock makes once taken (reported as the read it is).
    expect(errors.map((error) => error.operation)).toEqual(['get', 'get']);
    expect(cache.stats().store).toMatchObject({ errors: 2, corruptEntries: 0 });
  });

  it('loads at once, reporting a lock error, when the lock script answers neither 0 nor 1', async () => {
    const { cache, errors, fake } = await fakeBacked(
      { GETRANGE: EMPTY, EVAL: () => '$3\r\nyes\r\n' },
      { lockWaitMs: 10_000, pollIntervalMs: 10 },
    );
    const started = performance.now();
    await expect(cache.getOrLoad(req(1), async () => 'loaded')).resolves.toBe('loaded');
    // Read as "taken by someone else", the caller would poll for lockWaitMs (10 s).
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(errors.map((error) => error.operation)).toEqual(['lock']);
    // Whether the lock was taken is unknown: it is given back (a compare-and-delete of our token).
    const scripts = () => fake.received.filter(([name]) => name === 'EVAL').map(([, s]) => s!);
    await vi.waitFor(() => expect(scripts()).toHaveLength(2), { timeout: 5_000 });
    expect(scripts()[1]).toContain("redis.call('del', KEYS[1])");
  });

  it('rejects clear() with CacheStoreError when SCAN answers a cursor that is not a string', async () => {
    // `[0, []]`: a numeric cursor never equals '0', so clear() would scan for ever.
    const { store, fake } = await fakeBacked({ SCAN: () => '*2\r\n:0\r\n*0\r\n' });
    const outcome = await Promise.race([
      store.clear().then(
        () => 'resolved',
        (error: unknown) => error,
      ),
      new Promise((resolve) => setTimeout(resolve, 2_000, 'still scanning')),
    ]);
    expect(isCacheStoreError(outcome)).toBe(true);
    expect((outcome as CacheStoreError).operation).toBe('delete');
    expect(fake.received.filter(([name]) => name === 'SCAN')).toHaveLength(1);
  });
});

describe('a custom store resolving with something other than bytes', () => {
  /** A cache on a store whose `get` and `lock` resolve with what the test gives. */
  function custom(got: unknown, locked?: unknown) {
    const store: CacheStore = {
      get: async () => got as Uint8Array,
      set: async () => {},
      delete: async () => {},
      ...(locked === undefined ? {} : { lock: async () => locked as never }),
    };
    const cache = createCache<string>({ store });
    const errors: CacheStoreError[] = [];
    cache.onStoreError((error) => errors.push(error));
    return { cache, errors };
  }

  it.each([
    ['a number', 5],
    ['a string', 'bytes?'],
    ['an object', { length: 20 }],
    ['an ArrayBuffer', new ArrayBuffer(20)],
  ])('counts a store error when get() resolves with %s', async (_, got) => {
    const { cache, errors } = custom(got);
    await expect(cache.lookup(req(1))).resolves.toBeUndefined();
    await expect(cache.getOrLoad(req(2), async () => 'loaded')).resolves.toBe('loaded');
    expect(cache.stats().store).toMatchObject({ errors: 2, corruptEntries: 0 });
    expect(errors.map((error) => error.operation)).toEqual(['get', 'get']);
    expect(errors.every(isCacheStoreError)).toBe(true);
  });

  it('reads a miss, with no error, when get() resolves with null', async () => {
    const { cache } = custom(null);
    await expect(cache.lookup(req(1))).resolves.toBeUndefined();
    expect(cache.stats().store).toMatchObject({ errors: 0, misses: 1 });
  });

  it.each([
    ['a value that is a number', { value: 5 }],
    ['a release that is no function', { release: 'later' }],
    ['neither a value nor a release', { taken: true }],
    ['a string', 'yes'],
  ])('counts a lock error and loads when lock() resolves with %s', async (_, locked) => {
    const { cache, errors } = custom(undefined, locked);
    const loader = vi.fn(async () => 'loaded');
    await expect(cache.getOrLoad(req(1), loader)).resolves.toBe('loaded');
    await cache.flush();
    expect(loader).toHaveBeenCalledTimes(1);
    expect(errors.map((error) => error.operation)).toEqual(['lock']);
  });
});
