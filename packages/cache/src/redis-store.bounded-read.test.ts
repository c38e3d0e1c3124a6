/**
 * A store entry far larger than the cache's `maxBytes` is never transferred: the bytes Redis sends
 * are counted through a loopback proxy between the client and a real redis-server.
 */
import { randomUUID } from 'node:crypto';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chatRequest as req } from './__fixtures__/chat-request';
import { redisClients } from './__fixtures__/redis-clients';
import { createCache } from './cache';
import type { CacheCorruptEntryEvent } from './events';
import { createRedisStore } from './redis-store';

const redisUrl = inject('redisUrl');
const connect = redisClients(redisUrl);

/** Forwards connections to Redis, counting the bytes Redis answers with. */
let proxy: Server;
let proxyUrl: string;
let received = 0;
const sockets = new Set<Socket>();
beforeAll(async () => {
  const { hostname, port } = new URL(redisUrl);
  proxy = createServer((client) => {
    const server = createConnection({ host: hostname, port: Number(port) });
    for (const socket of [client, server]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
    server.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    client.pipe(server).pipe(client);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  proxyUrl = `redis://127.0.0.1:${address.port}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => proxy.close(resolve));
});

const MAX_BYTES = 64 * 1024;
const BIG = 8 * 1024 * 1024;
/** What one read may bring back at most: the cache's limit, a header, and the RESP framing. */
const ONE_READ = MAX_BYTES + 1024;

/** An envelope as the cache writes one (JSON format): `declared` bytes of JSON, `size` held. */
function envelope(size: number, declared = size): Buffer {
  const out = Buffer.alloc(13 + size, 0x20);
  out[0] = 1;
  out.writeDoubleBE(Date.now() + 3_600_000, 1);
  out.writeUInt32BE(declared, 9);
  out.write('"', 13);
  out.write('"', 13 + size - 1);
  return out;
}

/** A cache reading Redis through the proxy, and a direct client that writes its entries. */
async function setup() {
  const prefix = `bounded:${randomUUID()}:`;
  const admin = connect();
  const client = connect({}, proxyUrl);
  await client.ping();
  const store = createRedisStore({ client, prefix, commandTimeoutMs: 5_000 });
  const cache = createCache<string>({ store, maxBytes: MAX_BYTES, strategy: 'aggressive' });
  const corrupt: CacheCorruptEntryEvent[] = [];
  cache.onCorruptEntry((event) => corrupt.push(event));
  const write = (i: number, value: Buffer) =>
    admin.set(`${prefix}v:${cache.key(req(i))}`, value, 'PX', 60_000);
  const exists = (i: number) => admin.exists(`${prefix}v:${cache.key(req(i))}`);
  /** The bytes Redis sent the cache's client while `run` ran. */
  const sent = async (run: () => Promise<unknown>): Promise<number> => {
    const before = received;
    await run();
    return received - before;
  };
  return { cache, store, corrupt, write, exists, sent };
}

describe('createRedisStore reading an entry larger than the cache can use', () => {
  it('transfers at most maxBytes of it, reads a too-large miss and leaves it', async () => {
    const { cache, store, write, exists, sent } = await setup();
    await write(1, envelope(BIG));
    // Before this release: each lookup transferred the 8 MiB entry, again on every lookup.
    for (let i = 0; i < 3; i++) {
      expect(await sent(() => cache.lookup(req(1)))).toBeLessThan(ONE_READ);
    }
    expect(cache.stats().skipped).toEqual({ 'too-large': 3 });
    expect(cache.stats().store).toMatchObject({ hits: 0, misses: 3, errors: 0, corruptEntries: 0 });
    // A load: the read, no lock (nothing to wait for), the answer kept in memory only.
    const loading = sent(() => cache.getOrLoad(req(1), async () => 'small'));
    expect(await loading).toBeLessThan(ONE_READ);
    expect(cache.stats().store).toMatchObject({ writes: 0, lockWaits: 0 });
    expect(await exists(1)).toBe(1);
    await cache.close();
    await store.close();
  });

  it('reads an entry that fits whole, and one missing as a miss', async () => {
    const { cache, store, write, sent } = await setup();
    const size = MAX_BYTES - 100;
    await write(2, envelope(size));
    expect(await sent(() => cache.lookup(req(2)))).toBeGreaterThan(size);
    cache.clear();
    expect(await cache.lookup(req(2))).toBe(' '.repeat(size - 2));
    expect(await cache.lookup(req(3))).toBeUndefined();
    expect(cache.stats().store).toMatchObject({ hits: 2, misses: 1, errors: 0, corruptEntries: 0 });
    await cache.close();
    await store.close();
  });

  it('reads a large entry with a false size header as corrupt, untransferred, and deletes it', async () => {
    const { cache, store, corrupt, write, exists, sent } = await setup();
    await write(4, envelope(BIG, 10));
    expect(await sent(() => cache.lookup(req(4)))).toBeLessThan(ONE_READ);
    expect(corrupt).toEqual([{ key: cache.key(req(4)), reason: 'size' }]);
    await cache.flush();
    expect(await exists(4)).toBe(0);
    await cache.close();
    await store.close();
  });
});
