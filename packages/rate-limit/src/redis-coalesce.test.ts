/**
 * Coalescing of Redis decisions: calls for a key made while a script call for it is in flight
 * wait and go together in one call. A real redis-server (real clock), with rates so slow that
 * nothing refills during a test; the client is wrapped so that a test can hold Redis' replies
 * back and count the script calls.
 */
import { randomUUID } from 'node:crypto';
import { createRandom } from '@x/internal';
import Redis from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import {
  isRateLimitClosedError,
  isRateLimitStoreError,
  isRateLimitStoreUnavailableError,
  isRateLimitTimeoutError,
} from './errors';
import { createRateLimiter } from './rate-limiter';
import { createRedisStore, createRedisTokenBucket, type RedisClientLike } from './redis';

let client: Redis;
const prefix = `test:${process.pid}:coalesce:`;
const SLOW = 0.001; // units per second: nothing refills during a test

beforeAll(() => {
  client = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  await client.quit();
});

/**
 * The real client, counting script calls, whose replies a test can hold back (`hold()`) and let
 * through (`release()`) to keep a call in flight.
 */
function held(target: Redis) {
  const calls: (string | number)[][] = [];
  let gate: Promise<void> | undefined;
  let open = () => {};
  const wrapped: RedisClientLike = {
    evalsha: (...args) => {
      calls.push(args.slice(2));
      const reply = target.evalsha(...args);
      reply.catch(() => {}); // read after the gate opens
      const current = gate;
      return current === undefined ? reply : current.then(() => reply);
    },
    eval: (...args) => target.eval(...args),
  };
  return {
    client: wrapped,
    /** the keys and arguments of each script call, in order */
    calls,
    hold() {
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    release() {
      gate = undefined;
      open();
    },
  };
}

/** Lets every pending reply and callback run (real I/O: a few event-loop turns). */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  await client.ping();
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * A bucket on a fresh key over `redis` (a held client), its script already loaded: what a test
 * counts from `redis.calls` afterwards is the decisions' calls only.
 */
/** A bucket on the held client, under `key` (a new one by default), refilling `SLOW`ly. */
function newBucket(
  redis: ReturnType<typeof held>,
  options: { capacity: number; ratePerSecond?: number; key?: string; outagePolicy?: 'fail-open' },
): ReturnType<typeof createRedisTokenBucket> {
  return createRedisTokenBucket({
    client: redis.client,
    prefix,
    key: options.key ?? randomUUID(),
    ratePerSecond: options.ratePerSecond ?? SLOW,
    capacity: options.capacity,
    ...(options.outagePolicy === undefined ? {} : { outagePolicy: options.outagePolicy }),
  });
}

/** {@link newBucket}, its script already loaded in Redis. */
async function loadedBucket(
  redis: ReturnType<typeof held>,
  options: { capacity: number; ratePerSecond?: number },
): Promise<ReturnType<typeof createRedisTokenBucket>> {
  const bucket = newBucket(redis, options);
  await bucket.tryAcquire(0);
  return bucket;
}

describe('createRedisTokenBucket coalescing', () => {
  it('admits exactly capacity of 16 concurrent calls, in call order, in one script call', async () => {
    const redis = held(client);
    const bucket = await loadedBucket(redis, { capacity: 10 });
    const before = redis.calls.length;
    const results = await Promise.all(Array.from({ length: 16 }, () => bucket.tryAcquire(1)));
    expect(results).toEqual([...Array(10).fill(true), ...Array(6).fill(false)]);
    expect(redis.calls.length - before).toBe(1);
    expect(bucket.stats()).toMatchObject({ admitted: 11, rejected: 6 });
    expect(bucket.stats().store).toMatchObject({ decisions: 17, fallbackDecisions: 0 });
  });

  it('sends calls made while one is in flight together once it is answered, decided in order', async () => {
    const redis = held(client);
    const bucket = await loadedBucket(redis, { capacity: 10 });
    const before = redis.calls.length;
    redis.hold();
    const first = bucket.tryAcquire(4);
    await settle();
    expect(redis.calls.length - before).toBe(1);
    // each in a later tick than the one before; none is sent while the first is in flight
    const later: Promise<boolean>[] = [];
    for (const cost of [8, 1, 5, 3]) {
      later.push(bucket.tryAcquire(cost));
      await settle();
    }
    expect(redis.calls.length - before).toBe(1);
    redis.release();
    // 4 fits (6 left), 8 does not, 1 does (5 left), 5 does (0 left), 3 does not
    expect(await first).toBe(true);
    expect(await Promise.all(later)).toEqual([false, true, true, false]);
    expect(redis.calls.length - before).toBe(2);
    // the second call carried the four costs, in call order
    expect(redis.calls.at(-1)!.slice(-4)).toEqual([8, 1, 5, 3]);
  });

  it('gives the same answers as the same calls made one after the other, for mixed costs', async () => {
    const random = createRandom(17);
    const costs = Array.from({ length: 60 }, () => Math.floor(random() * 6));
    const sequential = createRateLimiter({
      limits: { tokens: { ratePerSecond: SLOW, capacity: 40 } },
    });
    const expected: boolean[] = [];
    for (const tokens of costs) expected.push(await sequential.tryAcquire('k', { tokens }));
    const redis = held(client);
    const limiter = createRateLimiter({
      limits: { tokens: { ratePerSecond: SLOW, capacity: 40 } },
      store: createRedisStore({ client: redis.client, prefix }),
    });
    const key = randomUUID();
    redis.hold();
    const results: Promise<boolean>[] = [];
    // a few calls per tick while the first one's answer is held back
    for (let i = 0; i < costs.length; i += 7) {
      for (const tokens of costs.slice(i, i + 7)) results.push(limiter.tryAcquire(key, { tokens }));
      await settle();
    }
    redis.release();
    expect(await Promise.all(results)).toEqual(expected);
    expect(expected).toContain(false); // the costs overran the bucket, so refusals were tested
  });

  it('gives a coalesced acquire the wait the script computed for it, and its own timeout', async () => {
    const redis = held(client);
    const bucket = await loadedBucket(redis, { capacity: 2, ratePerSecond: 1 });
    redis.hold();
    const first = bucket.tryAcquire(2);
    await settle();
    const waiting = bucket.acquire(1, { timeoutMs: 100 }).catch((e: unknown) => e);
    await settle();
    redis.release();
    expect(await first).toBe(true);
    const error = await waiting;
    expect(isRateLimitTimeoutError(error)).toBe(true);
    // one token at 1/s after a bucket emptied by the first call: about a second
    expect((error as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(900);
    expect(bucket.stats()).toMatchObject({ admitted: 2, timedOut: 1, queued: 0 });
  });

  it('sends at most 128 decisions per script call, and still decides them in call order', async () => {
    const redis = held(client);
    const bucket = await loadedBucket(redis, { capacity: 200 });
    const before = redis.calls.length;
    const results = await Promise.all(Array.from({ length: 300 }, () => bucket.tryAcquire(1)));
    expect(results.indexOf(false)).toBe(200);
    expect(results.filter(Boolean)).toHaveLength(200);
    expect(redis.calls.length - before).toBe(3);
    expect(redis.calls.slice(before).map((args) => args.length - 3)).toEqual([128, 128, 44]);
  });

  it('rejects every caller of a script call with RateLimitStoreError when the key holds another type', async () => {
    const redis = held(client);
    const key = randomUUID();
    const bucket = newBucket(redis, { key, capacity: 10, outagePolicy: 'fail-open' });
    await client.hset(`${prefix}bucket|${key}`, 'owner', 'another program');
    redis.hold();
    const first = bucket.tryAcquire(1).catch((e: unknown) => e);
    await settle();
    const coalesced = [1, 2, 3].map((cost) => bucket.tryAcquire(cost).catch((e: unknown) => e));
    redis.release();
    for (const error of [await first, ...(await Promise.all(coalesced))]) {
      expect(isRateLimitStoreError(error)).toBe(true);
      expect(error).toMatchObject({ reply: 'WRONGTYPE' });
    }
    expect(bucket.stats().store).toMatchObject({ scriptErrors: 2, outages: 0 });
    await client.del(`${prefix}bucket|${key}`);
  });

  it('sends what waits behind a call in flight at close(), and every caller gets its answer', async () => {
    const redis = held(client);
    const bucket = await loadedBucket(redis, { capacity: 3 });
    const before = redis.calls.length;
    redis.hold();
    const first = bucket.tryAcquire(1);
    await settle();
    const coalesced = [bucket.tryAcquire(1), bucket.tryAcquire(1), bucket.tryAcquire(1)];
    const waiter = bucket.acquire(3).catch((e: unknown) => e);
    await settle();
    expect(redis.calls.length - before).toBe(1);
    await bucket.close();
    expect(redis.calls.length - before).toBe(2); // sent at close, not left behind
    redis.release();
    expect(await first).toBe(true);
    expect(await Promise.all(coalesced)).toEqual([true, true, false]);
    expect(isRateLimitClosedError(await waiter)).toBe(true);
    await expect(bucket.tryAcquire(1)).rejects.toMatchObject({ code: 'X_RATE_LIMIT_CLOSED' });
  });

  it('gives back what a coalesced acquire was granted when its signal aborted it meanwhile', async () => {
    const redis = held(client);
    const bucket = await loadedBucket(redis, { capacity: 5 });
    redis.hold();
    const first = bucket.tryAcquire(1);
    await settle();
    const controller = new AbortController();
    const aborted = bucket.acquire(2, { signal: controller.signal }).catch((e: unknown) => e);
    await settle();
    controller.abort(new Error('caller left'));
    expect(await aborted).toMatchObject({ message: 'caller left' });
    redis.release();
    expect(await first).toBe(true);
    // the 2 tokens Redis granted to the aborted call come back: 4 of 5 are left
    await vi.waitFor(() => expect(redis.calls.some((args) => args.includes('adjust'))).toBe(true));
    await settle();
    expect(await bucket.tryAcquire(4)).toBe(true);
    expect(bucket.stats()).toMatchObject({ aborted: 1, admitted: 3 });
  });
});

describe('createRedisStore coalescing', () => {
  it('sends the keys one answer freed in one script call with batchKeys', async () => {
    const redis = held(client);
    const limiter = createRateLimiter({
      limits: { requests: { ratePerSecond: SLOW, capacity: 2 } },
      store: createRedisStore({ client: redis.client, prefix, batchKeys: true }),
    });
    await limiter.tryAcquire(randomUUID(), { requests: 0 });
    const [a, b] = [randomUUID(), randomUUID()];
    const before = redis.calls.length;
    redis.hold();
    const firsts = [limiter.tryAcquire(a), limiter.tryAcquire(b)];
    await settle();
    const seconds = [limiter.tryAcquire(b), limiter.tryAcquire(a), limiter.tryAcquire(a)];
    await settle();
    expect(redis.calls.length - before).toBe(1);
    redis.release();
    expect(await Promise.all(firsts)).toEqual([true, true]);
    expect(await Promise.all(seconds)).toEqual([true, true, false]);
    expect(redis.calls.length - before).toBe(2);
  });

  it('applies the outage policy to every caller of a failed call and of the calls behind it', async () => {
    let fail = (_error: Error) => {};
    let calls = 0;
    const failing: RedisClientLike = {
      evalsha: () => {
        calls++;
        return new Promise((_, reject) => {
          fail = reject;
        });
      },
      eval: () => Promise.reject(new Error('unused')),
    };
    const store = createRedisStore({ client: failing, outagePolicy: 'fail-closed' });
    const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 10 } }, store });
    const first = [limiter.tryAcquire('k'), limiter.tryAcquire('k')];
    await settle();
    const behind = [limiter.tryAcquire('k'), limiter.acquire('other').catch((e: unknown) => e)];
    await settle();
    fail(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    expect(await Promise.all(first)).toEqual([false, false]);
    const [coalesced, otherKey] = await Promise.all(behind);
    expect(coalesced).toBe(false);
    // `other` had its own call in flight: it failed with the same error, and the policy decided
    fail(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    expect(isRateLimitStoreUnavailableError(await otherKey)).toBe(true);
    expect(calls).toBe(2); // `k` once, `other` once; the call behind `k` never reached Redis
    expect(store.stats()).toMatchObject({ outages: 1, errors: 1, fallbackDecisions: 4 });
  });
});

describe('decision timeout with coalescing', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets the calls behind a call that timed out take the policy at once, not after a second timeout', async () => {
    vi.useFakeTimers();
    const hanging: RedisClientLike = {
      evalsha: () => new Promise(() => {}),
      eval: () => new Promise(() => {}),
    };
    const store = createRedisStore({
      client: hanging,
      outagePolicy: 'fail-open',
      decisionTimeoutMs: 250,
    });
    const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 1 } }, store });
    const outcomes: boolean[] = [];
    void limiter.tryAcquire('k').then((v) => outcomes.push(v));
    await vi.advanceTimersByTimeAsync(100);
    void limiter.tryAcquire('k').then((v) => outcomes.push(v));
    await vi.advanceTimersByTimeAsync(149);
    expect(outcomes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(outcomes).toEqual([true, true]);
    expect(store.stats()).toMatchObject({ timeouts: 1, outages: 1, fallbackDecisions: 2 });
  });
});
