import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { endianness } from 'node:os';
import { fileURLToPath } from 'node:url';
import Redis from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { startRedisServer } from '../../../scripts/testing/redis-server';
import { storeBehaviour } from './__fixtures__/store-behaviour';
import { isRateLimitStoreUnavailableError, isRateLimitTimeoutError } from './errors';
import { ONE_LIMIT_TAKE, TOKEN_BUCKET } from './internal/redis-script';
import { createRateLimiter } from './rate-limiter';
import { createRedisStore, createRedisTokenBucket, type RedisClientLike } from './redis';

let client: Redis;
const prefix = `test:${process.pid}:`;

beforeAll(() => {
  client = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  await client.quit();
});

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
    expect(() => createRedisStore({ client, onUnavailable: 'maybe' as never })).toThrow(
      new RangeError(
        'Expected `onUnavailable` to be one of "fail-open", "fail-closed", "local", got `"maybe"` (string)',
      ),
    );
    expect(() => createRedisStore({ client, localShare: 2 })).toThrow(RangeError);
  });

  it('never repeats a client given as a URL or an options object: it may hold a password', () => {
    const expected =
      'Expected `client` to be a Redis client with evalsha() and eval() (ioredis 5 or 6), got';
    expect(() => createRedisStore({ client: 'redis://u:pw-SECRET-1@h' as never })).toThrow(
      new TypeError(`${expected} \`"[redacted]"\` (string)`),
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
        'Expected `options` to be an object with a `client`, got `"[redacted]"` (string)',
      ),
    );
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

describe('createRedisTokenBucket', () => {
  it('waits for the time the script says, and rejects at once when that exceeds timeoutMs', async () => {
    const bucket = createRedisTokenBucket({
      client,
      prefix,
      key: randomUUID(),
      ratePerSecond: 20,
      capacity: 2,
    });
    expect(await bucket.tryAcquire(2)).toBe(true);
    const error = await bucket.acquire(2, { timeoutMs: 20 }).catch((e: unknown) => e);
    expect(isRateLimitTimeoutError(error)).toBe(true);
    expect((error as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(20);
    await bucket.acquire(1, { timeoutMs: 5_000 });
    await bucket.acquire(1);
    expect(bucket.stats()).toMatchObject({ admitted: 3, timedOut: 1, queued: 0 });
    expect(bucket.stats().waited).toBeGreaterThanOrEqual(1);
  });

  it('never lets four worker processes sharing one limit exceed it in any window', async () => {
    const key = `shared-${randomUUID()}`;
    const rate = 40;
    const capacity = 5;
    const worker = fileURLToPath(new URL('./__fixtures__/redis-worker.ts', import.meta.url));
    type Report = { admitted: [number, number][]; calls: number };
    const children = Array.from({ length: 4 }, () =>
      fork(worker, [], {
        execArgv: ['--import', 'tsx'],
        env: {
          ...process.env,
          REDIS_URL: inject('redisUrl'),
          BUCKET_KEY: `${prefix}${key}`,
          RATE: String(rate),
          CAPACITY: String(capacity),
          DURATION_MS: '1200',
        },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    const killer = setTimeout(() => {
      for (const child of children) child.kill('SIGKILL');
    }, 20_000);
    try {
      await Promise.all(
        children.map((child) => new Promise((resolve) => child.once('message', resolve))),
      );
      const reports = Promise.all(
        children.map(
          (child) =>
            new Promise<Report>((resolve, reject) => {
              child.once('message', (m) => resolve(m as Report));
              child.once('exit', (code) =>
                reject(new Error(`worker exited with ${code} before reporting`)),
              );
            }),
        ),
      );
      for (const child of children) child.send('go');
      const results = await reports;
      const admitted = results.flatMap((r) => r.admitted).sort((a, b) => a[0] - b[0]);
      expect(results.every((r) => r.admitted.length > 0)).toBe(true);
      // Each decision happened inside its [sent, received]; any admissions wholly inside a window
      // [t1, t2] were decided inside it, so they must fit capacity + rate * (t2 - t1).
      for (const [t1] of admitted) {
        for (const [, t2] of admitted) {
          if (t2 <= t1) continue;
          const inside = admitted.filter(([s, r]) => s >= t1 && r <= t2).length;
          expect(inside).toBeLessThanOrEqual(capacity + (rate * (t2 - t1)) / 1000 + 1e-6);
        }
      }
      const span = (admitted.at(-1)![1] - admitted[0]![0]) / 1000;
      expect(admitted.length).toBeLessThanOrEqual(capacity + rate * span);
      // and the limit was actually used, not just respected
      expect(admitted.length).toBeGreaterThan(rate * span * 0.5);
    } finally {
      clearTimeout(killer);
      for (const child of children) if (child.exitCode === null) child.kill();
    }
  });
});

describe('outage policies', () => {
  let server: Awaited<ReturnType<typeof startRedisServer>>;
  let own: Redis;

  beforeAll(async () => {
    server = await startRedisServer();
    // maxRetriesPerRequest: null queues commands until Redis is back: any decision made during
    // the outage can only come from the decision timeout.
    own = new Redis(server.url, { maxRetriesPerRequest: null, retryStrategy: () => 20 });
    own.on('error', () => {}); // reconnect errors are expected while the server is down
  });
  afterAll(async () => {
    own.disconnect();
    await server.stop();
  });

  /**
   * Stops Redis and waits until the client has seen its connection close. A take sent before then
   * goes out on the dying socket, and a take in flight when a connection closes is decided at once
   * by the outage policy (reason `error`); after it, takes queue and only the decision timeout
   * decides (reason `timeout`), which is what these tests look at.
   */
  const stopRedis = async () => {
    await server.stop();
    await vi.waitFor(() => expect(own.status).not.toBe('ready'));
  };

  it('applies fail-open, fail-closed and local within the decision timeout, then recovers', async () => {
    const make = (onUnavailable: 'fail-open' | 'fail-closed' | 'local') => {
      const store = createRedisStore({
        client: own,
        prefix,
        onUnavailable,
        decisionTimeoutMs: 100,
        localShare: 0.5,
        probeIntervalMs: 50,
      });
      const limiter = createRateLimiter({
        limits: { requests: { ratePerSecond: 0.001, capacity: 4 } },
        store,
      });
      return { store, limiter };
    };
    const open = make('fail-open');
    const closed = make('fail-closed');
    const local = make('local');
    const events: unknown[] = [];
    open.store.onUnavailable((e) => events.push(e));
    const recovered: unknown[] = [];
    open.store.onRecovered((e) => recovered.push(e));
    const key = randomUUID();
    expect(await open.limiter.tryAcquire(key, { requests: 4 })).toBe(true);
    expect(await open.limiter.tryAcquire(key)).toBe(false);

    await stopRedis();

    // fail-open admits even an exhausted key
    expect(await open.limiter.tryAcquire(key)).toBe(true);
    expect(events).toEqual([{ policy: 'fail-open', reason: 'timeout', error: undefined }]);
    expect(open.store.stats()).toMatchObject({
      state: 'unavailable',
      outages: 1,
      fallbackDecisions: 1,
      timeouts: 1,
    });
    // fail-closed admits nothing
    expect(await closed.limiter.tryAcquire(randomUUID())).toBe(false);
    const error = await closed.limiter.acquire(randomUUID()).catch((e: unknown) => e);
    expect(isRateLimitStoreUnavailableError(error)).toBe(true);
    expect(closed.limiter.stats().store).toMatchObject({
      policy: 'fail-closed',
      state: 'unavailable',
    });
    // local admits from half of the limit (capacity 4 * 0.5)
    const localKey = randomUUID();
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await local.limiter.tryAcquire(localKey));
    expect(results).toEqual([true, true, false]);
    expect(local.store.stats()).toMatchObject({ policy: 'local', state: 'unavailable' });

    await server.restart();
    let state = open.store.stats().state;
    for (let i = 0; i < 200 && state !== 'available'; i++) {
      await new Promise((r) => setTimeout(r, 25));
      await open.limiter.tryAcquire(randomUUID());
      state = open.store.stats().state;
    }
    expect(state).toBe('available');
    expect(recovered).toHaveLength(1);
    expect(recovered[0]).toMatchObject({ policy: 'fail-open', downMs: expect.any(Number) });
  });

  it('sends the corrections made while Redis was unreachable once it answers again', async () => {
    for (const onUnavailable of ['fail-open', 'fail-closed', 'local'] as const) {
      const store = createRedisStore({
        client: own,
        prefix,
        onUnavailable,
        decisionTimeoutMs: 100,
        probeIntervalMs: 300,
      });
      const limiter = createRateLimiter({
        limits: { tokens: { ratePerSecond: 1, capacity: 5 } },
        store,
      });
      const key = randomUUID();
      await stopRedis();
      // the first call times out and starts the outage; the correction is then not sent at all
      await limiter.tryAcquire(key).catch(() => false);
      expect(store.stats().state).toBe('unavailable');
      await limiter.adjust(key, { tokens: 10 });
      await server.restart();
      await new Promise((r) => setTimeout(r, 350));
      // the next decision reaches Redis, and the held correction follows it
      let state = store.stats().state;
      for (let i = 0; i < 100 && state !== 'available'; i++) {
        await limiter.tryAcquire(randomUUID()).catch(() => false);
        state = store.stats().state;
        if (state !== 'available') await new Promise((r) => setTimeout(r, 25));
      }
      expect(state).toBe('available');
      await vi.waitFor(async () => expect(await limiter.waitTimeMs(key)).toBeGreaterThan(4_000), {
        timeout: 2_000,
      });
      expect(await limiter.tryAcquire(key)).toBe(false);
    }
  });

  it('keeps deciding, by the local policy, while Redis stops in the middle of a run', async () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const until = async (condition: () => boolean) => {
      for (let i = 0; i < 400 && !condition(); i++) await sleep(25);
      expect(condition()).toBe(true);
    };
    const store = createRedisStore({
      client: own,
      prefix,
      onUnavailable: 'local',
      localShare: 1,
      decisionTimeoutMs: 100,
      probeIntervalMs: 50,
    });
    const limiter = createRateLimiter({
      limits: { requests: { ratePerSecond: 10_000, capacity: 10_000 } },
      store,
    });
    let running = true;
    const outcomes: boolean[] = [];
    const loop = (async () => {
      while (running) {
        outcomes.push(await limiter.tryAcquire('mid-run'));
        await sleep(5);
      }
    })();
    await until(() => store.stats().decisions >= 3);
    await server.stop();
    await until(() => store.stats().fallbackDecisions >= 5);
    await server.restart();
    await until(() => store.stats().state === 'available');
    running = false;
    await loop;
    expect(outcomes.every(Boolean)).toBe(true);
    expect(store.stats()).toMatchObject({ outages: 1, state: 'available' });
  });
});

describe('decision timeout', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A client whose replies the test releases by hand; `hang` leaves them pending forever. */
  function scriptedClient() {
    const calls: { resolve: (reply: unknown) => void }[] = [];
    let hang = true;
    const client: RedisClientLike = {
      evalsha: () =>
        new Promise((resolve) => {
          if (hang) calls.push({ resolve });
          else resolve([0]);
        }),
      eval: () => Promise.resolve([0]),
    };
    return {
      client,
      calls,
      recover: () => {
        hang = false;
      },
    };
  }

  it('applies the policy exactly when decisionTimeoutMs passes, then probes once per interval', async () => {
    vi.useFakeTimers();
    const fake = scriptedClient();
    const store = createRedisStore({
      client: fake.client,
      onUnavailable: 'fail-closed',
      decisionTimeoutMs: 250,
      probeIntervalMs: 1000,
    });
    const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 1 } }, store });
    let result: boolean | undefined;
    void limiter.tryAcquire('k').then((v) => {
      result = v;
    });
    await vi.advanceTimersByTimeAsync(249);
    expect(result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(result).toBe(false);
    expect(store.stats()).toMatchObject({
      state: 'unavailable',
      timeouts: 1,
      fallbackDecisions: 1,
    });
    // during the probe interval the policy decides without asking Redis
    expect(await limiter.tryAcquire('k')).toBe(false);
    expect(fake.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    fake.recover();
    expect(await limiter.tryAcquire('k')).toBe(true);
    expect(store.stats()).toMatchObject({ state: 'available', outages: 1, decisions: 1 });
  });

  it('gives back the tokens of a reply that arrives after the policy decided', async () => {
    vi.useFakeTimers();
    const fake = scriptedClient();
    const adjustments: unknown[][] = [];
    const client: RedisClientLike = {
      evalsha: (...args) => {
        if (args[3] === 'adjust') {
          adjustments.push(args);
          return Promise.resolve([0]);
        }
        return fake.client.evalsha(...args);
      },
      eval: fake.client.eval,
    };
    const store = createRedisStore({ client, onUnavailable: 'fail-open', decisionTimeoutMs: 100 });
    const limiter = createRateLimiter({
      limits: { tokens: { ratePerSecond: 10, capacity: 50 } },
      store,
    });
    const pending = limiter.tryAcquire('k', { tokens: 7 });
    await vi.advanceTimersByTimeAsync(100);
    expect(await pending).toBe(true); // fail-open
    fake.calls[0]!.resolve([0]); // Redis admitted it after all
    await vi.advanceTimersByTimeAsync(0);
    expect(adjustments).toHaveLength(1);
    // mode, limits, spec (rate, capacity), then one request of -7 for the one key, then the
    // call's id, which Redis records so that the refund, if sent again, is applied once
    expect(adjustments[0]!.slice(3, 9)).toEqual(['adjust', 1, '0.01', '50', 1, -7]);
    expect(adjustments[0]!.slice(9)).toEqual([expect.stringMatching(/^[\w-]{8}$/)]);
  });

  it('gives nothing back for a late reply that is not the script reply', async () => {
    vi.useFakeTimers();
    const fake = scriptedClient();
    const adjustments: unknown[][] = [];
    const client: RedisClientLike = {
      evalsha: (...args) => {
        if (args[3] === 'adjust') {
          adjustments.push(args);
          return Promise.resolve([0]);
        }
        return fake.client.evalsha(...args);
      },
      eval: fake.client.eval,
    };
    const store = createRedisStore({ client, onUnavailable: 'fail-open', decisionTimeoutMs: 100 });
    const limiter = createRateLimiter({
      limits: { tokens: { ratePerSecond: 10, capacity: 50 } },
      store,
    });
    for (const late of [[null], [''], [[0]], ['0']]) {
      const pending = limiter.tryAcquire('k', { tokens: 7 });
      await vi.advanceTimersByTimeAsync(100);
      expect(await pending).toBe(true); // fail-open
      fake.calls.shift()!.resolve(late); // nothing says Redis admitted it
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(adjustments).toEqual([]);
  });
});
