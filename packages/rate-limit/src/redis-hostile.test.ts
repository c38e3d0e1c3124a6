// Real clock throughout: each test runs its own redis-server and makes it misbehave (a rotated
// password, a busy script, no memory, a replica), which would disturb the tests sharing the
// global one.
import { randomUUID } from 'node:crypto';
import { errorTexts } from '@x/internal/testing';
import Redis from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { redisPerTest } from '../../../scripts/testing/redis-per-test';
import { freePort } from '../../../scripts/testing/redis-server';
import { isRateLimitStoreUnavailableError } from './errors';
import { createRateLimiter } from './rate-limiter';
import { createRedisStore, type RedisUnavailableEvent } from './redis';

const { server, afterTest } = redisPerTest();

function connect(url: string): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  afterTest(() => client.disconnect());
  return client;
}

/** A fail-closed limiter on `client`, and the outage events of its store. */
function limiterOn(client: Redis) {
  // Redis's own error must arrive before the decision times out, also on a loaded machine (a
  // BUSY reply waits for the script's next check of its clients).
  const store = createRedisStore({
    client,
    outagePolicy: 'fail-closed',
    probeIntervalMs: 0,
    decisionTimeoutMs: 3_000,
  });
  const limiter = createRateLimiter({
    limits: { requests: { ratePerSecond: 100, capacity: 100 } },
    store,
  });
  afterTest(() => limiter.close());
  const outages: RedisUnavailableEvent[] = [];
  store.onUnavailable((event) => outages.push(event));
  return { store, limiter, outages };
}

describe('createRedisStore when Redis misbehaves', () => {
  it('applies the policy and names WRONGPASS, without the password, once the password is rotated away', async () => {
    const secret = 'hunter2-rotated-away';
    const redis = await server();
    const admin = connect(redis.url);
    await admin.config('SET', 'requirepass', secret);
    await admin.auth(secret);
    const client = connect(`redis://:${secret}@127.0.0.1:${redis.port}`);
    await client.ping();
    const { store, limiter, outages } = limiterOn(client);
    const recovered: unknown[] = [];
    store.onRecovered((event) => recovered.push(event));
    // The password is rotated and the connection dropped: ioredis reconnects with the old one.
    await admin.config('SET', 'requirepass', 'the-new-password');
    await admin.client('KILL', 'TYPE', 'NORMAL');

    // The first failure may be the dropped connection; the refused AUTH follows it.
    await vi.waitFor(
      async () => {
        expect(await limiter.tryAcquire(randomUUID())).toBe(false);
        expect(store.stats().outageError).toBe('WRONGPASS');
      },
      { timeout: 5_000 },
    );
    const errors = [await limiter.acquire(randomUUID()).catch((e: unknown) => e)];
    expect(isRateLimitStoreUnavailableError(errors[0])).toBe(true);
    expect(outages).toHaveLength(1);
    expect(recovered).toEqual([]);
    const texts = [JSON.stringify(outages), JSON.stringify(store.stats()), ...errorTexts(errors)];
    expect(texts.join('\n')).toContain('WRONGPASS');
    expect(texts.join('\n')).not.toContain(secret);
  });

  it('names the Redis error (BUSY, OOM, READONLY) in the unavailable event when Redis cannot decide', async () => {
    const redis = await server();
    const admin = connect(redis.url);
    const { limiter, outages } = limiterOn(connect(redis.url));
    const decide = () => limiter.tryAcquire(randomUUID());

    // BUSY: another client's script runs past busy-reply-threshold.
    await admin.config('SET', 'busy-reply-threshold', '20');
    const busy = connect(redis.url);
    await busy.ping();
    const looping = busy.eval('while true do end', 0).catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await decide()).toBe(false);
    await admin.script('KILL');
    await looping;
    // a fail-closed store starts a key Redis does not hold from what it refilled since the
    // outage began (redis-script.ts): a new key has a token 10 ms after it
    await vi.waitFor(async () => expect(await decide()).toBe(true));

    // OOM: maxmemory reached with noeviction; an admitted take has to write.
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    await admin.config('SET', 'maxmemory', '1');
    expect(await decide()).toBe(false);
    await admin.config('SET', 'maxmemory', '0');
    await vi.waitFor(async () => expect(await decide()).toBe(true));

    // READONLY: the server became a replica (of a master that does not answer).
    await admin.replicaof('127.0.0.1', String(await freePort()));
    expect(await decide()).toBe(false);
    await admin.replicaof('NO', 'ONE');

    expect(outages.map((event) => event.error)).toEqual(['BUSY', 'OOM', 'READONLY']);
  });
});
