// The Redis store with the clients the other Redis tests do not run: ioredis 5 (the peer range is
// `^5.0.0 || ^6.0.0`), ioredis 6 on RESP2 (`protocol: 2`) and with `stringNumbers`; the others run ioredis 6 on its
// default RESP3. Each test reads replies a wrong shape would turn into store errors or loads.
// Real redis-server, real clock.
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import Redis5 from 'ioredis-5';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { createCache } from './cache';
import { createRedisStore } from './redis-store';

const url = inject('redisUrl');
const opened: Array<{ disconnect(): void }> = [];
afterAll(() => {
  for (const client of opened) client.disconnect();
});

const clients = {
  'ioredis 5': (keyPrefix?: string) => new Redis5(url, { maxRetriesPerRequest: 1, keyPrefix }),
  'ioredis 6 with protocol: 2': (keyPrefix?: string) =>
    new Redis(url, { maxRetriesPerRequest: 1, keyPrefix, protocol: 2 }),
  // integers answered as text: the lock scripts' 0 and 1 come as '0' and '1'
  'ioredis 6 with protocol: 2 and stringNumbers: true': (keyPrefix?: string) =>
    new Redis(url, { maxRetriesPerRequest: 1, keyPrefix, protocol: 2, stringNumbers: true }),
};

const req = {
  model: 'llama3.2',
  messages: [{ role: 'user', content: 'why is the sky blue?' }],
  options: { temperature: 0 }, // deterministic: cached by the default strategy
};
const ttlMs = 60_000;
const BYTES = Uint8Array.from([0, 1, 2, 255]);
const bytesOf = (value: Uint8Array | undefined) => (value === undefined ? value : [...value]);

describe.each(Object.entries(clients))(
  'createRedisStore over %s (real Redis, real clock)',
  (_, make) => {
    function connect(keyPrefix?: string) {
      const client = make(keyPrefix);
      client.on('error', () => {});
      opened.push(client);
      return client;
    }

    it('sets, gets and deletes bytes, and clear() empties its prefix under a keyPrefix', async () => {
      const client = connect('kp:');
      expect(await client.call('CLIENT', 'INFO')).toMatch(/ resp=2\b/);
      const prefix = `t:${randomUUID()}:`;
      const store = createRedisStore({ client, prefix });
      await store.set('k', BYTES, ttlMs);
      expect(bytesOf(await store.get('k'))).toEqual([...BYTES]);
      expect(await store.get('missing')).toBeUndefined();
      await store.delete('k');
      expect(await store.get('k')).toBeUndefined();
      await store.set('a', BYTES, ttlMs);
      await store.set('b', BYTES, ttlMs);
      const names = [`${prefix}v:a`, `${prefix}v:b`]; // the client puts its keyPrefix before them
      expect(Number(await client.exists(...names))).toBe(2);
      await store.clear();
      expect(Number(await client.exists(...names))).toBe(0);
      await store.close();
    });

    it('takes a free lock, refuses a held one, and hands the value to a waiter once stored', async () => {
      const prefix = `t:${randomUUID()}:`;
      const holder = createRedisStore({ client: connect(), prefix });
      // 200 ms of polls at 10 ms: the lock is held for as long, so only a refused take ends it.
      const waiter = createRedisStore({
        client: connect(),
        prefix,
        lockWaitMs: 200,
        pollIntervalMs: 10,
      });
      const { signal } = new AbortController();
      const held = await holder.lock!('k', { signal });
      expect(held).toEqual({ release: expect.any(Function) });
      expect(await waiter.lock!('k', { signal })).toBeUndefined();
      const waiting = waiter.lock!('k', { signal });
      await holder.set('k', BYTES, ttlMs);
      await held!.release!();
      expect(bytesOf((await waiting)?.value)).toEqual([...BYTES]);
      const taken = await waiter.lock!('free', { signal });
      expect(taken).toEqual({ release: expect.any(Function) });
      await taken!.release!();
      expect(await holder.lock!('free', { signal })).toEqual({ release: expect.any(Function) });
      await Promise.all([holder.close(), waiter.close()]);
    });

    it('shares an entry between two caches, and loads it once when both miss together', async () => {
      const prefix = `t:${randomUUID()}:`;
      const make = () =>
        createCache({ store: createRedisStore({ client: connect(), prefix, pollIntervalMs: 10 }) });
      const [a, b] = [make(), make()];
      let release!: () => void;
      const loaded = new Promise<void>((resolve) => {
        release = resolve;
      });
      const loadA = vi.fn(async () => {
        await loaded;
        return { answer: 'Rayleigh scattering. '.repeat(50) };
      });
      const loadB = vi.fn(async () => ({ answer: 'loaded twice' }));
      const first = a.getOrLoad(req, loadA);
      await vi.waitFor(() => expect(loadA).toHaveBeenCalled(), { timeout: 5_000 }); // `a` holds the lock
      const second = b.getOrLoad(req, loadB);
      await vi.waitFor(() => expect(b.stats().store).toMatchObject({ misses: 1 }), {
        timeout: 5_000,
      });
      release();
      const [x, y] = await Promise.all([first, second]);
      expect(y).toEqual(x);
      expect(loadB).not.toHaveBeenCalled();
      expect(b.stats().store).toMatchObject({ lockWaits: 1, errors: 0 });
      // `b` can read the value before `a`'s client has the SET's reply, which counts the write.
      await vi.waitFor(() => expect(a.stats().store).toMatchObject({ writes: 1, errors: 0 }), {
        timeout: 5_000,
      });
      await Promise.all([a.close(), b.close()]);
    });
  },
);
