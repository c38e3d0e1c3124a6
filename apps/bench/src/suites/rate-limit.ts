import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createConcurrencyLimiter, createRateLimiter, createTokenBucket } from '@x/rate-limit';
import { createRedisTokenBucket } from '@x/rate-limit/redis';
import Bottleneck from 'bottleneck';
import { bulkhead } from 'cockatiel';
import { Redis } from 'ioredis';
import { RateLimiter, TokenBucket } from 'limiter';
import pLimit from 'p-limit';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { Suite } from '../context';
import type { MicroGroup } from '../micro';
import { asPrinted } from '../terminal/table';
import { beyondBaseline, roomForTargets } from './baseline';

/** A full collection, for heap figures: `--expose-gc` set at run time, `gc` from a new context. */
function collect(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Retained heap of what `fill` builds, in bytes per key. */
async function bytesPerKey(fill: () => Promise<unknown>, keys: number): Promise<number> {
  collect();
  const before = process.memoryUsage().heapUsed;
  const kept = await fill();
  collect();
  const after = process.memoryUsage().heapUsed;
  if (kept === undefined) throw new Error('fill must return what it built');
  return (after - before) / keys;
}

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
    const keys = Array.from({ length: KEYS }, (_, i) => `user:${i}`);
    let oursMany!: ReturnType<typeof createRateLimiter>;
    const oursBytes = await bytesPerKey(async () => {
      // a huge capacity refilled slowly: every key keeps its state yet no call is refused
      oursMany = createRateLimiter({
        limits: { requests: { ratePerSecond: 1, capacity: RATE } },
      });
      for (const k of keys) await oursMany.tryAcquire(k, { requests: 1 });
      return oursMany;
    }, KEYS);
    closers.push(() => oursMany.close());
    const limiterBucket = new TokenBucket({
      bucketSize: RATE,
      tokensPerInterval: RATE,
      interval: 'second',
    });
    // the keyed limiters of one key: both awaited, both look the key up
    const oursOneKey = createRateLimiter({
      limits: { requests: { ratePerSecond: RATE, capacity: RATE } },
    });
    closers.push(() => oursOneKey.close());
    const rlfMemory = new RateLimiterMemory({ points: RATE, duration: 1 });
    let rlfMany!: RateLimiterMemory;
    const rlfBytes = await bytesPerKey(async () => {
      // A window longer than the run, as @x/rate-limit's keys (refilled at 1/s from 1e9) never
      // expire during it: no key is dropped and created again mid-measure on either side.
      rlfMany = new RateLimiterMemory({ points: RATE, duration: 86_400 });
      for (const k of keys) await rlfMany.consume(k);
      return rlfMany;
    }, KEYS);
    let oi = 0;
    let ki = 0;
    // The floor of a decision over many keys: the clock, the key's Map entry, the state it points
    // to (any limiter keeps per-key state somewhere else than the Map's own table: here two
    // doubles a key in one Float64Array, the most compact such state), the await.
    const floorIndex = new Map(keys.map((k, i) => [k, i]));
    const floorState = new Float64Array(KEYS * 2).fill(1);
    const resolvedTrue = Promise.resolve(true);
    const resolvedFalse = Promise.resolve(false);
    let fi = 0;
    const oneKeyIndex = new Map([['k', 0]]);

    const limiterAsync = new RateLimiter({ tokensPerInterval: RATE, interval: 'second' });
    const bottleneck = new Bottleneck({ maxConcurrent: null, minTime: 0 });
    closers.push(() => bottleneck.disconnect());
    const resolved = () => Promise.resolve();
    const slots = createConcurrencyLimiter({ maxConcurrent: 8 });
    closers.push(() => slots.close());
    const limit8 = pLimit(8);
    const bulk8 = bulkhead(8, Number.POSITIVE_INFINITY);

    // issue 17
    const oneBucketTargets = [{ vs: 'limiter', min: 1.5 }];
    const oneKeyTargets = [{ vs: 'rate-limiter-flexible', min: 5 }];
    const manyKeysTargets = [{ vs: 'rate-limiter-flexible', min: 3 }];
    const groups: MicroGroup[] = [
      {
        name: 'tryAcquire, 1 bucket, synchronous',
        description:
          'one non-blocking admission decision on a single token bucket (no key), returned synchronously on both sides',
        targets: oneBucketTargets,
        facts: (rows) => ({
          ...beyondBaseline(rows, (library) => `cost beyond the clock read, ${library}`),
          ...roomForTargets(rows, oneBucketTargets, 'the clock read'),
        }),
        cases: [
          {
            name: 'one performance.now() read (the clock each bucket reads per decision)',
            library: 'none',
            role: 'baseline',
            fn: () => performance.now(),
          },
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
        ],
      },
      {
        // rate-limiter-flexible has no synchronous call and no limiter without keys: the like for
        // like is @x/rate-limit's keyed limiter, awaited, on one key
        name: 'tryAcquire, 1 key of a keyed limiter, awaited',
        description:
          'one admission decision on a single key of a keyed limiter, its promise awaited on both sides',
        targets: oneKeyTargets,
        facts: (rows) => ({
          ...beyondBaseline(rows, (library) => `cost beyond the floor, ${library}`),
          ...roomForTargets(rows, oneKeyTargets, 'the floor'),
        }),
        cases: [
          {
            name: 'floor: one clock read, one Map.get of the key, one await',
            library: 'none',
            role: 'baseline',
            async: true,
            fn: () => {
              const slot = oneKeyIndex.get('k');
              return slot !== undefined && performance.now() > 0 ? resolvedTrue : resolvedFalse;
            },
          },
          {
            name: '@x/rate-limit createRateLimiter tryAcquire(key)',
            library: '@x/rate-limit',
            role: 'ours',
            async: true,
            fn: () => oursOneKey.tryAcquire('k'),
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
        targets: manyKeysTargets,
        facts: (rows) => ({
          'retained heap per key, rate-limiter-flexible': `${rlfBytes.toFixed(0)} bytes`,
          ...beyondBaseline(rows, (library) => `cost beyond the floor, ${library}`),
          ...roomForTargets(rows, manyKeysTargets, 'the floor'),
        }),
        checks: () => [
          {
            what: `@x/rate-limit retained heap per key (${KEYS.toLocaleString('en')} keys)`,
            value: `${oursBytes.toFixed(0)} bytes`,
            target: '≤ 150 bytes',
            met: asPrinted(oursBytes, 0) <= 150,
          },
        ],
        cases: [
          {
            name: `floor: one clock read, one Map.get over the same ${KEYS / 1000}k keys and a read of the state it points to, one await`,
            library: 'none',
            role: 'baseline',
            async: true,
            fn: () => {
              // Both results decide the answer: an unused Map.get is pure, the compiler drops it.
              const slot = floorIndex.get(keys[fi++ % KEYS]!);
              return slot !== undefined && floorState[slot * 2]! + performance.now() > 0
                ? resolvedTrue
                : resolvedFalse;
            },
          },
          {
            name: `@x/rate-limit createRateLimiter tryAcquire(key of ${KEYS / 1000}k)`,
            library: '@x/rate-limit',
            role: 'ours',
            async: true,
            fn: () => oursMany.tryAcquire(keys[oi++ % KEYS]!),
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
      {
        name: 'concurrency limiter, a free slot (8 slots)',
        description:
          'one awaited run(fn) of an already-resolved job through a limiter of 8 slots, one caller: the cost of taking and giving back a slot',
        cases: [
          {
            name: '@x/rate-limit createConcurrencyLimiter().run(fn)',
            library: '@x/rate-limit',
            role: 'ours',
            async: true,
            fn: () => slots.run(resolved),
          },
          {
            name: 'p-limit(8)(fn)',
            library: 'p-limit',
            role: 'peer',
            async: true,
            fn: () => limit8(resolved),
          },
          {
            name: 'cockatiel bulkhead(8).execute(fn)',
            library: 'cockatiel bulkhead',
            role: 'peer',
            async: true,
            fn: () => bulk8.execute(resolved),
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
      // What each decision costs inside Redis (its script, all commands included): at c=1 a
      // decision is one loopback round trip, so this difference shows in the ratio.
      const redisMicros = {
        ours: await redisTimePerCall(client, () => oursRedis.tryAcquire(1)),
        rlf: await redisTimePerCall(client, () => rlfRedis.consume('k')),
      };
      // issue 17: ≥ 1x at c=1, ≥ 1.5x at c=16
      for (const [c, min] of [
        [1, 1],
        [16, 1.5],
      ] as const) {
        groups.push({
          name: `Redis bucket, one key, c=${c}`,
          description: `${c === 1 ? 'one admission decision at a time' : `${c} admission decisions in flight`} on one key, against a real redis-server on loopback (${redis.version}), one ioredis client`,
          targets: [{ vs: 'rate-limiter-flexible Redis', min }],
          facts: (): Record<string, string> =>
            c === 1
              ? {
                  'Redis time per decision (INFO commandstats), @x/rate-limit/redis': `${redisMicros.ours} µs (TIME, GET, SET KEEPTTL, or PX when the TTL must grow: a token bucket with fractional tokens)`,
                  'Redis time per decision (INFO commandstats), rate-limiter-flexible Redis': `${redisMicros.rlf} µs (SET NX, INCRBY, PTTL: a counter per fixed window)`,
                }
              : {},
          cases: [
            {
              name: '@x/rate-limit/redis tryAcquire(1)',
              library: '@x/rate-limit/redis',
              role: 'ours',
              async: true,
              concurrency: c,
              fn: () => oursRedis.tryAcquire(1),
            },
            {
              name: 'rate-limiter-flexible RateLimiterRedis.consume(key)',
              library: 'rate-limiter-flexible Redis',
              role: 'peer',
              async: true,
              concurrency: c,
              fn: () => rlfRedis.consume('k'),
            },
          ],
        });
      }
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

/**
 * Microseconds Redis spends per call of `decide` (its `EVALSHA`, every command the script runs
 * included), from `INFO commandstats` over 2,000 sequential calls after `CONFIG RESETSTAT`.
 */
async function redisTimePerCall(client: Redis, decide: () => Promise<unknown>): Promise<string> {
  for (let i = 0; i < 1000; i++) await decide();
  await client.config('RESETSTAT');
  for (let i = 0; i < 2000; i++) await decide();
  const stats = await client.info('commandstats');
  const evalsha = /cmdstat_evalsha:calls=\d+,usec=\d+,usec_per_call=([\d.]+)/.exec(stats);
  return evalsha ? Number(evalsha[1]).toFixed(1) : 'n/a';
}
