// After an outage the store saw, a key Redis lost (a restart without persistence) starts from
// what it refilled since the outage began, not full: see `internal/redis-script.ts`. Real clock
// and real redis-servers; the counts are bounded by the time measured around the outage.
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRedisServer } from '../../../scripts/testing/redis-server';
import { sharedRedisClient } from './__fixtures__/test-setup';
import { ONE_LIMIT_TAKE } from './internal/redis-script';
import { createRateLimiter } from './rate-limiter';
import { createRedisStore, createRedisTokenBucket, type OutagePolicy } from './redis';

const prefix = `test-restart:${process.pid}:`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a Redis restart without persistence, seen as an outage', () => {
  // A redis-server of the file's own: it is stopped and started again, empty.
  let server: Awaited<ReturnType<typeof startRedisServer>>;
  let own: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    own = new Redis(server.url, { maxRetriesPerRequest: null, retryStrategy: () => 20 });
    own.on('error', () => {}); // reconnect errors are expected while the server is down
    await own.ping();
  });
  afterAll(async () => {
    own.disconnect();
    await server.stop();
  });

  const restart = async (seeOutage: () => Promise<unknown>, available: () => boolean) => {
    await server.stop();
    await vi.waitFor(() => expect(own.status).not.toBe('ready'), { timeout: 5_000 });
    await seeOutage();
    await server.restart();
    for (let i = 0; i < 400 && !available(); i++) {
      await sleep(25);
      await seeOutage();
    }
    expect(available()).toBe(true);
  };

  it.each<OutagePolicy>(['fail-closed'])(
    '%s: an emptied key does not come back full (limiter, one and two limits, batchKeys)',
    async (outagePolicy) => {
      const store = createRedisStore({
        client: own,
        prefix,
        outagePolicy,
        decisionTimeoutMs: 100,
        probeIntervalMs: 20,
        batchKeys: true,
      });
      // 60 at 1/s: a full refill takes a minute, far longer than the restart
      const one = createRateLimiter({
        limits: { requests: { ratePerSecond: 1, capacity: 60 } },
        store,
      });
      const two = createRateLimiter({
        limits: {
          requests: { ratePerSecond: 1, capacity: 60 },
          tokens: { ratePerSecond: 100, capacity: 6_000 },
        },
        store,
      });
      const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
      expect(await one.tryAcquire(a, { requests: 60 })).toBe(true);
      expect(await two.tryAcquire(b, { requests: 60 })).toBe(true);
      expect(await two.tryAcquire(c, { requests: 60 })).toBe(true);
      expect(await one.tryAcquire(a)).toBe(false);
      const lastGood = performance.now();

      await restart(
        () => one.tryAcquire(randomUUID(), { requests: 0 }).catch(() => false),
        () => store.stats().state === 'available',
      );
      expect(store.stats().outages).toBe(1);

      // 60 one-token takes per key, one at a time (ONE_LIMIT_TAKE's path before), then 30 per key
      // of the two-limit limiter at once (one batched script call).
      let admittedA = 0;
      for (let i = 0; i < 60; i++) if (await one.tryAcquire(a)) admittedA++;
      const both = await Promise.all(
        Array.from({ length: 60 }, (_, i) => two.tryAcquire(i % 2 ? b : c)),
      );
      const admittedBC = both.filter(Boolean).length;
      const refilled = Math.ceil((performance.now() - lastGood) / 1000);
      // Before: the lost keys were full again, 60 admitted on each.
      expect(admittedA).toBeLessThanOrEqual(refilled + 1);
      expect(admittedBC).toBeLessThanOrEqual(2 * (refilled + 1));
      // a peek of a key never used waits too: the store cannot tell it from a lost one
      expect(await one.waitTimeMs(randomUUID(), { requests: 60 })).toBeGreaterThan(0);
    },
  );

  it.each<OutagePolicy>(['fail-open', 'local'])(
    '%s admits a full capacity again (it admitted during the outage); a fail-closed createRedisTokenBucket does not',
    async (outagePolicy) => {
      const store = createRedisStore({
        client: own,
        prefix,
        outagePolicy,
        decisionTimeoutMs: 100,
        probeIntervalMs: 20,
      });
      const bucket = createRedisTokenBucket({
        client: own,
        prefix,
        key: randomUUID(),
        ratePerSecond: 1,
        capacity: 60,
        outagePolicy: 'fail-closed',
        decisionTimeoutMs: 100,
        probeIntervalMs: 20,
      });
      const open = createRateLimiter({
        limits: { requests: { ratePerSecond: 1, capacity: 60 } },
        store,
      });
      const key = randomUUID();
      expect(await open.tryAcquire(key, { requests: 60 })).toBe(true);
      expect(await bucket.tryAcquire(60)).toBe(true);
      await restart(
        async () => {
          await open.tryAcquire(randomUUID(), { requests: 0 });
          await bucket.waitTimeMs().catch(() => 0);
        },
        () => store.stats().state === 'available' && bucket.stats().store.state === 'available',
      );
      expect(await open.tryAcquire(key, { requests: 60 })).toBe(true);
      // createRedisTokenBucket (fail-closed) starts from what it refilled
      expect(await bucket.tryAcquire(30)).toBe(false);
    },
  );

  it('fail-closed: a correction held during the outage does not bring the lost key back full', async () => {
    const store = createRedisStore({
      client: own,
      prefix,
      outagePolicy: 'fail-closed',
      decisionTimeoutMs: 100,
      probeIntervalMs: 20,
    });
    const one = createRateLimiter({
      limits: { requests: { ratePerSecond: 1, capacity: 60 } },
      store,
    });
    const a = randomUUID();
    expect(await one.tryAcquire(a, { requests: 60 })).toBe(true);
    const lastGood = performance.now();
    let adjusted = false;
    await restart(
      async () => {
        // charged during the outage: held, and sent as soon as Redis answers, before any take
        if (!adjusted && store.stats().state !== 'available') {
          adjusted = true;
          void one.adjust(a, { requests: 1 });
        }
        return one.tryAcquire(randomUUID(), { requests: 0 }).catch(() => false);
      },
      () => store.stats().state === 'available',
    );
    await vi.waitFor(() => expect(one.stats().store).toMatchObject({ state: 'available' }));
    let admitted = 0;
    for (let i = 0; i < 60; i++) if (await one.tryAcquire(a)) admitted++;
    const refilled = Math.ceil((performance.now() - lastGood) / 1000);
    expect(adjusted).toBe(true);
    // Before: the held correction recreated the key from a full bucket, and 59 were admitted.
    expect(admitted).toBeLessThanOrEqual(refilled + 1);
  });
});

describe('the script call after an outage', () => {
  // A client of the shared server whose calls fail on demand (an outage without a restart), and
  // that records what each call sends.
  const real = sharedRedisClient();
  let down = false;
  const calls: (string | number)[][] = [];
  const client = {
    evalsha: (sha: string, numKeys: number, ...args: (string | number)[]) => {
      calls.push([sha, numKeys, ...args]);
      return down
        ? Promise.reject(new Error('Connection is closed.'))
        : real.evalsha(sha, numKeys, ...args);
    },
    eval: (source: string, numKeys: number, ...args: (string | number)[]) =>
      down
        ? Promise.reject(new Error('Connection is closed.'))
        : real.eval(source, numKeys, ...args),
  };

  it('sends the ms since the outage began only until a full refill (capacity / rate)', async () => {
    const store = createRedisStore({
      client,
      prefix,
      outagePolicy: 'fail-closed',
      probeIntervalMs: 0,
    });
    // a full refill in 50 ms, and one in a minute
    const short = createRateLimiter({
      limits: { requests: { ratePerSecond: 100, capacity: 5 } },
      store,
    });
    const long = createRateLimiter({
      limits: { requests: { ratePerSecond: 1, capacity: 60 } },
      store,
    });
    const key = randomUUID();
    const sent = async (call: () => Promise<unknown>) => {
      calls.length = 0;
      await call();
      return calls.map(([sha, , ...args]) => [
        sha === ONE_LIMIT_TAKE.sha ? 'one' : 'general',
        ...args.slice(1),
      ]);
    };
    // never an outage: the usual calls
    expect(await sent(() => short.tryAcquire(key, { requests: 5 }))).toEqual([
      ['one', '0.1', '5', 5],
    ]);
    expect(await sent(() => long.waitTimeMs(key))).toEqual([
      ['general', 'peek', 1, '0.001', '60', 1, 1],
    ]);
    down = true;
    expect(await short.tryAcquire(key).catch(() => false)).toBe(false);
    down = false;
    await sleep(60);
    // past the short limiter's refill: as before the outage
    expect(await sent(() => short.tryAcquire(randomUUID(), { requests: 5 }))).toEqual([
      ['one', '0.1', '5', 5],
    ]);
    expect(await sent(() => short.waitTimeMs(key))).toEqual([
      ['general', 'peek', 1, '0.1', '5', 1, 1],
    ]);
    // within the long one's: the ms since the outage began, last
    for (const call of [() => long.tryAcquire(key, { requests: 0 }), () => long.waitTimeMs(key)]) {
      const [args] = await sent(call);
      expect(args!.slice(0, 5)).toEqual([
        'general',
        expect.stringMatching(/^(take|peek)-after$/),
        1,
        '0.001',
        '60',
      ]);
      expect(args).toHaveLength(8);
      expect(args![7]).toBeGreaterThanOrEqual(60);
      expect(args![7]).toBeLessThan(60_000);
    }
    // an adjust too: its id (8 bytes), then the ms since the outage began, last
    const [adjust] = await sent(() => long.adjust(key, { requests: 1 }));
    expect(adjust!.slice(0, 7)).toEqual(['general', 'adjust-after', 1, '0.001', '60', 1, 1]);
    expect(adjust).toHaveLength(9);
    expect(String(adjust![7])).toHaveLength(8);
    expect(adjust![8]).toBeGreaterThanOrEqual(60);
    // and past the short limiter's refill, its adjust as always (its id last)
    const [plain] = await sent(() => short.adjust(key, { requests: 1 }));
    expect(plain!.slice(0, 7)).toEqual(['general', 'adjust', 1, '0.1', '5', 1, 1]);
    expect(plain).toHaveLength(8);
  });
});
