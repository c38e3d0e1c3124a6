// The Redis store with the clients the other Redis tests do not run: ioredis 5 (the peer range is
// `^5.0.0 || ^6.0.0`), ioredis 6 on RESP2 (`protocol: 2`) and with `stringNumbers`; the others run ioredis 6 on its
// default RESP3. fail-closed throughout: a reply misread, or an error misjudged, would refuse
// (or reject) a call these tests expect admitted. Real redis-server, real clock.
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import Redis5 from 'ioredis-5';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createRateLimiter } from './rate-limiter';
import { createRedisStore, createRedisTokenBucket } from './redis';

const url = inject('redisUrl');
const opened: Array<{ disconnect(): void }> = [];
afterAll(() => {
  for (const client of opened) client.disconnect();
});

const clients = {
  'ioredis 5': () => new Redis5(url, { maxRetriesPerRequest: 1 }),
  'ioredis 6 with protocol: 2': () => new Redis(url, { maxRetriesPerRequest: 1, protocol: 2 }),
  // integers answered as text: every wait the scripts answer comes as a string
  'ioredis 6 with protocol: 2 and stringNumbers: true': () =>
    new Redis(url, { maxRetriesPerRequest: 1, protocol: 2, stringNumbers: true }),
};

/** Nearly no refill: what a test takes stays taken. */
const slow = (capacity: number) => ({ ratePerSecond: 0.001, capacity });
/** Every call went to Redis and was answered as expected: none fell to the outage policy. */
const HEALTHY = {
  state: 'available',
  outages: 0,
  errors: 0,
  timeouts: 0,
  scriptErrors: 0,
  fallbackDecisions: 0,
};

describe.each(Object.entries(clients))(
  'the Redis store over %s (real Redis, real clock)',
  (_, make) => {
    function connect() {
      const client = make();
      client.on('error', () => {});
      opened.push(client);
      return client;
    }
    const prefix = `test:${randomUUID()}:`;

    it('decides alone and in one script call, and adjust() gives tokens back and charges more', async () => {
      const client = connect();
      expect(await client.call('CLIENT', 'INFO')).toMatch(/ resp=2\b/);
      const store = createRedisStore({ client, prefix, outagePolicy: 'fail-closed' });
      const limiter = createRateLimiter({
        limits: { requests: slow(3), tokens: slow(100) },
        store,
      });
      const key = randomUUID();
      expect(await limiter.tryAcquire(key, { tokens: 40 })).toBe(true);
      const batch = [50, 20, 1].map((tokens) => limiter.tryAcquire(key, { tokens }));
      expect(await Promise.all(batch)).toEqual([true, false, true]); // 9 tokens, 1 request left
      await limiter.adjust(key, { requests: -1, tokens: -11 });
      expect(await limiter.tryAcquire(key, { requests: 2, tokens: 20 })).toBe(true);
      expect(await limiter.tryAcquire(key, { requests: 0, tokens: 1 })).toBe(false);
      expect(await limiter.waitTimeMs(key, { requests: 0, tokens: 1 })).toBeGreaterThan(900_000);
      expect(store.stats()).toMatchObject(HEALTHY);

      const bucket = createRedisTokenBucket({
        client,
        prefix,
        key: randomUUID(),
        ...slow(2),
        outagePolicy: 'fail-closed',
      });
      expect(await bucket.tryAcquire(2)).toBe(true);
      expect(await bucket.tryAcquire(1)).toBe(false);
      await bucket.adjust(-1);
      expect(await bucket.tryAcquire(1)).toBe(true);
      await bucket.adjust(1); // charged: the bucket owes a token
      expect(await bucket.waitTimeMs(1)).toBeGreaterThan(1_000_000);
      expect(bucket.stats().store).toMatchObject(HEALTHY);
      await bucket.close();
    });

    it('loads the script again after SCRIPT FLUSH, keeping the stored bucket', async () => {
      const client = connect();
      const store = createRedisStore({ client, prefix, outagePolicy: 'fail-closed' });
      const limiter = createRateLimiter({ limits: { requests: slow(2) }, store });
      const key = randomUUID();
      expect(await limiter.tryAcquire(key)).toBe(true);
      await client.script('FLUSH');
      const { scriptReloads } = store.stats();
      expect(await limiter.tryAcquire(key)).toBe(true);
      expect(await limiter.tryAcquire(key)).toBe(false);
      expect(store.stats()).toMatchObject({ ...HEALTHY, scriptReloads: scriptReloads + 1 });
    });
  },
);
