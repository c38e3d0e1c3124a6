/**
 * An entry carries a digest of its key: bytes that come back for one key but were written for
 * another (a proxy that lost a reply, so that the client matched each later reply to the wrong
 * command) are a corrupt entry, never the other request's answer. Real redis-server.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { chatRequest as req } from './__fixtures__/chat-request';
import { redisClients } from './__fixtures__/redis-clients';
import { createCache } from './cache';
import type { CacheCorruptEntryEvent } from './events';
import { createRedisStore } from './redis-store';

const connect = redisClients(inject('redisUrl'));

function setup(options: { maxBytes?: number } = {}) {
  const client = connect();
  const prefix = `keyed:${randomUUID()}:`;
  const store = createRedisStore({ client, prefix });
  const cache = createCache<string>({ ...options, store, strategy: 'aggressive' });
  const corrupt: CacheCorruptEntryEvent[] = [];
  cache.onCorruptEntry((event) => corrupt.push(event));
  const valueKey = (i: number) => `${prefix}v:${cache.key(req(i))}`;
  return { client, store, cache, corrupt, valueKey };
}

describe('createRedisStore with an entry written for another key', () => {
  it.each([
    { format: 'JSON', answer: 'the answer for b' },
    { format: 'deflate', answer: `the answer for b ${'and more '.repeat(200)}` },
  ])(
    'reads $format bytes of key b under key a as corrupt (key), not as b',
    async ({ format, answer }) => {
      const { client, store, cache, corrupt, valueKey } = setup();
      cache.set(req(2), answer);
      await cache.flush();
      // What a misaligned reply hands the store: b's bytes, for a's read.
      const bytes = await client.getBuffer(valueKey(2));
      expect(bytes![0]).toBe(format === 'JSON' ? 3 : 4);
      await client.set(valueKey(1), bytes!, 'PX', 60_000);
      cache.clear();
      // Before this release: lookup(a) answered b's value.
      expect(await cache.lookup(req(1))).toBeUndefined();
      expect(corrupt).toEqual([{ key: cache.key(req(1)), reason: 'key' }]);
      expect(cache.stats().store).toMatchObject({ hits: 0, corruptEntries: 1 });
      await cache.flush();
      expect(await client.exists(valueKey(1))).toBe(0);
      // b's own entry still reads.
      expect(await cache.lookup(req(2))).toBe(answer);
      await cache.close();
      await store.close();
    },
  );

  it('still reads an entry in the format written before the key check (a rolling deploy)', async () => {
    const { client, store, cache, corrupt, valueKey } = setup();
    cache.set(req(3), 'from an older version');
    await cache.flush();
    const bytes = (await client.getBuffer(valueKey(3)))!;
    // The older format: format byte 1 (JSON), no digest between the 13-byte header and payload.
    const older = Buffer.concat([bytes.subarray(0, 13), bytes.subarray(21)]);
    older[0] = 1;
    await client.set(valueKey(3), older, 'PX', 60_000);
    cache.clear();
    expect(await cache.lookup(req(3))).toBe('from an older version');
    expect(corrupt).toEqual([]);
    await cache.close();
    await store.close();
  });
});
