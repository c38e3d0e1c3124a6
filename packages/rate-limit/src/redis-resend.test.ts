// A script call Redis ran whose reply was lost: a proxy in front of the global redis-server drops
// the reply and cuts the connection, and ioredis reconnects and sends the call again. Real clock
// throughout (the scripts read Redis' clock); the rates below refill nothing during a test.
import { randomUUID } from 'node:crypto';
import { type ReplyDropProxy, startReplyDropProxy } from '@x/internal/testing';
import { Redis, type RedisOptions } from 'ioredis';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { ONE_LIMIT_TAKE, TOKEN_BUCKET } from './internal/redis-script';
import { createRedisTokenBucket, type RedisTokenBucket } from './redis';

const target = new URL(inject('redisUrl'));
const prefix = `test-resend:${process.pid}:`;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function connect(url: string, options: RedisOptions = {}): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: 1, ...options });
  client.on('error', () => {});
  cleanups.push(() => client.disconnect());
  return client;
}

/** A bucket of 20 that never refills, used through a proxy that can drop one reply. */
async function bucketBehindProxy(
  options: RedisOptions = {},
  probeIntervalMs?: number,
): Promise<{ proxy: ReplyDropProxy; bucket: RedisTokenBucket }> {
  const proxy = await startReplyDropProxy(Number(target.port));
  cleanups.push(() => proxy.close());
  // reconnects 20 ms after the reset; the call without a reply is sent again then, by default
  const client = connect(proxy.url, { retryStrategy: () => 20, ...options });
  const bucket = createRedisTokenBucket({
    client,
    prefix,
    key: randomUUID(),
    ratePerSecond: 0.001,
    capacity: 20,
    probeIntervalMs,
  });
  cleanups.push(() => bucket.close());
  await bucket.waitTimeMs(); // loads the script that adjusts: a NOSCRIPT runs nothing
  return { proxy, bucket };
}

/** How many of `count` one-token decisions, made together, the bucket admits. */
async function admitted(bucket: RedisTokenBucket, count: number): Promise<number> {
  const results = await Promise.all(Array.from({ length: count }, () => bucket.tryAcquire(1)));
  return results.filter(Boolean).length;
}

describe('a Redis script call sent again after a lost reply', () => {
  it('gives an adjust() refund back once when ioredis sends it again', async () => {
    const { proxy, bucket } = await bucketBehindProxy();
    expect(await bucket.tryAcquire(20)).toBe(true);
    const dropped = proxy.dropReplyTo('adjust');
    await bucket.adjust(-5);
    await dropped;
    expect(proxy.connections()).toBe(2);
    // Applied twice, the refund let 10 calls through instead of 5: more than the shared limit.
    expect(await admitted(bucket, 10)).toBe(5);
    expect(bucket.stats().store).toMatchObject({ state: 'available', errors: 0 });
  });

  it('gives the tokens of a reply that came after the policy decided back once when the refund is sent again', async () => {
    // every decision asks Redis, even right after a timeout
    const { proxy, bucket } = await bucketBehindProxy({}, 0);
    const admin = connect(target.href);
    expect(await bucket.tryAcquire(12)).toBe(true);
    // Writes wait 600 ms: the take times out (250 ms), the policy decides, then Redis admits it
    // and the store gives its 4 tokens back; that refund's reply is lost, and it is sent again.
    await admin.client('PAUSE', 600, 'WRITE');
    const dropped = proxy.dropReplyTo('adjust');
    expect(await bucket.tryAcquire(4)).toBe(true); // the local policy's share
    await dropped;
    await vi.waitFor(() => expect(proxy.connections()).toBe(2));
    await bucket.waitTimeMs(); // sent after the refund, so answered after it
    // 20 - 12 - 4 + 4: twice, the refund made it 12
    expect(await admitted(bucket, 16)).toBe(8);
  });

  it('gives a refund back once when it failed after Redis ran it and the store sends it again', async () => {
    const { proxy, bucket } = await bucketBehindProxy({ retryStrategy: () => 50 }, 0);
    expect(await bucket.tryAcquire(20)).toBe(true);
    const dropped = proxy.dropReplyTo('adjust');
    const adjusted = bucket.adjust(-5);
    await dropped;
    // Redis is unreachable for two reconnections: ioredis fails the call (maxRetriesPerRequest),
    // and the store holds the refund, with its id, since Redis may have run it (it did).
    await proxy.refuse();
    await adjusted;
    expect(bucket.stats().store).toMatchObject({ state: 'unavailable', errors: 1 });
    await proxy.accept();
    // the next decision reaches Redis, and the held refund is sent right after it
    expect(await bucket.tryAcquire(0)).toBe(true);
    expect(bucket.stats().store).toMatchObject({ state: 'available' });
    await bucket.waitTimeMs();
    // Summed and sent without its id, as before, it was applied twice: 10 calls got through.
    expect(await admitted(bucket, 10)).toBe(5);
  });

  it('keeps the record of an adjust through later takes, so the adjust sent again is still a no-op', async () => {
    const client = connect(target.href);
    const key = prefix + randomUUID();
    const spec = ['0.000001', '20']; // rate (per ms), capacity: no refill during the test
    const adjust = [key, 'adjust', 1, ...spec, 1, -5, 'call-id1'];
    expect(await client.eval(ONE_LIMIT_TAKE.source, 1, key, ...spec, 20)).toBe(0);
    expect(await client.eval(TOKEN_BUCKET.source, 1, ...adjust)).toEqual([0]); // 5 back
    // both take scripts read the bucket under the record and write the record back
    expect(await client.eval(ONE_LIMIT_TAKE.source, 1, key, ...spec, 1)).toBe(0);
    const take = [key, 'take', 1, ...spec, 1, 1];
    expect(await client.eval(TOKEN_BUCKET.source, 1, ...take)).toEqual([0]);
    expect(await client.eval(TOKEN_BUCKET.source, 1, ...adjust)).toEqual([0]); // sent again
    // 3 left, not 8
    const waits = (await client.eval(ONE_LIMIT_TAKE.source, 1, key, ...spec, 3, 1)) as number[];
    expect(waits[0]).toBe(0);
    expect(waits[1]).toBeGreaterThan(0);
  });
});
