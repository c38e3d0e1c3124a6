// Real clock throughout: these tests share the global redis-server, each on a prefix of its own.
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it, vi } from 'vitest';
import { chatRequest as req } from './__fixtures__/chat-request';
import { redisClients } from './__fixtures__/redis-clients';
import { createCache } from './cache';
import { createRedisStore } from './redis-store';

const connect = redisClients(inject('redisUrl'));

/** Caches on one Redis and one prefix, each with its own store (as in separate processes). */
function caches(prefix: string) {
  return (namespace?: string) =>
    createCache<string>({
      namespace,
      store: createRedisStore({
        client: connect(),
        prefix,
        lockWaitMs: 10_000,
        pollIntervalMs: 10,
      }),
    });
}

describe('createRedisStore key layout', () => {
  it('loads at once when another cache stored a value under namespace "lock" for the same request', async () => {
    const make = caches(`t:${randomUUID()}:`);
    const a = make('lock');
    const b = make();
    a.set(req(1), 'from a');
    await a.flush();
    expect(a.stats().store).toMatchObject({ writes: 1 });
    const started = performance.now();
    expect(await b.getOrLoad(req(1), async () => 'from b')).toBe('from b');
    // Read as B's lock, A's value would hold B back for lockWaitMs (10 s).
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('loads at once when a string key spells another request\'s lock ("lock:<key>")', async () => {
    const make = caches(`t:${randomUUID()}:`);
    const a = make();
    const b = make();
    a.set(`lock:${b.key(req(1))}`, 'from a');
    await a.flush();
    const started = performance.now();
    expect(await b.getOrLoad(req(1), async () => 'from b')).toBe('from b');
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('keeps a held lock when a cache under namespace "lock" looks the same request up', async () => {
    const make = caches(`t:${randomUUID()}:`);
    const a = make('lock');
    const b = make();
    const c = make();
    let finish!: (value: string) => void;
    const loading = b.getOrLoad(req(2), () => new Promise<string>((r) => (finish = r)));
    await vi.waitFor(() => expect(finish).toBeTypeOf('function'), { timeout: 5_000 });

    expect(await a.lookup(req(2))).toBeUndefined();
    await a.flush();
    // B's lock token is no entry of A's: neither corrupt nor deleted.
    expect(a.stats().store).toMatchObject({ corruptEntries: 0, errors: 0 });

    const second = vi.fn(async () => 'from c');
    const waiting = c.getOrLoad(req(2), second);
    await new Promise((resolve) => setTimeout(resolve, 100));
    finish('from b');
    expect(await loading).toBe('from b');
    expect(await waiting).toBe('from b');
    expect(second).not.toHaveBeenCalled();
  });

  it('keeps namespaces and keys apart that differ by a lone surrogate, which the client sends as U+FFFD', async () => {
    const prefix = `t:${randomUUID()}:`;
    const make = caches(prefix);
    const replaced = make('tenant-\uFFFD');
    replaced.set(req(1), 'for tenant-\uFFFD');
    replaced.set('user:\uFFFD', 'for user:\uFFFD');
    await replaced.flush();

    const loader = vi.fn(async () => 'for tenant-\uD800');
    expect(await make('tenant-\uD800').getOrLoad(req(1), loader)).toBe('for tenant-\uD800');
    expect(loader).toHaveBeenCalledTimes(1);
    const other = make();
    expect(await other.lookup('user:\uD83D')).toBeUndefined();
    expect(await other.lookup('user:\uFFFD')).toBe('for user:\uFFFD');
    // the lone surrogate's place and value are in the name, before the key as the client sends it
    expect(await connect().keys(`${prefix}v(*`)).toEqual([
      `${prefix}v(7=D800):tenant-\uFFFD:${other.key(req(1))}`,
    ]);
  });

  it('clears every key under its prefix when the client has an ioredis keyPrefix', async () => {
    const prefix = `t:${randomUUID()}:`;
    const plain = connect();
    for (const keyPrefix of ['kp:', undefined]) {
      const store = createRedisStore({ client: connect({ keyPrefix }), prefix });
      const cache = createCache<string>({ store });
      cache.set('a', 'x');
      cache.set('b', 'y');
      await cache.flush();
      const under = `${keyPrefix ?? ''}${prefix}*`;
      expect(await plain.keys(under)).toHaveLength(2);
      await store.clear();
      expect(await plain.keys(under)).toEqual([]);
      expect(cache.stats().store).toMatchObject({ errors: 0 });
    }
  });
});
