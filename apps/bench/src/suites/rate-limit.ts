import { createRateLimiter, createTokenBucket } from '@x/rate-limit';
import { createRedisTokenBucket } from '@x/rate-limit/redis';
import Bottleneck from 'bottleneck';
import { Redis } from 'ioredis';
import { RateLimiter, TokenBucket } from 'limiter';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { Suite } from '../context';
import type { MicroGroup } from '../micro';

/** Limits high enough that every call is admitted: what is measured is the decision's cost. */
const RATE = 1e9;
const KEYS = 100_000;

export const rateLimitSuite: Suite = {
  name: 'rate-limit',
  title: '@x/rate-limit: token buckets',
  packages: ['@x/rate-limit'],
  async prepare(ctx) {
    const notes: string[] = [
      `Every limiter is configured with a limit no call reaches (${RATE.toExponential(0)}/s), so each call is an admission and the figure is the cost of one decision.`,
    ];
    notes.push(
      'bottleneck is a job scheduler: even with nothing to limit, schedule() hands each job through its own timers, so one awaited call costs milliseconds of scheduling latency rather than CPU. Its row measures that latency, sequentially.',
    );
    const closers: (() => unknown)[] = [];

    const ours = createTokenBucket({ ratePerSecond: RATE, capacity: RATE });
    const oursAsync = createTokenBucket({ ratePerSecond: RATE, capacity: RATE });
    const oursMany = createRateLimiter({
      limits: { requests: { ratePerSecond: RATE, capacity: RATE } },
    });
    closers.push(() => oursMany.close());
    const limiterBucket = new TokenBucket({
      bucketSize: RATE,
      tokensPerInterval: RATE,
      interval: 'second',
    });
    const rlfMemory = new RateLimiterMemory({ points: RATE, duration: 1 });
    const rlfMany = new RateLimiterMemory({ points: RATE, duration: 60 });
    const keys = Array.from({ length: KEYS }, (_, i) => `user:${i}`);
    for (const k of keys) {
      await rlfMany.consume(k);
      await oursMany.tryAcquire(k, { requests: 1 });
    }
    let oi = 0;
    let ki = 0;

    const limiterAsync = new RateLimiter({ tokensPerInterval: RATE, interval: 'second' });
    const bottleneck = new Bottleneck({ maxConcurrent: null, minTime: 0 });
    closers.push(() => bottleneck.disconnect());
    const resolved = () => Promise.resolve();

    const groups: MicroGroup[] = [
      {
        name: 'tryAcquire, 1 key',
        description: 'one non-blocking admission decision on a single bucket',
        targets: [
          { vs: 'limiter', min: 1.5 },
          { vs: 'rate-limiter-flexible', min: 5 },
        ],
        cases: [
          {
            name: '@x/rate-limit tryAcquire(1)',
            library: '@x/rate-limit',
            role: 'ours',
            fn: () => ours.tryAcquire(1),
          },
          {
            name: 'limiter TokenBucket.tryRemoveTokens(1)',
            library: 'limiter',
            role: 'peer',
            fn: () => limiterBucket.tryRemoveTokens(1),
          },
          {
            name: 'rate-limiter-flexible RateLimiterMemory.consume(key)',
            library: 'rate-limiter-flexible',
            role: 'peer',
            async: true,
            fn: () => rlfMemory.consume('k'),
          },
        ],
      },
      {
        name: `tryAcquire, ${KEYS / 1000}k keys`,
        description: `one admission decision for a key taken in turn from ${KEYS.toLocaleString('en')} keys that all hold state`,
        targets: [{ vs: 'rate-limiter-flexible', min: 5 }],
        cases: [
          {
            name: `@x/rate-limit createRateLimiter tryAcquire(key of ${KEYS / 1000}k)`,
            library: '@x/rate-limit',
            role: 'ours',
            async: true,
            fn: () => oursMany.tryAcquire(keys[oi++ % KEYS]!, { requests: 1 }),
          },
          {
            name: `rate-limiter-flexible consume(key of ${KEYS / 1000}k)`,
            library: 'rate-limiter-flexible',
            role: 'peer',
            async: true,
            fn: () => rlfMany.consume(keys[ki++ % KEYS]!),
          },
        ],
      },
      {
        name: 'acquire (tokens available)',
        description: 'one blocking acquisition that is admitted at once, awaited',
        cases: [
          {
            name: '@x/rate-limit acquire(1)',
            library: '@x/rate-limit',
            role: 'ours',
            async: true,
            fn: () => oursAsync.acquire(1),
          },
          {
            name: 'limiter RateLimiter.removeTokens(1)',
            library: 'limiter',
            role: 'peer',
            async: true,
            fn: () => limiterAsync.removeTokens(1),
          },
          {
            name: 'bottleneck schedule(fn)',
            library: 'bottleneck',
            role: 'peer',
            async: true,
            fn: () => bottleneck.schedule(resolved),
          },
        ],
      },
    ];

    const redis = await ctx.redis();
    if (redis) {
      const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await client.connect();
      closers.push(() => client.quit());
      const rlfRedis = new RateLimiterRedis({
        storeClient: client,
        points: RATE,
        duration: 1,
        keyPrefix: 'bench-rlf',
      });
      const oursRedis = createRedisTokenBucket({
        client,
        key: 'bench-x',
        ratePerSecond: RATE,
        capacity: RATE,
      });
      closers.unshift(() => oursRedis.close());
      groups.push({
        name: 'Redis bucket',
        description: `one admission decision against a real redis-server on loopback (${redis.version})`,
        targets: [{ vs: 'rate-limiter-flexible Redis', min: 2 }],
        cases: [
          {
            name: '@x/rate-limit/redis tryAcquire(1)',
            library: '@x/rate-limit/redis',
            role: 'ours',
            async: true,
            fn: () => oursRedis.tryAcquire(1),
          },
          {
            name: 'rate-limiter-flexible RateLimiterRedis.consume(key)',
            library: 'rate-limiter-flexible Redis',
            role: 'peer',
            async: true,
            fn: () => rlfRedis.consume('k'),
          },
        ],
      });
    } else {
      notes.push(
        'Redis row skipped: redis-server is not installed (apt-get install redis-server, or set REDIS_SERVER_BIN).',
      );
    }

    return {
      groups,
      notes,
      async close() {
        for (const c of closers) await c();
      },
    };
  },
};
