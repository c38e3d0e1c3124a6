// An entry in the store larger than this cache's `maxBytes` (written by a cache with a larger
// one): a miss here, counted once, left in the store. Real redis-server.
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createCache } from './cache';
import { createRedisStore } from './redis-store';

const client = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
client.on('error', () => {});
afterAll(async () => {
  await client.quit().catch(() => client.disconnect());
});

describe('a store entry too large for this cache', () => {
  it('is a miss counted once, waits for no lock, and stays in the store', async () => {
    const store = createRedisStore({ client, prefix: `t:${randomUUID()}:` });
    const big = createCache<string>({ store, maxBytes: 1_000_000, strategy: 'aggressive' });
    const small = createCache<string>({ store, maxBytes: 100, strategy: 'aggressive' });
    const request = { model: 'm', prompt: 'too large' };
    big.set(request, 'y'.repeat(500));
    await big.flush();
    const valueKey = `${store.prefix}v:${big.key(request)}`;
    const before = await client.getBuffer(valueKey);
    expect(before?.length).toBeGreaterThan(100);

    const loaded = await small.load(request, async () => 'z'.repeat(50));
    await small.flush();
    expect(loaded).toEqual({ value: 'z'.repeat(50), source: 'loader' });
    // Before this release: skipped['too-large'] 2, lockWaits 1 (the lock's re-read found the
    // entry), and the small answer was written over the entry.
    expect(small.stats().skipped).toEqual({ 'too-large': 1 });
    expect(small.stats().store).toMatchObject({ misses: 1, lockWaits: 0, writes: 0 });
    expect(await client.getBuffer(valueKey)).toEqual(before);
    expect(await client.exists(`${store.prefix}lock:${big.key(request)}`)).toBe(0);
    // This cache keeps its answer in memory; the larger cache still reads its own entry.
    expect(await small.getOrLoad(request, async () => 'again')).toBe('z'.repeat(50));
    big.clear();
    expect(await big.lookup(request)).toBe('y'.repeat(500));
    await Promise.all([small.close(), big.close()]);
    await store.close();
  });
});
