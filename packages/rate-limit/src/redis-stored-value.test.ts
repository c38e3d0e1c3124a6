import { randomUUID } from 'node:crypto';
import { endianness } from 'node:os';
import { describe, expect, it } from 'vitest';
import { sharedRedisClient } from './__fixtures__/test-setup';
import { ONE_LIMIT_TAKE, TOKEN_BUCKET } from './internal/redis-script';
import { createRateLimiter } from './rate-limiter';
import { createRedisStore, createRedisTokenBucket } from './redis';

// What the scripts store in Redis (the buckets' doubles and kept-until) and the TTL they set,
// read back from the real redis-server on its own clock.

const client = sharedRedisClient();
const prefix = `test:${process.pid}:`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A stored bucket's doubles; Lua's struct packs them in the server's byte order (this machine's). */
async function stored(key: string): Promise<number[]> {
  const value = await client.getBuffer(key);
  if (value === null) throw new Error(`no value at ${key}`);
  const le = endianness() === 'LE';
  return Array.from({ length: value.length / 8 }, (_, i) =>
    le ? value.readDoubleLE(i * 8) : value.readDoubleBE(i * 8),
  );
}

/** The whole ms the scripts ask Redis to keep a key for: the deficit plus the longest full refill. */
const keptFor = (deficitMs: number, fullRefillMs: number) => Math.ceil(deficitMs + fullRefillMs);

describe('stored value and TTL', () => {
  it('keeps a one-limit key one full refill past its deficit, and sets its TTL again only when the deficit outgrows it', async () => {
    const key = randomUUID();
    // 10 per second (0.01 per ms), capacity 10: one token refills in 100 ms, all of them in 1000
    const bucket = createRedisTokenBucket({ client, prefix, key, ratePerSecond: 10, capacity: 10 });
    const at = `${prefix}bucket|${key}`;
    const [s, us] = await client.time();
    const before = Number(s) * 1000 + Number(us) / 1000;
    expect(await bucket.tryAcquire(1)).toBe(true);
    const first = await stored(at);
    expect(first).toHaveLength(3); // last refill, kept-until, tokens
    const [last, kept, tokens] = first as [number, number, number];
    expect(last).toBeGreaterThanOrEqual(before);
    expect(tokens).toBe(9);
    expect(kept - last).toBeCloseTo(keptFor(100, 1000), 3);
    const expiry = await client.pexpiretime(at);
    // Redis counts PX from a whole ms at most 1 ms before `now`: the key outlives kept-until
    expect(expiry).toBeGreaterThan(kept);
    expect(expiry).toBeLessThanOrEqual(kept + 3);
    const ttl = await client.pttl(at);
    expect(ttl).toBeGreaterThan(1000);
    expect(ttl).toBeLessThanOrEqual(1102);

    // full again 200 ms from now, long before kept-until: the TTL stays as it was
    expect(await bucket.tryAcquire(1)).toBe(true);
    const second = await stored(at);
    expect(second[1]).toBe(kept);
    expect(second[2]).toBeLessThan(9);
    expect(await client.pexpiretime(at)).toBe(expiry);
    expect(await client.pttl(at)).toBeLessThanOrEqual(ttl);

    // refilled by then; taking all 10 leaves a deficit of 1000 ms, past kept-until: a new TTL
    await sleep(300);
    expect(await bucket.tryAcquire(10)).toBe(true);
    const [last3, kept3, tokens3] = (await stored(at)) as [number, number, number];
    expect(tokens3).toBe(0);
    expect(last3 + 1000).toBeGreaterThan(kept);
    expect(kept3 - last3).toBeCloseTo(keptFor(1000, 1000), 3);
    const expiry3 = await client.pexpiretime(at);
    expect(expiry3).toBeGreaterThan(kept3);
    expect(expiry3).toBeGreaterThan(expiry);
  });

  it('does the same for several limits (the longest full refill) and for adjust()', async () => {
    const limiter = createRateLimiter({
      limits: {
        // full refills: 1000 ms and 10 000 ms
        requests: { ratePerSecond: 10, capacity: 10 },
        tokens: { ratePerSecond: 100, capacity: 1000 },
      },
      store: createRedisStore({ client, prefix }),
    });
    const key = randomUUID();
    const deficit = ([, , requests, tokens]: number[]) =>
      Math.max((10 - requests!) / 0.01, (1000 - tokens!) / 0.1);
    expect(await limiter.tryAcquire(key, { requests: 1, tokens: 100 })).toBe(true);
    const first = await stored(`${prefix}limiter:requests,tokens|${key}`);
    expect(first).toHaveLength(4); // last refill, kept-until, one number per limit
    expect(first.slice(2)).toEqual([9, 900]);
    // deficits of 100 and 1000 ms; one full refill of the slower limit
    expect(first[1]! - first[0]!).toBeCloseTo(keptFor(1000, 10_000), 3);
    const expiry = await client.pexpiretime(`${prefix}limiter:requests,tokens|${key}`);
    expect(expiry).toBeGreaterThan(first[1]!);
    expect(await client.pttl(`${prefix}limiter:requests,tokens|${key}`)).toBeGreaterThan(10_000);

    expect(await limiter.tryAcquire(key, { requests: 1, tokens: 100 })).toBe(true);
    const second = await stored(`${prefix}limiter:requests,tokens|${key}`);
    expect(second[1]).toBe(first[1]);
    expect(await client.pexpiretime(`${prefix}limiter:requests,tokens|${key}`)).toBe(expiry);

    // a debt: 1500 tokens more makes the deficit about 17 000 ms, past kept-until
    await limiter.adjust(key, { tokens: 1500 });
    const third = await stored(`${prefix}limiter:requests,tokens|${key}`);
    expect(third[3]).toBeLessThan(-650);
    expect(third[0]! + deficit(third)).toBeGreaterThan(first[1]!);
    expect(third[1]! - third[0]!).toBeCloseTo(keptFor(deficit(third), 10_000), 3);
    const expiry3 = await client.pexpiretime(`${prefix}limiter:requests,tokens|${key}`);
    expect(expiry3).toBeGreaterThan(third[1]!);
    expect(expiry3).toBeGreaterThan(expiry);

    // a refund that the kept TTL covers keeps it
    await limiter.adjust(key, { tokens: -100 });
    expect((await stored(`${prefix}limiter:requests,tokens|${key}`))[1]).toBe(third[1]);
    expect(await client.pexpiretime(`${prefix}limiter:requests,tokens|${key}`)).toBe(expiry3);
  });

  it("deletes a key whose buckets end full (keeping only a recent refund's record), and lets an idle key expire soon after it is full", async () => {
    // 1 per ms, capacity 2: full again 1 ms after taking one; the TTL is 3 + 2 ms
    const fast = randomUUID();
    const bucket = createRedisTokenBucket({
      client,
      prefix,
      key: fast,
      ratePerSecond: 1000,
      capacity: 2,
    });
    expect(await bucket.tryAcquire(1)).toBe(true);
    await sleep(50);
    expect(await client.exists(`${prefix}bucket|${fast}`)).toBe(0);

    const limiter = createRateLimiter({
      limits: {
        requests: { ratePerSecond: 0.001, capacity: 2 },
        tokens: { ratePerSecond: 0.001, capacity: 10 },
      },
      store: createRedisStore({ client, prefix }),
    });
    const key = randomUUID();
    expect(await limiter.tryAcquire(key, { requests: 1, tokens: 4 })).toBe(true);
    await limiter.adjust(key, { tokens: -4 }); // one limit is full again, the other is not
    expect(await client.exists(`${prefix}limiter:requests,tokens|${key}`)).toBe(1);
    // Both full: the key equals a missing one, and is kept only for the record of the refund's
    // id, 15 s, not for the refill it no longer needs (redis-resend.test.ts: a refund sent again)
    await limiter.adjust(key, { requests: -1 });
    const ttl = await client.pttl(`${prefix}limiter:requests,tokens|${key}`);
    expect(ttl).toBeGreaterThan(14_000);
    expect(ttl).toBeLessThanOrEqual(15_002);
    expect(await limiter.tryAcquire(key, { requests: 2, tokens: 10 })).toBe(true);
  });

  it('sets the TTL on every write where Redis has no KEEPTTL (Redis 5: no redis.setresp either)', async () => {
    // the scripts as Redis 5 runs them: no redis.setresp
    const redis5 = (source: string) =>
      `local redis = { call = redis.call, pcall = redis.pcall }\n${source}`;
    for (const [source, args] of [
      [ONE_LIMIT_TAKE.source, ['0.01', '10', '1']],
      [TOKEN_BUCKET.source, ['take', '1', '0.01', '10', '1', '1']],
    ] as const) {
      const key = prefix + randomUUID();
      await client.eval(redis5(source), 1, key, ...args);
      const kept = (await stored(key))[1]!;
      const expiry = await client.pexpiretime(key);
      await client.eval(redis5(source), 1, key, ...args);
      // full again 100 ms later than after the first debit: kept-until and the TTL move with it
      const kept2 = (await stored(key))[1]!;
      const expiry2 = await client.pexpiretime(key);
      expect(kept2).toBeGreaterThan(kept + 50);
      expect(expiry2).toBeGreaterThan(expiry + 50);
      // the scripts as they are keep that TTL for the same debit
      await client.eval(source, 1, key, ...args);
      expect((await stored(key))[1]).toBe(kept2);
      expect(await client.pexpiretime(key)).toBe(expiry2);
    }
  });
});
