// A script call Redis ran whose reply was lost: a proxy in front of a redis-server drops the reply
// and cuts the connection, and ioredis reconnects and sends the call again. Real clock throughout
// (the scripts read Redis' clock); the rates below refill nothing during a test.
import { randomUUID } from 'node:crypto';
import { type ReplyDropProxy, startReplyDropProxy } from '@x/internal/testing';
import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RedisServerHandle, startRedisServer } from '../../../scripts/testing/redis-server';
import { ONE_LIMIT_TAKE, TOKEN_BUCKET } from './internal/redis-script';
import {
  createRedisTokenBucket,
  type OutagePolicy,
  type RedisClientLike,
  type RedisTokenBucket,
} from './redis';

// A redis-server of the file's own: a test pauses its writes (CLIENT PAUSE), which on the server
// the package's other files share would time their decisions out while they run alongside.
let server: RedisServerHandle;
let target: URL;
beforeAll(async () => {
  server = await startRedisServer();
  target = new URL(server.url);
});
afterAll(() => server?.stop());
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
  decisionTimeoutMs?: number,
  outagePolicy?: OutagePolicy,
): Promise<{ proxy: ReplyDropProxy; bucket: RedisTokenBucket; key: string }> {
  const proxy = await startReplyDropProxy(Number(target.port));
  cleanups.push(() => proxy.close());
  // reconnects 20 ms after the reset; the call without a reply is sent again then, by default
  const client = connect(proxy.url, { retryStrategy: () => 20, ...options });
  const key = randomUUID();
  const bucket = createRedisTokenBucket({
    client,
    prefix,
    key,
    ratePerSecond: 0.001,
    capacity: 20,
    probeIntervalMs,
    decisionTimeoutMs,
    outagePolicy,
  });
  cleanups.push(() => bucket.close());
  // loads both scripts: a NOSCRIPT runs nothing
  await bucket.waitTimeMs();
  await bucket.tryAcquire(0);
  return { proxy, bucket, key };
}

/** The same bucket in another process: its own client, straight to Redis. */
function sameBucketDirect(key: string): RedisTokenBucket {
  const bucket = sameBucketOn(connect(target.href), key);
  cleanups.push(() => bucket.close());
  return bucket;
}

function sameBucketOn(client: RedisClientLike, key: string = randomUUID()): RedisTokenBucket {
  return createRedisTokenBucket({ client, prefix, key, ratePerSecond: 0.001, capacity: 20 });
}

/** How many of `count` one-token decisions, made together, the bucket admits. */
async function admitted(bucket: RedisTokenBucket, count: number): Promise<number> {
  const results = await Promise.all(Array.from({ length: count }, () => bucket.tryAcquire(1)));
  return results.filter(Boolean).length;
}

describe('a Redis script call sent again after a lost reply', () => {
  it('gives an adjust() refund back once when ioredis sends it again', async () => {
    // The refund waits for its reply sent again (a reconnect 20 ms on): the default 250 ms to
    // decide, run out first on a loaded runner, would end it before the connection is back.
    const { proxy, bucket } = await bucketBehindProxy({}, undefined, 5_000);
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
    await vi.waitFor(() => expect(proxy.connections()).toBe(2), { timeout: 5_000 });
    await bucket.waitTimeMs(); // sent after the refund, so answered after it
    // 20 - 12 - 4 + 4: twice, the refund made it 12
    expect(await admitted(bucket, 16)).toBe(8);
  });

  it('gives a refund back once when it failed after Redis ran it and the store sends it again', async () => {
    // the decision after the outage waits for the reconnection: a long decision timeout, so that
    // Redis, not the local policy, decides it on a loaded machine too
    const { proxy, bucket } = await bucketBehindProxy({ retryStrategy: () => 50 }, 0, 3_000);
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

  it('charges a take once when its reply was lost and ioredis sent it again: the policy decides it', async () => {
    // A reconnection within the decision timeout: the call sent again answers in time.
    const { proxy, bucket, key } = await bucketBehindProxy({}, 0, 5_000);
    const dropped = proxy.dropReplyTo(ONE_LIMIT_TAKE.sha);
    const took = bucket.tryAcquire(5);
    await dropped;
    // Redis ran it once; the connection closed before its reply: the local share (5 of 20) decides.
    expect(await took).toBe(true);
    const decided = bucket.stats().store;
    await vi.waitFor(() => expect(proxy.connections()).toBe(2), { timeout: 5_000 });
    // Sent on the new connection after the take sent again (the first probes Redis), so the
    // second is answered after the refund of what that take debited once more.
    await bucket.waitTimeMs();
    await bucket.waitTimeMs();
    // Twice, it took 10 tokens, and the caller paid for 5 more than it asked.
    expect(await admitted(sameBucketDirect(key), 20)).toBe(15);
    expect(decided).toMatchObject({ state: 'unavailable', errors: 1, fallbackDecisions: 1 });
  });

  it.each(['local', 'fail-closed'] as const)(
    'leaves one debit per lost reply when the reply of the take sent again is lost too (%s)',
    async (outagePolicy) => {
      const { proxy, bucket, key } = await bucketBehindProxy({}, 0, 5_000, outagePolicy);
      // the take, then its first resend, each lose their reply; the second resend's arrives
      const dropped = proxy
        .dropReplyTo(ONE_LIMIT_TAKE.sha)
        .then(() => proxy.dropReplyTo(ONE_LIMIT_TAKE.sha));
      const took = bucket.tryAcquire(5);
      expect(await took).toBe(outagePolicy === 'local');
      await dropped;
      await vi.waitFor(() => expect(proxy.connections()).toBe(3), { timeout: 5_000 });
      await bucket.waitTimeMs();
      await bucket.waitTimeMs();
      // Redis ran it three times; only the last run's reply came back, and it was given back.
      // The two runs whose reply was lost stay charged: whether a run whose reply was lost ran at
      // all is unknown here, and giving back one that did not would admit above the limit.
      expect(await admitted(sameBucketDirect(key), 20)).toBe(10);
      expect(bucket.stats().store).toMatchObject({ errors: 1, fallbackDecisions: 1 });
    },
  );

  it('charges every take of a shared call once when ioredis sent it again', async () => {
    const { proxy, bucket, key } = await bucketBehindProxy({}, 0, 5_000);
    const dropped = proxy.dropReplyTo(ONE_LIMIT_TAKE.sha);
    const took = admitted(bucket, 8); // one script call of 8 takes of 1
    await dropped;
    const answered = await took;
    await vi.waitFor(() => expect(proxy.connections()).toBe(2), { timeout: 5_000 });
    await bucket.waitTimeMs();
    await bucket.waitTimeMs();
    // 16 gone, not 8, before: the answers of the call sent again were the callers'.
    expect(await admitted(sameBucketDirect(key), 20)).toBe(12);
    expect(answered).toBe(5); // the local share
  });

  it('gives a refund that fills the bucket back once though another process took meanwhile', async () => {
    // Reconnections come every 200 ms: the test refuses them before the first one.
    const { proxy, bucket, key } = await bucketBehindProxy({ retryStrategy: () => 200 }, 0);
    const other = sameBucketDirect(key);
    expect(await bucket.tryAcquire(5)).toBe(true);
    const dropped = proxy.dropReplyTo('adjust');
    const adjusted = bucket.adjust(-5); // fills the bucket again
    await dropped;
    await proxy.refuse();
    // Another process takes 10 before the refund is sent again: 10 left.
    expect(await other.tryAcquire(10)).toBe(true);
    await proxy.accept();
    await adjusted;
    await vi.waitFor(() => expect(proxy.connections()).toBe(2), { timeout: 5_000 });
    // ioredis sends the refund again once connected, and the store holds it (with its id) until
    // Redis answers a decision; each of these is sent after it.
    for (let i = 0; i < 3; i++) await bucket.waitTimeMs();
    expect(bucket.stats().store).toMatchObject({ state: 'available' });
    // The full key was deleted with the record of the refund's id: given again, 15 were left.
    expect(await other.tryAcquire(11)).toBe(false);
    expect(await other.tryAcquire(10)).toBe(true);
  });

  it('adds one close listener to a client however many stores use it, and none to a client without on()', () => {
    const client = connect(target.href);
    const before = client.listenerCount('close');
    for (let i = 0; i < 20; i++) {
      const bucket = sameBucketOn(client);
      cleanups.push(() => bucket.close());
    }
    expect(client.listenerCount('close')).toBe(before + 1);
    const bare = { evalsha: client.evalsha.bind(client), eval: client.eval.bind(client) };
    expect(() => sameBucketOn(bare).close()).not.toThrow();
  });

  it('keeps the record of a refund that fills the bucket, so that it is no-op when sent again', async () => {
    const client = connect(target.href);
    const key = prefix + randomUUID();
    const spec = ['0.000001', '20'];
    const adjust = [key, 'adjust', 1, ...spec, 1, -5, 'call-id2'];
    expect(await client.eval(ONE_LIMIT_TAKE.source, 1, key, ...spec, 5)).toBe(0);
    expect(await client.eval(TOKEN_BUCKET.source, 1, ...adjust)).toEqual([0]); // full again
    expect(await client.pttl(key)).toBeGreaterThanOrEqual(14_000);
    // a take of nothing on the full key keeps the record too
    expect(await client.eval(ONE_LIMIT_TAKE.source, 1, key, ...spec, 0)).toBe(0);
    expect(await client.eval(ONE_LIMIT_TAKE.source, 1, key, ...spec, 10)).toBe(0);
    expect(await client.eval(TOKEN_BUCKET.source, 1, ...adjust)).toEqual([0]); // sent again
    const waits = (await client.eval(ONE_LIMIT_TAKE.source, 1, key, ...spec, 10, 1)) as number[];
    expect(waits).toEqual([0, expect.any(Number)]); // 10 left, not 15
    expect(waits[1]).toBeGreaterThan(0);
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
