/**
 * `pnpm bench` (or `pnpm bench --quick`): @x/rate-limit side by side with the libraries a user
 * would otherwise pick, in ONE process run, printed as ops/s and as ratios to the peers.
 *
 * - in memory, one bucket: `createTokenBucket().tryAcquire()` vs `limiter`'s
 *   `TokenBucket.tryRemoveTokens()` vs `rate-limiter-flexible`'s `RateLimiterMemory.consume()`
 * - in memory, 100 000 keys: `createRateLimiter().tryAcquire(key)` vs `RateLimiterMemory.consume(key)`
 * - in memory, awaited `acquire()` admitted at once (with and without per-call options):
 *   `createTokenBucket().acquire()` / `createRateLimiter().acquire(key)` vs `limiter`'s
 *   `RateLimiter.removeTokens()`, `rate-limiter-flexible`'s `RateLimiterQueue.removeTokens()` and
 *   `bottleneck`'s `schedule()` (a job scheduler: its row is mostly timer latency)
 * - concurrency, 8 slots: `createConcurrencyLimiter().run(fn)` vs `p-limit`, cockatiel's `bulkhead`
 *   and bottleneck's `maxConcurrent`, awaited one by one (a free slot every time) and 1000 at once
 *   (992 queue, then each release hands its slot to the next)
 * - Redis (a redis-server this script starts on a free port): `createRedisTokenBucket().tryAcquire()`
 *   vs `RateLimiterRedis.consume()`, both with ioredis on the same server: sequential, 64 calls in
 *   flight on one key (ours share one script call per tick), and 64 in flight on 64 keys (one
 *   script call per key by default, one per tick with `batchKeys`).
 *
 * Every limit is large enough that all calls are admitted: this measures the cost of a decision.
 */
import Bottleneck from 'bottleneck';
import { bulkhead } from 'cockatiel';
import { Redis } from 'ioredis';
import { RateLimiter, TokenBucket } from 'limiter';
import pLimit from 'p-limit';
import { RateLimiterMemory, RateLimiterQueue, RateLimiterRedis } from 'rate-limiter-flexible';
import { Bench } from 'tinybench';
import { startRedisServer } from '../../../scripts/testing/redis-server';
import { createConcurrencyLimiter, createRateLimiter, createTokenBucket } from '../src/index';
import { createRedisStore, createRedisTokenBucket } from '../src/redis';

const quick = process.argv.includes('--quick');
const time = quick ? 300 : 1000; // per task, split over the two orders
const warmupTime = quick ? 100 : 300;
const BATCH = 1000; // calls per sample, so the timer's own cost does not blur ~50 ns operations
const KEYS = 100_000;
const BIG = 1e12;

interface Row {
  group: string;
  name: string;
  opsPerSecond: number;
}
const rows: Row[] = [];

/**
 * Runs a group twice, tasks in declaration order then reversed, and keeps the mean of both runs
 * per task: on a busy machine the task that runs first in a group is otherwise favoured or
 * penalised (JIT state, garbage left by the previous group).
 */
async function run(
  group: string,
  tasks: [name: string, fn: () => unknown][],
  perIteration: number,
): Promise<void> {
  const sums = new Map<string, number>();
  for (const order of [tasks, [...tasks].reverse()]) {
    const bench = new Bench({ time: time / 2, warmupTime });
    for (const [name, fn] of order) bench.add(name, fn);
    await bench.run();
    for (const task of bench.tasks) {
      const result = task.result as { throughput?: { mean: number } } | undefined;
      sums.set(task.name, (sums.get(task.name) ?? 0) + (result?.throughput?.mean ?? 0));
    }
  }
  for (const [name] of tasks)
    rows.push({ group, name, opsPerSecond: (sums.get(name)! / 2) * perIteration });
}

function table(group: string, ours: string, peers: string[]): void {
  const get = (name: string) => rows.find((r) => r.group === group && r.name === name)!;
  const mine = get(ours);
  console.log(`\n${group}`);
  console.table(
    [mine, ...peers.map(get)].map((r) => ({
      task: r.name,
      'ops/s': Math.round(r.opsPerSecond).toLocaleString('en-US'),
      'x-rate-limit is': r === mine ? '' : `${(mine.opsPerSecond / r.opsPerSecond).toFixed(2)}x`,
    })),
  );
}

// ---- Redis (first: before the memory groups leave 100 000 keys and timers behind) ----
const server = await startRedisServer();
const client = new Redis(server.url);
try {
  await client.flushall();
  const ours = createRedisTokenBucket({ client, key: 'bench', ratePerSecond: BIG, capacity: BIG });
  const rlf = new RateLimiterRedis({
    storeClient: client,
    points: BIG,
    duration: 1000,
    keyPrefix: 'rlf-bench',
  });
  await ours.tryAcquire();
  await rlf.consume('bench', 1);
  const SEQ = 50;
  await run(
    'redis, sequential',
    [
      [
        '@x/rate-limit createRedisTokenBucket().tryAcquire() (sequential)',
        async () => {
          for (let i = 0; i < SEQ; i++) await ours.tryAcquire();
        },
      ],
      [
        'rate-limiter-flexible RateLimiterRedis.consume() (sequential)',
        async () => {
          for (let i = 0; i < SEQ; i++) await rlf.consume('bench', 1);
        },
      ],
    ],
    SEQ,
  );

  const INFLIGHT = 64;
  const many = Array.from({ length: INFLIGHT });
  await run(
    'redis, 64 in flight',
    [
      [
        '@x/rate-limit createRedisTokenBucket().tryAcquire() (64 in flight)',
        () => Promise.all(many.map(() => ours.tryAcquire())),
      ],
      [
        'rate-limiter-flexible RateLimiterRedis.consume() (64 in flight)',
        () => Promise.all(many.map(() => rlf.consume('bench', 1))),
      ],
    ],
    INFLIGHT,
  );

  // 64 in flight on 64 different keys: by default one script call per key; with batchKeys
  // (standalone Redis) one script call for the whole tick
  const limits = { requests: { ratePerSecond: BIG, capacity: BIG } };
  const perKey = createRateLimiter({ limits, store: createRedisStore({ client }) });
  const batched = createRateLimiter({
    limits,
    store: createRedisStore({ client, batchKeys: true }),
  });
  const spread = Array.from({ length: INFLIGHT }, (_, i) => `spread:${i}`);
  await run(
    'redis, 64 keys in flight',
    [
      [
        '@x/rate-limit createRateLimiter(redis).tryAcquire(key) (64 keys in flight)',
        () => Promise.all(spread.map((key) => perKey.tryAcquire(key))),
      ],
      [
        '@x/rate-limit createRateLimiter(redis, batchKeys).tryAcquire(key) (64 keys in flight)',
        () => Promise.all(spread.map((key) => batched.tryAcquire(key))),
      ],
      [
        'rate-limiter-flexible RateLimiterRedis.consume(key) (64 keys in flight)',
        () => Promise.all(spread.map((key) => rlf.consume(key, 1))),
      ],
    ],
    INFLIGHT,
  );
} finally {
  await client.quit();
  await server.stop();
}

// ---- in memory, one bucket ----
{
  const ours = createTokenBucket({ ratePerSecond: BIG, capacity: BIG });
  const lim = new TokenBucket({ bucketSize: BIG, tokensPerInterval: BIG, interval: 1000 });
  const rlf = new RateLimiterMemory({ points: BIG, duration: 1000 });
  await run(
    'memory, 1 bucket',
    [
      [
        '@x/rate-limit createTokenBucket().tryAcquire()',
        () => {
          for (let i = 0; i < BATCH; i++) ours.tryAcquire(1);
        },
      ],
      [
        'limiter TokenBucket.tryRemoveTokens()',
        () => {
          for (let i = 0; i < BATCH; i++) lim.tryRemoveTokens(1);
        },
      ],
      [
        'rate-limiter-flexible RateLimiterMemory.consume() (1 key)',
        async () => {
          for (let i = 0; i < BATCH; i++) await rlf.consume('k', 1);
        },
      ],
    ],
    BATCH,
  );
}

// ---- in memory, one key through the keyed limiter (the same promise shape as consume) ----
{
  const ours = createRateLimiter({ limits: { requests: { ratePerSecond: BIG, capacity: BIG } } });
  const rlf = new RateLimiterMemory({ points: BIG, duration: 1000 });
  await run(
    'memory, keyed, 1 key',
    [
      [
        '@x/rate-limit createRateLimiter().tryAcquire(key) (1 key)',
        async () => {
          for (let i = 0; i < BATCH; i++) await ours.tryAcquire('k');
        },
      ],
      [
        'rate-limiter-flexible RateLimiterMemory.consume(key) (1 key)',
        async () => {
          for (let i = 0; i < BATCH; i++) await rlf.consume('k', 1);
        },
      ],
    ],
    BATCH,
  );
}

// ---- in memory, 100 000 keys ----
{
  const keys = Array.from({ length: KEYS }, (_, i) => `user:${i}`);
  const ours = createRateLimiter({ limits: { requests: { ratePerSecond: 1, capacity: BIG } } });
  const rlf = new RateLimiterMemory({ points: BIG, duration: 1000 });
  let a = 0;
  let b = 0;
  await run(
    'memory, keyed, 100 000 keys',
    [
      [
        '@x/rate-limit createRateLimiter().tryAcquire(key) (100 000 keys)',
        async () => {
          for (let i = 0; i < BATCH; i++) {
            await ours.tryAcquire(keys[a]!);
            a = a + 1 === KEYS ? 0 : a + 1;
          }
        },
      ],
      [
        'rate-limiter-flexible RateLimiterMemory.consume(key) (100 000 keys)',
        async () => {
          for (let i = 0; i < BATCH; i++) {
            await rlf.consume(keys[b]!, 1);
            b = b + 1 === KEYS ? 0 : b + 1;
          }
        },
      ],
    ],
    BATCH,
  );
}

// ---- in memory, awaited acquire() admitted at once ----
{
  const bucket = createTokenBucket({ ratePerSecond: BIG, capacity: BIG });
  const keyed = createRateLimiter({ limits: { requests: { ratePerSecond: BIG, capacity: BIG } } });
  const lim = new RateLimiter({ tokensPerInterval: BIG, interval: 'second' });
  const rlfQueue = new RateLimiterQueue(new RateLimiterMemory({ points: BIG, duration: 1 }), {
    maxQueueSize: 1e9,
  });
  const signal = new AbortController().signal;
  const options = { signal, timeoutMs: 5_000 };
  await run(
    'memory, acquire',
    [
      [
        '@x/rate-limit createTokenBucket().acquire()',
        async () => {
          for (let i = 0; i < BATCH; i++) await bucket.acquire(1);
        },
      ],
      [
        '@x/rate-limit createTokenBucket().acquire(1, { signal, timeoutMs })',
        async () => {
          for (let i = 0; i < BATCH; i++) await bucket.acquire(1, options);
        },
      ],
      [
        '@x/rate-limit createRateLimiter().acquire(key, undefined, { signal, timeoutMs })',
        async () => {
          for (let i = 0; i < BATCH; i++) await keyed.acquire('k', undefined, options);
        },
      ],
      [
        'limiter RateLimiter.removeTokens()',
        async () => {
          for (let i = 0; i < BATCH; i++) await lim.removeTokens(1);
        },
      ],
      [
        'rate-limiter-flexible RateLimiterQueue.removeTokens()',
        async () => {
          for (let i = 0; i < BATCH; i++) await rlfQueue.removeTokens(1);
        },
      ],
    ],
    BATCH,
  );
  const bottleneck = new Bottleneck({ maxConcurrent: null, minTime: 0 });
  const resolved = () => Promise.resolve();
  const FEW = 20; // bottleneck hands each job through timers: a sample of 1000 would take seconds
  await run(
    'memory, acquire vs bottleneck',
    [
      [
        '@x/rate-limit createTokenBucket().acquire() (x20)',
        async () => {
          for (let i = 0; i < FEW; i++) await bucket.acquire(1);
        },
      ],
      [
        'bottleneck schedule(fn) (x20)',
        async () => {
          for (let i = 0; i < FEW; i++) await bottleneck.schedule(resolved);
        },
      ],
    ],
    FEW,
  );
  await bottleneck.disconnect();
}

// ---- concurrency, 8 slots ----
{
  const SLOTS = 8;
  const ours = createConcurrencyLimiter({ maxConcurrent: SLOTS });
  const limit = pLimit(SLOTS);
  const bulk = bulkhead(SLOTS, Number.POSITIVE_INFINITY);
  const job = () => Promise.resolve(1);
  const MANY = 1000;
  await run(
    'concurrency, one at a time',
    [
      [
        '@x/rate-limit createConcurrencyLimiter().run(fn)',
        async () => {
          for (let i = 0; i < BATCH; i++) await ours.run(job);
        },
      ],
      [
        'p-limit limit(fn)',
        async () => {
          for (let i = 0; i < BATCH; i++) await limit(job);
        },
      ],
      [
        'cockatiel bulkhead().execute(fn)',
        async () => {
          for (let i = 0; i < BATCH; i++) await bulk.execute(job);
        },
      ],
    ],
    BATCH,
  );
  await run(
    'concurrency, 1000 at once',
    [
      [
        '@x/rate-limit createConcurrencyLimiter().run(fn) (1000 at once)',
        () => Promise.all(Array.from({ length: MANY }, () => ours.run(job))),
      ],
      [
        'p-limit limit(fn) (1000 at once)',
        () => Promise.all(Array.from({ length: MANY }, () => limit(job))),
      ],
      [
        'cockatiel bulkhead().execute(fn) (1000 at once)',
        () => Promise.all(Array.from({ length: MANY }, () => bulk.execute(job))),
      ],
    ],
    MANY,
  );
  const bottleneck = new Bottleneck({ maxConcurrent: SLOTS });
  const FEW = 100; // bottleneck hands each job through timers
  await run(
    'concurrency vs bottleneck',
    [
      [
        '@x/rate-limit createConcurrencyLimiter().run(fn) (100 at once)',
        () => Promise.all(Array.from({ length: FEW }, () => ours.run(job))),
      ],
      [
        'bottleneck maxConcurrent schedule(fn) (100 at once)',
        () => Promise.all(Array.from({ length: FEW }, () => bottleneck.schedule(job))),
      ],
    ],
    FEW,
  );
  await bottleneck.disconnect();
}

table('memory, 1 bucket', '@x/rate-limit createTokenBucket().tryAcquire()', [
  'limiter TokenBucket.tryRemoveTokens()',
  'rate-limiter-flexible RateLimiterMemory.consume() (1 key)',
]);
table('memory, keyed, 1 key', '@x/rate-limit createRateLimiter().tryAcquire(key) (1 key)', [
  'rate-limiter-flexible RateLimiterMemory.consume(key) (1 key)',
]);
table(
  'memory, keyed, 100 000 keys',
  '@x/rate-limit createRateLimiter().tryAcquire(key) (100 000 keys)',
  ['rate-limiter-flexible RateLimiterMemory.consume(key) (100 000 keys)'],
);
table('memory, acquire', '@x/rate-limit createTokenBucket().acquire()', [
  'limiter RateLimiter.removeTokens()',
  'rate-limiter-flexible RateLimiterQueue.removeTokens()',
]);
table('memory, acquire', '@x/rate-limit createTokenBucket().acquire(1, { signal, timeoutMs })', [
  'limiter RateLimiter.removeTokens()',
  'rate-limiter-flexible RateLimiterQueue.removeTokens()',
]);
table(
  'memory, acquire',
  '@x/rate-limit createRateLimiter().acquire(key, undefined, { signal, timeoutMs })',
  ['rate-limiter-flexible RateLimiterQueue.removeTokens()'],
);
table('memory, acquire vs bottleneck', '@x/rate-limit createTokenBucket().acquire() (x20)', [
  'bottleneck schedule(fn) (x20)',
]);
table('concurrency, one at a time', '@x/rate-limit createConcurrencyLimiter().run(fn)', [
  'p-limit limit(fn)',
  'cockatiel bulkhead().execute(fn)',
]);
table(
  'concurrency, 1000 at once',
  '@x/rate-limit createConcurrencyLimiter().run(fn) (1000 at once)',
  ['p-limit limit(fn) (1000 at once)', 'cockatiel bulkhead().execute(fn) (1000 at once)'],
);
table(
  'concurrency vs bottleneck',
  '@x/rate-limit createConcurrencyLimiter().run(fn) (100 at once)',
  ['bottleneck maxConcurrent schedule(fn) (100 at once)'],
);
table('redis, sequential', '@x/rate-limit createRedisTokenBucket().tryAcquire() (sequential)', [
  'rate-limiter-flexible RateLimiterRedis.consume() (sequential)',
]);
table('redis, 64 in flight', '@x/rate-limit createRedisTokenBucket().tryAcquire() (64 in flight)', [
  'rate-limiter-flexible RateLimiterRedis.consume() (64 in flight)',
]);
table(
  'redis, 64 keys in flight',
  '@x/rate-limit createRateLimiter(redis).tryAcquire(key) (64 keys in flight)',
  ['rate-limiter-flexible RateLimiterRedis.consume(key) (64 keys in flight)'],
);
table(
  'redis, 64 keys in flight',
  '@x/rate-limit createRateLimiter(redis, batchKeys).tryAcquire(key) (64 keys in flight)',
  ['rate-limiter-flexible RateLimiterRedis.consume(key) (64 keys in flight)'],
);
console.log(`\n${new Date().toISOString()} node ${process.version}${quick ? ' (--quick)' : ''}`);
