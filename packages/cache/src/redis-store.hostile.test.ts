/**
 * What the Redis tier does with entries it did not write: each test writes a hostile entry
 * straight into a real redis-server, then reads it through a cache. Real clock throughout: the
 * server expires keys on its own time.
 */
import { randomUUID } from 'node:crypto';
import { createDeflate, deflateSync } from 'node:zlib';
import type Redis from 'ioredis';
import { describe, expect, inject, it, vi } from 'vitest';
import { chatRequest as req } from './__fixtures__/chat-request';
import { redisClients } from './__fixtures__/redis-clients';
import { createCache } from './cache';
import type { CacheCorruptEntryEvent } from './events';
import { DICTIONARY_V1 } from './internal/dictionary';
import { createRedisStore } from './redis-store';

const connect = redisClients(inject('redisUrl'));

/** An envelope as the cache writes one, with every field chosen by the test. */
function envelope(
  format: number,
  expiresAt: number,
  declaredSize: number,
  payload: Buffer,
): Buffer {
  const header = Buffer.alloc(13);
  header[0] = format;
  header.writeDoubleBE(expiresAt, 1);
  header.writeUInt32BE(declaredSize, 9);
  return Buffer.concat([header, payload]);
}

const inAnHour = () => Date.now() + 3_600_000;

/** Deflate of `size` zero bytes, written in 1 MiB pieces so the test never holds `size` bytes. */
async function deflateBomb(size: number): Promise<Buffer> {
  const zeros = Buffer.alloc(1024 * 1024);
  const deflate = createDeflate({ level: 9, dictionary: DICTIONARY_V1 });
  const parts: Buffer[] = [];
  deflate.on('data', (part: Buffer) => parts.push(part));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  for (let written = 0; written < size; written += zeros.length) {
    if (!deflate.write(zeros)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  return Buffer.concat(parts);
}

/** A cache on a fresh prefix, and what it reports. */
function setup(options: Parameters<typeof createCache>[0] = {}) {
  const client = connect();
  const prefix = `hostile:${randomUUID()}:`;
  const cache = createCache({ ...options, store: createRedisStore({ client, prefix }) });
  const corrupt: CacheCorruptEntryEvent[] = [];
  cache.onCorruptEntry((event) => corrupt.push(event));
  // Values live at `<prefix>v:<key>` (locks at `<prefix>lock:<key>`).
  const write = (key: string, value: Buffer) =>
    client.set(`${prefix}v:${key}`, value, 'PX', 60_000);
  const stored = (key: string) => client.getBuffer(`${prefix}v:${key}`);
  return { client, cache, corrupt, write, stored };
}

describe('createRedisStore with hostile entries', () => {
  it('keeps memory within maxBytes when entries carry a false size header', async () => {
    const { cache, corrupt, write, stored } = setup({ maxBytes: 1024 * 1024 });
    const json = Buffer.from(JSON.stringify({ content: 'x'.repeat(2_000_000) }));
    const keys = Array.from({ length: 20 }, (_, i) => cache.key(req(i)));
    for (const key of keys) await write(key, envelope(1, inAnHour(), 10, json));
    for (let i = 0; i < 20; i++) expect(await cache.lookup(req(i))).toBeUndefined();
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 });
    expect(cache.stats().store).toMatchObject({ corruptEntries: 20, hits: 0, misses: 20 });
    expect(corrupt).toEqual(keys.map((key) => ({ key, reason: 'size' })));
    await cache.flush();
    for (const key of keys) expect(await stored(key)).toBeNull();
  });

  it('reads a miss and leaves the entry when its JSON is larger than maxBytes', async () => {
    const { cache, corrupt, write, stored } = setup({ maxBytes: 1024 * 1024 });
    const json = Buffer.from(JSON.stringify({ content: 'x'.repeat(2_000_000) }));
    const key = cache.key(req(1));
    await write(key, envelope(1, inAnHour(), json.length, json));
    expect(await cache.lookup(req(1))).toBeUndefined();
    expect(cache.stats()).toMatchObject({ entries: 0, skipped: { 'too-large': 1 } });
    expect(corrupt).toEqual([]);
    expect(await stored(key)).not.toBeNull();
  });

  it('keeps an entry no longer than maxTtlMs when its expiry is 1e300', async () => {
    const { cache, write } = setup({ minTtlMs: 1000, maxTtlMs: 5000 });
    const ttls: number[] = [];
    cache.onSet((event) => ttls.push(event.ttlMs));
    const json = Buffer.from('"far future"');
    await write(cache.key(req(1)), envelope(1, 1e300, json.length, json));
    expect(await cache.lookup(req(1))).toBe('far future');
    expect(ttls).toEqual([5000]);
  });

  it('stops inflating at the declared size and deletes the entry when it is a deflate bomb', async () => {
    const bomb = await deflateBomb(256 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(300 * 1024);
    const { cache, corrupt, write, stored } = setup();
    const key = cache.key(req(1));
    // The header claims 1 MiB, within maxBytes (64 MiB): inflation must stop there.
    await write(key, envelope(2, inAnHour(), 1024 * 1024, bomb));
    const loader = vi.fn(async () => 'fresh');
    expect(await cache.getOrLoad(req(1), loader)).toBe('fresh');
    expect(loader).toHaveBeenCalledTimes(1);
    expect(corrupt).toEqual([{ key, reason: 'size' }]);
    await cache.flush();
    // Deleted, then replaced by the loaded answer.
    const replaced = await stored(key);
    expect(replaced?.subarray(21).toString()).toBe('"fresh"');
  });

  it('reads a miss without inflating when a deflate bomb declares its real size', async () => {
    const bomb = await deflateBomb(256 * 1024 * 1024);
    const { cache, corrupt, write } = setup();
    await write(cache.key(req(1)), envelope(2, inAnHour(), 256 * 1024 * 1024, bomb));
    expect(await cache.lookup(req(1))).toBeUndefined();
    expect(cache.stats().skipped).toEqual({ 'too-large': 1 });
    expect(corrupt).toEqual([]);
  });

  it.each([
    ['format', Buffer.from('not an envelope')],
    ['format', envelope(7, inAnHour(), 2, Buffer.from('{}'))],
    ['format', envelope(1, Number.NaN, 2, Buffer.from('{}'))],
    ['json', envelope(1, inAnHour(), 9, Buffer.from('{"broken'.padEnd(9, ' ')))],
    ['inflate', envelope(2, inAnHour(), 100, Buffer.from('not deflate data'))],
    [
      'size',
      envelope(2, inAnHour(), 100_000, deflateSync('"short"', { dictionary: DICTIONARY_V1 })),
    ],
  ] as const)(
    'treats the entry as a miss and deletes it when it is corrupt (%s)',
    async (reason, data) => {
      const { cache, corrupt, write, stored } = setup();
      const key = cache.key(req(1));
      await write(key, data);
      expect(await cache.lookup(req(1))).toBeUndefined();
      expect(corrupt).toEqual([{ key, reason }]);
      expect(cache.stats().store).toMatchObject({ corruptEntries: 1, errors: 0 });
      await cache.flush();
      expect(await stored(key)).toBeNull();
    },
  );

  it('still answers when an onCorruptEntry listener throws', async () => {
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const { cache, write } = setup();
      cache.onCorruptEntry(() => {
        throw new Error('listener bug');
      });
      await write(cache.key(req(1)), Buffer.from('garbage garbage'));
      expect(await cache.getOrLoad(req(1), async () => 'loaded')).toBe('loaded');
      expect(emitWarning).toHaveBeenCalledWith(
        "@x/cache: a 'corrupt-entry' listener threw: Error: listener bug",
        expect.objectContaining({ type: 'XListenerError' }),
      );
    } finally {
      emitWarning.mockRestore();
    }
  });

  it.each([
    ['a string', (c: Redis, k: string) => c.set(k, 'left by another program')],
    ['a hash', (c: Redis, k: string) => c.hset(k, 'owner', 'someone')],
  ])(
    'takes the lock once a lock key holding %s with no expiry has fallen away (lockTtlMs)',
    async (_, plant) => {
      const client = connect();
      const prefix = `hostile:${randomUUID()}:`;
      const store = createRedisStore({
        client,
        prefix,
        lockTtlMs: 300,
        lockWaitMs: 10_000,
        pollIntervalMs: 10,
      });
      const cache = createCache({ store });
      const lockKey = `${prefix}lock:${cache.key(req(1))}`;
      await plant(client, lockKey);
      // The stray value is given the lock's TTL at the first try, so the waiting load takes the
      // lock within ~lockTtlMs instead of loading without it after lockWaitMs (10 s), as every
      // later load would too.
      let holder: string | null = null;
      const started = performance.now();
      const answer = await cache.getOrLoad(req(1), async () => {
        holder = (await client.type(lockKey)) === 'string' ? await client.get(lockKey) : null;
        return 'loaded';
      });
      expect(answer).toBe('loaded');
      expect(holder).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(performance.now() - started).toBeLessThan(5_000);
      await store.close();
    },
  );
});
