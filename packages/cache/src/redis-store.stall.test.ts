// A Redis that stops answering while requests keep coming: how many commands the store hands to
// the client. Real clock with a redis-server of each test's own, frozen with SIGSTOP (the
// connection stays open, so ioredis queues every command sent), except the last test, which runs
// on fake timers and a client of its own.
import Redis, { type RedisOptions } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { redisPerTest } from '../../../scripts/testing/redis-per-test';
import { chatRequest as req } from './__fixtures__/chat-request';
import { createCache } from './cache';
import type { Cache } from './cache-api';
import { createRedisStore, type RedisStoreClient } from './redis-store';

const { server, afterTest } = redisPerTest();

function connect(url: string, options: RedisOptions = {}): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: 1, ...options });
  client.on('error', () => {});
  afterTest(() => client.disconnect());
  return client;
}

/** Freezes the server (SIGSTOP); it is let go after the test, before it is stopped. */
async function freeze(admin: Redis): Promise<() => void> {
  const info = await admin.info('server');
  const pid = Number(/process_id:(\d+)/.exec(info)![1]);
  process.kill(pid, 'SIGSTOP');
  let frozen = true;
  const thaw = () => {
    if (frozen) process.kill(pid, 'SIGCONT');
    frozen = false;
  };
  afterTest(thaw);
  return thaw;
}

/** `client` behind a wrapper that counts the commands the store sends. */
function counting(client: Redis): { counted: RedisStoreClient; sent: () => number } {
  let sent = 0;
  const counted: Record<string, unknown> = {};
  for (const command of ['getBuffer', 'set', 'del', 'eval', 'scan'] as const) {
    const run = client[command] as (...args: unknown[]) => unknown;
    counted[command] = (...args: unknown[]) => {
      sent++;
      return run.apply(client, args);
    };
  }
  return { counted: counted as unknown as RedisStoreClient, sent: () => sent };
}

/** About 1,800 lookups a second (18 every 10 ms) of keys never stored, for `ms`. */
async function flood(cache: Cache<unknown>, ms: number): Promise<number> {
  const lookups: Promise<unknown>[] = [];
  const until = performance.now() + ms;
  while (performance.now() < until) {
    for (let i = 0; i < 18; i++) lookups.push(cache.lookup(req(lookups.length)));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // None rejects: a store failure is a miss.
  expect(new Set(await Promise.all(lookups))).toEqual(new Set([undefined]));
  return lookups.length;
}

/** Resolves once a write reaches Redis again. */
async function recovered(cache: Cache<unknown>): Promise<void> {
  let n = 0;
  await vi.waitFor(async () => {
    const before = cache.stats().store!.writes;
    cache.set(req(`after ${n++}`), 'after');
    await cache.flush();
    expect(cache.stats().store!.writes).toBe(before + 1);
  }, 5_000);
}

describe('createRedisStore while Redis is frozen', () => {
  it('sends one probe per probeIntervalMs once an outage is detected, and recovers', async () => {
    const redis = await server();
    const admin = connect(redis.url);
    const client = connect(redis.url, { maxRetriesPerRequest: null });
    await client.ping();
    const { counted, sent } = counting(client);
    const cache = createCache({
      store: createRedisStore({ client: counted, commandTimeoutMs: 200, probeIntervalMs: 300 }),
    });
    let atDetection: number | undefined;
    cache.onStoreError((error) => {
      if (error.timedOut) atDetection ??= sent();
    });
    const thaw = await freeze(admin);

    const lookups = await flood(cache, 2_500);
    expect(lookups).toBeGreaterThan(2_000);
    // Before the first timeout every lookup was sent (Redis looked healthy); after it, one probe
    // at a time, at most one per probeIntervalMs (plus the commandTimeoutMs it waits).
    expect(atDetection).toBeDefined();
    expect(sent() - atDetection!).toBeLessThanOrEqual(9);
    expect(client.commandQueue.length).toBeLessThanOrEqual(atDetection! + 9);

    thaw();
    await recovered(cache);
  });

  it('bounds what waits in the offline queue when the server never lets the client connect, and recovers', async () => {
    const redis = await server();
    const admin = connect(redis.url);
    const thaw = await freeze(admin);
    // The kernel accepts the connection; the ready check never gets its answer.
    const client = connect(redis.url, { maxRetriesPerRequest: null });
    const { counted, sent } = counting(client);
    const cache = createCache({
      store: createRedisStore({ client: counted, commandTimeoutMs: 200, probeIntervalMs: 300 }),
    });
    let atDetection: number | undefined;
    cache.onStoreError((error) => {
      if (error.timedOut) atDetection ??= sent();
    });

    expect(await flood(cache, 2_000)).toBeGreaterThan(1_500);
    expect(client.status).not.toBe('ready');
    // The first command's timeout finds the outage; then one probe per probeIntervalMs.
    expect(atDetection).toBeDefined();
    expect(sent() - atDetection!).toBeLessThanOrEqual(9);
    const offline = (client as unknown as { offlineQueue: { length: number } }).offlineQueue;
    expect(offline.length).toBeLessThanOrEqual(atDetection! + 9);

    thaw();
    await recovered(cache);
  });

  it('lets one probe through once probeIntervalMs has passed, and is up once it answers', async () => {
    vi.useFakeTimers();
    try {
      let answering = false;
      let sent = 0;
      const never = new Promise<never>(() => {});
      const reply = () => {
        sent++;
        return answering ? Promise.resolve(null) : never;
      };
      const client = {
        getBuffer: reply,
        set: reply,
        del: reply,
        eval: reply,
        scan: reply,
      } as unknown as RedisStoreClient;
      const cache = createCache({
        store: createRedisStore({ client, commandTimeoutMs: 200, probeIntervalMs: 1_000 }),
      });
      const lookups = (count: number) =>
        Promise.all(Array.from({ length: count }, (_, i) => cache.lookup(req(i))));

      const first = cache.lookup(req(0));
      await vi.advanceTimersByTimeAsync(200);
      await first;
      expect(sent).toBe(1);

      await vi.advanceTimersByTimeAsync(1_000);
      const during = lookups(50);
      // The probe waits for its answer; the 49 others failed at once.
      expect(sent).toBe(2);
      await vi.advanceTimersByTimeAsync(200);
      await during;
      expect(sent).toBe(2);

      await vi.advanceTimersByTimeAsync(1_000);
      answering = true;
      await lookups(50);
      expect(sent).toBe(3);
      // The probe answered: the store is up, and every command is sent.
      await lookups(50);
      expect(sent).toBe(53);
      expect(cache.stats().store!.errors).toBe(1 + 50 + 49);
    } finally {
      vi.useRealTimers();
    }
  });
});
