// These tests talk to the real redis-server started by the global setup, on Redis' own clock
// (the script reads TIME): they run on real time, never with fake timers.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isRateLimitStoreError, type RateLimitStoreError } from './errors';
import type { LimitOptions } from './options';
import { createRateLimiter } from './rate-limiter';
import { createRedisStore, createRedisTokenBucket } from './redis';

let client: Redis;
const prefix = `test-store:${process.pid}:`;

beforeAll(() => {
  client = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  await client.quit();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('createRedisStore options', () => {
  it('throws a RangeError naming decisionTimeoutMs or probeIntervalMs above 2^31-1 ms', () => {
    expect(() => createRedisStore({ client, decisionTimeoutMs: 2 ** 31 })).toThrow(
      new RangeError(
        'Expected `decisionTimeoutMs` to be a finite number between 1 and 2147483647, got `2147483648` (number)',
      ),
    );
    expect(() => createRedisStore({ client, probeIntervalMs: 1e12 })).toThrow(
      /^Expected `probeIntervalMs` to be a finite number between 0 and 2147483647/,
    );
  });

  it('throws a RangeError naming decisionTimeoutMs below 1 ms, as the cache store does for commandTimeoutMs', () => {
    for (const ms of [0.5, 0.001, Number.MIN_VALUE, 0]) {
      expect(() => createRedisStore({ client, decisionTimeoutMs: ms })).toThrow(
        new RangeError(
          `Expected \`decisionTimeoutMs\` to be a finite number between 1 and 2147483647, got \`${ms}\` (number)`,
        ),
      );
      expect(() =>
        createRedisTokenBucket({ client, key: 'k', ratePerSecond: 5, decisionTimeoutMs: ms }),
      ).toThrow(RangeError);
    }
    expect(() => createRedisStore({ client, decisionTimeoutMs: 1 })).not.toThrow();
    expect(() => createRedisStore({ client, decisionTimeoutMs: 1.5 })).not.toThrow();
  });

  it('throws a TypeError naming an unknown key and the closest known one', () => {
    expect(() => createRedisStore({ client, decisionTimeout: 100 } as never)).toThrow(
      new TypeError('Unknown option `decisionTimeout`: did you mean `decisionTimeoutMs`?'),
    );
    expect(() => createRedisTokenBucket({ client, key: 'k', ratePerSecnd: 5 } as never)).toThrow(
      new TypeError('Unknown option `ratePerSecnd`: did you mean `ratePerSecond`?'),
    );
  });

  it('names the bucket fields in the errors of a Redis token bucket', async () => {
    expect(() =>
      createRedisTokenBucket({ client, key: 'k', ratePerSecond: 5, capacity: 0.5 }),
    ).toThrow(new RangeError('Expected `capacity` to be a finite number >= 1, got `0.5` (number)'));
    const bucket = createRedisTokenBucket({ client, prefix, key: randomUUID(), ratePerSecond: 5 });
    await expect(bucket.tryAcquire('1' as never)).rejects.toThrow(
      new TypeError(
        'Expected `cost` to be a finite number >= 0 and <= capacity 5, got `"1"` (string)',
      ),
    );
    await expect(bucket.adjust(Number.NaN)).rejects.toThrow(
      new RangeError('Expected `delta` to be a finite number, got `NaN` (number)'),
    );
  });
});

describe('createRedisStore bounds', () => {
  it('keeps a key usable after an adjust() of 1e18: the debt stops at one capacity', async () => {
    const store = createRedisStore({ client, prefix, outagePolicy: 'fail-closed' });
    const limiter = createRateLimiter({
      // 20 per second, so the debt outlives a slow loopback round trip on a loaded machine
      limits: { requests: { ratePerSecond: 20, capacity: 10 } },
      store,
    });
    const key = randomUUID();
    expect(await limiter.tryAcquire(key)).toBe(true);
    await limiter.adjust(key, { requests: 1e18 });
    expect(await limiter.tryAcquire(key)).toBe(false);
    // a debt of one capacity (10) plus the cost (1), at 1 per 50 ms: at most 550 ms
    const wait = await limiter.waitTimeMs(key);
    expect(wait).toBeGreaterThan(250);
    expect(wait).toBeLessThanOrEqual(550);
    expect(await limiter.tryAcquire(randomUUID())).toBe(true); // every other key still works
    await sleep(wait + 20);
    expect(await limiter.tryAcquire(key)).toBe(true);
    expect(store.stats()).toMatchObject({ state: 'available', outages: 0, scriptErrors: 0 });
  });

  it('answers with a capped wait instead of failing when a debt would take longer than Redis can express', async () => {
    const bucket = createRedisTokenBucket({
      client,
      prefix,
      key: randomUUID(),
      ratePerSecond: 1e-9,
      capacity: 1e9,
      outagePolicy: 'fail-closed',
    });
    await bucket.adjust(1e18); // -1e9 tokens refilling at 1e-12 per ms: a TTL of 2e21 ms
    expect(await bucket.tryAcquire()).toBe(false);
    expect(await bucket.waitTimeMs()).toBe(2 ** 52);
    expect(bucket.stats().store).toMatchObject({ state: 'available', outages: 0, errors: 0 });
  });
});

describe('createRedisStore keys', () => {
  /** Takes all 5 of `limiter`'s requests on `key`, and proves the next one is refused. */
  async function exhaust(limiter: ReturnType<typeof createRateLimiter>, key: string) {
    for (let i = 0; i < 5; i++) expect(await limiter.tryAcquire(key)).toBe(true);
    expect(await limiter.tryAcquire(key)).toBe(false);
  }

  it('never shares a key between limiters with other limit names, only between the same names', async () => {
    const store = createRedisStore({ client, prefix });
    const a = createRateLimiter({
      limits: { requests: { ratePerSecond: 0.01, capacity: 5 } },
      store,
    });
    const fast = { ratePerSecond: 1000, capacity: 1000 };
    const others = (
      [
        { tokens: fast },
        // the same names in another order, and names that a plain join would run together
        { requests: fast, b: fast },
        { b: fast, requests: fast },
        { 'requests,b': fast },
        { 'requests|b': fast },
      ] as Record<string, LimitOptions>[]
    ).map((limits) => createRateLimiter({ limits, store }));
    const key = randomUUID();
    await exhaust(a, key);
    await sleep(20);
    for (const other of others) {
      expect(await other.tryAcquire(key)).toBe(true);
      for (let i = 0; i < 5; i++) expect(await a.tryAcquire(key)).toBe(false);
    }
    // the same names on another store (or in another process): the same bucket
    const again = createRateLimiter({
      limits: { requests: { ratePerSecond: 0.01, capacity: 5 } },
      store: createRedisStore({ client, prefix, batchKeys: true }),
    });
    expect(await again.tryAcquire(key)).toBe(false);
    expect(await again.waitTimeMs(key)).toBeGreaterThan(90_000);

    const slow = { ratePerSecond: 0.001, capacity: 5 };
    const pair = createRateLimiter({ limits: { requests: slow, b: slow }, store });
    const key2 = randomUUID();
    await exhaust(pair, key2);
    for (const other of others.slice(2)) {
      expect(await other.tryAcquire(key2)).toBe(true);
      expect(await pair.tryAcquire(key2)).toBe(false);
    }
  });

  it('stores the buckets under prefix, kind, limit names and key, leaving a hash tag to the key', async () => {
    const limiter = createRateLimiter({
      limits: { '{gpt}': { ratePerSecond: 1, capacity: 5 }, 'a,b|c%': { ratePerSecond: 1 } },
      store: createRedisStore({ client, prefix }),
    });
    const key = `{${randomUUID()}}:user`;
    expect(await limiter.tryAcquire(key)).toBe(true);
    const stored = `${prefix}limiter:%7Bgpt%7D,a%2Cb%7Cc%25|${key}`;
    expect(await client.exists(stored)).toBe(1);
    expect(await client.exists(prefix + key)).toBe(0);
    await client.del(stored);

    // a bucket: its kind, then the key it is given
    const bucket = createRedisTokenBucket({ client, prefix, key, ratePerSecond: 1 });
    expect(await bucket.tryAcquire()).toBe(true);
    expect(await client.exists(`${prefix}bucket|${key}`)).toBe(1);
    await client.del(`${prefix}bucket|${key}`);
  });
});

describe('createRedisStore program errors', () => {
  it('rejects with RateLimitStoreError, not the outage policy, when the key holds another type', async () => {
    for (const outagePolicy of ['fail-closed', 'fail-open'] as const) {
      const store = createRedisStore({ client, prefix, outagePolicy });
      const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 10 } }, store });
      const key = randomUUID();
      await client.hset(`${prefix}limiter:requests|${key}`, 'owner', 'another program');
      const error = (await limiter.tryAcquire(key).catch((e: unknown) => e)) as RateLimitStoreError;
      expect(isRateLimitStoreError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'X_RATE_LIMIT_STORE_ERROR', reply: 'WRONGTYPE' });
      expect((error.cause as Error).message).toMatch(/^WRONGTYPE/);
      await expect(limiter.acquire(key)).rejects.toMatchObject({ reply: 'WRONGTYPE' });
      expect(await limiter.tryAcquire(randomUUID())).toBe(true);
      expect(store.stats()).toMatchObject({
        state: 'available',
        outages: 0,
        scriptErrors: 2,
        fallbackDecisions: 0,
      });
      await client.del(`${prefix}limiter:requests|${key}`);
    }
  });
});

describe('createRedisStore error text', () => {
  it("hides the client's own password that an error reply quotes bare or URL-encoded", async () => {
    const password = 's3cr3t-PASSWORD/x';
    const reply = () =>
      Promise.reject(
        Object.assign(
          new Error(`ERR auth ${password} rejected (${encodeURIComponent(password)})`),
          { name: 'ReplyError' },
        ),
      );
    // what a proxy in front of Redis, or a broken server, may answer
    const hostile = { options: { password }, evalsha: reply, eval: reply };
    const logged: unknown[] = [];
    const log = (...entry: unknown[]) => logged.push(entry);
    const logger = { debug: log, info: log, warn: log, error: log };
    const store = createRedisStore({ client: hostile, logger });
    const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 10 } }, store });
    const error = (await limiter.tryAcquire('k').catch((e: unknown) => e)) as RateLimitStoreError;
    expect(error).toMatchObject({ code: 'X_RATE_LIMIT_STORE_ERROR', reply: 'ERR' });
    const cause = error.cause as Error;
    expect(cause.message).toBe('ERR auth [redacted] rejected ([redacted])');
    const shown = [
      error.message,
      cause.message,
      cause.stack,
      JSON.stringify(error),
      JSON.stringify(logged),
      JSON.stringify(store.stats()),
    ].join('\n');
    expect(shown).not.toContain('s3cr3t');
  });
});

describe('createRedisStore unexpected replies', () => {
  it('rejects with RateLimitStoreError when the client answers something that is not the script reply', async () => {
    const odd = { evalsha: async () => 'OK', eval: async () => 'OK' };
    const store = createRedisStore({ client: odd, outagePolicy: 'fail-open' });
    const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 10 } }, store });
    await expect(limiter.tryAcquire('k')).rejects.toMatchObject({
      code: 'X_RATE_LIMIT_STORE_ERROR',
      reply: 'UNEXPECTED_REPLY',
    });
    expect(store.stats()).toMatchObject({ outages: 0, fallbackDecisions: 0 });
  });
});

describe('createRedisTokenBucket asyncDispose', () => {
  it('closes the bucket at the end of an await using block and leaves the client open', async () => {
    let seen: ReturnType<typeof createRedisTokenBucket> | undefined;
    {
      await using bucket = createRedisTokenBucket({
        client,
        prefix,
        key: randomUUID(),
        ratePerSecond: 1,
      });
      seen = bucket;
      expect(await bucket.tryAcquire()).toBe(true);
    }
    await expect(seen.tryAcquire()).rejects.toMatchObject({ code: 'X_RATE_LIMIT_CLOSED' });
    expect(await client.ping()).toBe('PONG');
  });

  it('names the Redis token bucket, not a rate limiter, in what close() rejects', async () => {
    const bucket = createRedisTokenBucket({ client, prefix, key: randomUUID(), ratePerSecond: 1 });
    expect(await bucket.tryAcquire()).toBe(true);
    const waiter = bucket.acquire(1).catch((e: unknown) => e);
    await bucket.close();
    const closed = {
      code: 'X_RATE_LIMIT_CLOSED',
      message: 'Rate limit: the Redis token bucket was closed',
    };
    expect(await waiter).toMatchObject(closed);
    for (const call of [
      () => bucket.tryAcquire(),
      () => bucket.waitTimeMs(),
      () => bucket.adjust(1),
    ]) {
      await expect(call()).rejects.toMatchObject(closed);
    }
  });
});

describe('createRedisStore program errors in a batch', () => {
  it('fails only the key that holds another type when decisions for several keys share a script call', async () => {
    const store = createRedisStore({
      client,
      prefix,
      batchKeys: true,
      outagePolicy: 'fail-closed',
    });
    const limiter = createRateLimiter({
      limits: { requests: { ratePerSecond: 0.001, capacity: 2 } },
      store,
    });
    const broken = randomUUID();
    const good = randomUUID();
    await client.hset(`${prefix}limiter:requests|${broken}`, 'owner', 'another program');
    const outcomes = await Promise.all([
      limiter.tryAcquire(good),
      limiter.tryAcquire(broken).catch((e: unknown) => e),
      limiter.tryAcquire(broken).catch((e: unknown) => e),
      limiter.tryAcquire(good),
    ]);
    expect(outcomes[0]).toBe(true);
    expect(outcomes[3]).toBe(true);
    for (const error of [outcomes[1], outcomes[2]]) {
      expect(isRateLimitStoreError(error)).toBe(true);
      expect(error).toMatchObject({ reply: 'WRONGTYPE' });
    }
    // the good key was debited once per admission (2 of its 2 tokens), never twice
    expect(await limiter.tryAcquire(good)).toBe(false);
    await expect(limiter.waitTimeMs(broken)).rejects.toMatchObject({ reply: 'WRONGTYPE' });
    await expect(limiter.adjust(broken, { requests: 1 })).rejects.toMatchObject({
      reply: 'WRONGTYPE',
    });
    expect(store.stats()).toMatchObject({ state: 'available', outages: 0, scriptErrors: 4 });
    await client.del(`${prefix}limiter:requests|${broken}`);
  });
});
