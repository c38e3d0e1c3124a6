// These tests talk to the real redis-server started by the global setup, on Redis' own clock
// (the script reads TIME): they run on real time, never with fake timers.
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { describe, expect, it } from 'vitest';
import { storeBehaviour } from './__fixtures__/store-behaviour';
import { sharedRedisClient } from './__fixtures__/test-setup';
import { createRateLimiter } from './rate-limiter';
import { createRedisStore, createRedisTokenBucket, type RedisClientLike } from './redis';

// The Redis store passes the behaviour every store must, decides in one script call per round
// trip (calls of the same tick batched), and recovers from SCRIPT FLUSH.

const client = sharedRedisClient();
const prefix = `test:${process.pid}:`;
const URL_HINT = ': a URL is not a client; pass an ioredis client made from it, `new Redis(url)`';

storeBehaviour(
  'redis',
  () => createRedisStore({ client, prefix }),
  () => `k-${randomUUID()}`,
);
storeBehaviour(
  'redis (batchKeys)',
  () => createRedisStore({ client, prefix, batchKeys: true }),
  () => `k-${randomUUID()}`,
);

/** Counts the commands a store sends, to prove one round trip per decision. */
function counting(target: Redis) {
  const counts = { evalsha: 0, eval: 0 };
  const wrapped: RedisClientLike = {
    evalsha: (...args) => {
      counts.evalsha++;
      return target.evalsha(...args);
    },
    eval: (...args) => {
      counts.eval++;
      return target.eval(...args);
    },
  };
  return { wrapped, counts };
}

describe('createRedisStore', () => {
  it('throws a TypeError when the client lacks evalsha/eval and a RangeError for an unknown policy', () => {
    expect(() => createRedisStore({ client: {} as never })).toThrow(TypeError);
    expect(() => createRedisStore({ client, outagePolicy: 'maybe' as never })).toThrow(
      new RangeError(
        'Expected `outagePolicy` to be one of "fail-open", "fail-closed", "local", got `"maybe"` (string)',
      ),
    );
    expect(() => createRedisStore({ client, localShare: 2 })).toThrow(RangeError);
  });

  it('names `outagePolicy` for the policy given as `onUnavailable`, the name of its listener', () => {
    const hint = (key: string) =>
      new TypeError(`Unknown option \`${key}\`: did you mean \`outagePolicy\`?`);
    for (const key of ['onUnavailable', 'insuranceLimiter']) {
      expect(() => createRedisStore({ client, [key]: 'local' } as never)).toThrow(hint(key));
      expect(() =>
        createRedisTokenBucket({ client, key: 'k', ratePerSecond: 1, [key]: 'local' } as never),
      ).toThrow(hint(key));
    }
  });

  it('never repeats a client given as a URL or an options object: it may hold a password', () => {
    const expected =
      'Expected `client` to be a Redis client with evalsha() and eval() (ioredis 5 or 6), got';
    expect(() => createRedisStore({ client: 'redis://u:pw-SECRET-1@h' as never })).toThrow(
      new TypeError(`${expected} \`"[redacted]"\` (string)${URL_HINT}`),
    );
    expect(() =>
      createRedisTokenBucket({
        client: { options: { password: 'pw-SECRET-1' } } as never,
        key: 'k',
        ratePerSecond: 1,
      }),
    ).toThrow(new TypeError(`${expected} an object without it`));
    expect(() => createRedisStore('redis://u:pw-SECRET-1@h' as never)).toThrow(
      new TypeError(
        `Expected \`options\` to be an object with a \`client\`, got \`"[redacted]"\` (string)${URL_HINT}`,
      ),
    );
  });

  it('shows a client given as a URL without a password, and says to make an ioredis client of it', () => {
    const expected =
      'Expected `client` to be a Redis client with evalsha() and eval() (ioredis 5 or 6), got';
    expect(() => createRedisStore({ client: 'redis://127.0.0.1:6379' as never })).toThrow(
      new TypeError(`${expected} \`"redis://127.0.0.1:6379"\` (string)${URL_HINT}`),
    );
    expect(() => createRedisStore({ client: 'rediss://cache.internal:6380/2' as never })).toThrow(
      new TypeError(`${expected} \`"rediss://cache.internal:6380/2"\` (string)${URL_HINT}`),
    );
    // A user name alone, a query or a key-shaped part may be a credential: still hidden.
    for (const url of [
      'redis://admin@127.0.0.1:6379',
      'redis://127.0.0.1:6379/?password=hunter2',
      'redis://h:6379/sk-proj-abcdefghijklmnopqrstuvwxyz0123',
    ]) {
      expect(() => createRedisStore({ client: url as never })).toThrow(
        new TypeError(`${expected} \`"[redacted]"\` (string)${URL_HINT}`),
      );
    }
  });

  it('makes each decision in exactly one round trip (one EVALSHA)', async () => {
    const { wrapped, counts } = counting(client);
    const limiter = createRateLimiter({
      limits: {
        requests: { ratePerSecond: 0.001, capacity: 2 },
        tokens: { ratePerSecond: 0.001, capacity: 100 },
      },
      store: createRedisStore({ client: wrapped, prefix }),
    });
    const key = randomUUID();
    await limiter.tryAcquire(key); // may load the script once on a fresh server
    const before = { ...counts };
    expect(await limiter.tryAcquire(key, { requests: 1, tokens: 10 })).toBe(true);
    expect(await limiter.tryAcquire(key, { requests: 1, tokens: 10 })).toBe(false);
    expect(counts.evalsha - before.evalsha).toBe(2);
    expect(counts.eval - before.eval).toBe(0);
  });

  it('decides calls made in the same tick for one key in one script call, in call order', async () => {
    const { wrapped, counts } = counting(client);
    const limiter = createRateLimiter({
      limits: { tokens: { ratePerSecond: 0.001, capacity: 10 } },
      store: createRedisStore({ client: wrapped, prefix }),
    });
    const key = randomUUID();
    await limiter.tryAcquire(key, { tokens: 0 }); // may load the script once on a fresh server
    const before = counts.evalsha;
    const costs = [4, 4, 3, 2, 1, 1];
    const results = await Promise.all(costs.map((tokens) => limiter.tryAcquire(key, { tokens })));
    // 4 + 4 fit, 3 does not (2 left), 2 fits, then nothing is left
    expect(results).toEqual([true, true, false, true, false, false]);
    expect(counts.evalsha - before).toBe(1);
    expect(limiter.stats().store).toMatchObject({ kind: 'redis' });
  });

  it('shares one stored bucket between lone decisions and batched ones for the same key', async () => {
    const { wrapped, counts } = counting(client);
    const limiter = createRateLimiter({
      limits: { tokens: { ratePerSecond: 0.001, capacity: 10 } },
      store: createRedisStore({ client: wrapped, prefix }),
    });
    const key = randomUUID();
    expect(await limiter.tryAcquire(key, { tokens: 4 })).toBe(true); // alone: its own script
    const before = counts.evalsha;
    // one batch: 4 fit (2 left), 3 does not
    expect(
      await Promise.all([
        limiter.tryAcquire(key, { tokens: 4 }),
        limiter.tryAcquire(key, { tokens: 3 }),
      ]),
    ).toEqual([true, false]);
    expect(counts.evalsha - before).toBe(1);
    expect(await limiter.tryAcquire(key, { tokens: 3 })).toBe(false); // alone again
    expect(await limiter.tryAcquire(key, { tokens: 2 })).toBe(true);
    expect(await limiter.waitTimeMs(key, { tokens: 1 })).toBeGreaterThan(900_000);
    await limiter.adjust(key, { tokens: -5 });
    expect(await limiter.tryAcquire(key, { tokens: 5 })).toBe(true);
    expect(await limiter.tryAcquire(key, { tokens: 1 })).toBe(false);
  });

  it('decides calls for different keys in one script call with batchKeys', async () => {
    const { wrapped, counts } = counting(client);
    const limiter = createRateLimiter({
      limits: { requests: { ratePerSecond: 0.001, capacity: 2 } },
      store: createRedisStore({ client: wrapped, prefix, batchKeys: true }),
    });
    await limiter.tryAcquire(randomUUID(), { requests: 0 }); // may load the script once
    const before = counts.evalsha;
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const results = await Promise.all([a, b, a, c, a, b].map((key) => limiter.tryAcquire(key)));
    expect(results).toEqual([true, true, true, true, false, true]);
    expect(counts.evalsha - before).toBe(1);
  });

  it('writes nothing when it rejects, and lets an idle key expire when it would be full', async () => {
    const limiter = createRateLimiter({
      limits: { requests: { ratePerSecond: 1, capacity: 2 } },
      store: createRedisStore({ client, prefix }),
    });
    const key = randomUUID();
    await limiter.tryAcquire(key, { requests: 2 });
    const before = await client.getBuffer(`${prefix}limiter:requests|${key}`);
    expect(await limiter.tryAcquire(key, { requests: 2 })).toBe(false);
    expect(before).not.toBeNull();
    expect(await client.getBuffer(`${prefix}limiter:requests|${key}`)).toEqual(before);
    // full again in 2000 ms; the TTL adds one full refill (2000 ms) and 2 ms
    const ttl = await client.pttl(`${prefix}limiter:requests|${key}`);
    expect(ttl).toBeGreaterThan(2000);
    expect(ttl).toBeLessThanOrEqual(4002);
  });

  it('refills below one second on the server clock (predicted waits of a fraction of a second)', async () => {
    const limiter = createRateLimiter({
      limits: { requests: { ratePerSecond: 4, capacity: 1 } },
      store: createRedisStore({ client, prefix }),
    });
    const key = randomUUID();
    await limiter.acquire(key);
    const wait = await limiter.waitTimeMs(key);
    expect(wait).toBeGreaterThan(150);
    expect(wait).toBeLessThanOrEqual(250);
  });

  it('recovers after SCRIPT FLUSH by loading the script again', async () => {
    const { wrapped, counts } = counting(client);
    const store = createRedisStore({ client: wrapped, prefix });
    const limiter = createRateLimiter({
      limits: { requests: { ratePerSecond: 0.001, capacity: 3 } },
      store,
    });
    const key = randomUUID();
    expect(await limiter.tryAcquire(key)).toBe(true);
    await client.script('FLUSH');
    const reloadsBefore = store.stats().scriptReloads;
    expect(await limiter.tryAcquire(key)).toBe(true);
    expect(store.stats().scriptReloads).toBe(reloadsBefore + 1);
    expect(counts.eval).toBeGreaterThanOrEqual(1);
    const evalBefore = counts.eval;
    expect(await limiter.tryAcquire(key)).toBe(true);
    expect(counts.eval).toBe(evalBefore); // back to EVALSHA
    expect(await limiter.tryAcquire(key)).toBe(false); // state survived the flush
    expect(store.stats()).toMatchObject({ state: 'available', outages: 0 });
  });
});
