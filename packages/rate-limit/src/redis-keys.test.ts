// The Redis key scheme, read back from the real redis-server started by the global setup. Each test
// has a prefix of its own, so `KEYS prefix*` lists exactly the keys it wrote. Real time throughout:
// the scripts read Redis' clock, and the slow rates below refill nothing during a test.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRateLimiter } from './rate-limiter';
import { createRedisStore, createRedisTokenBucket } from './redis';

let client: Redis;

beforeAll(() => {
  client = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  await client.quit();
});

const newPrefix = () => `test-keys:${randomUUID()}:`;

const keysUnder = async (prefix: string) => (await client.keys(`${prefix}*`)).sort();

/** What Redis Cluster hashes: the first `{...}` with something inside, else the whole key. */
function hashedPart(key: string): string {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

/** A limiter (its limit names) or a Redis token bucket (`bucket`), and the key it decides. */
type Holder = { names: readonly string[]; key: string } | { bucket: true; key: string };

/** One decision per call on `holder`'s key: one token of a capacity of 1 that never refills. */
function decider(prefix: string, holder: Holder): () => Promise<boolean> {
  const shape = { ratePerSecond: 0.001, capacity: 1 };
  if ('bucket' in holder) {
    const bucket = createRedisTokenBucket({ client, prefix, key: holder.key, ...shape });
    return () => bucket.tryAcquire();
  }
  const limiter = createRateLimiter({
    limits: Object.fromEntries(holder.names.map((name) => [name, shape])),
    store: createRedisStore({ client, prefix }),
  });
  return () => limiter.tryAcquire(holder.key);
}

const limiter = (names: readonly string[], key: string): Holder => ({ names, key });
const bucket = (key: string): Holder => ({ bucket: true, key });

describe('Redis keys', () => {
  it('keeps an ordinary limiter at prefix, `limiter:`, its names, `|`, key; a bucket at prefix, `bucket|`, key', async () => {
    const prefix = newPrefix();
    const store = createRedisStore({ client, prefix });
    const slow = { ratePerSecond: 0.001, capacity: 5 };
    const pair = createRateLimiter({ limits: { requests: slow, tokens: slow }, store });
    const one = createRateLimiter({ limits: { requests: slow }, store });
    const shared = createRedisTokenBucket({ client, prefix, key: 'openai', ...slow });
    expect(await pair.tryAcquire('openai')).toBe(true);
    expect(await one.tryAcquire('openai')).toBe(true);
    expect(await shared.tryAcquire()).toBe(true);
    expect(await keysUnder(prefix)).toEqual([
      `${prefix}bucket|openai`,
      `${prefix}limiter:requests,tokens|openai`,
      `${prefix}limiter:requests|openai`,
    ]);
    // every path that writes uses the same key: adjust, and a batch of keys in one script call
    const batched = createRateLimiter({
      limits: { requests: slow },
      store: createRedisStore({ client, prefix, batchKeys: true }),
    });
    await Promise.all([batched.tryAcquire('openai'), batched.tryAcquire('groq')]);
    await pair.adjust('groq', { tokens: 1 });
    expect(await keysUnder(prefix)).toEqual([
      `${prefix}bucket|openai`,
      `${prefix}limiter:requests,tokens|groq`,
      `${prefix}limiter:requests,tokens|openai`,
      `${prefix}limiter:requests|groq`,
      `${prefix}limiter:requests|openai`,
    ]);
  });

  it("escapes `%`, `,`, `|`, `{`, `}` and lone surrogates in a limit name, and notes a key's lone surrogates in its header", async () => {
    const prefix = newPrefix();
    await decider(prefix, limiter(['{gpt}', 'a,b|c%', 'x\uD800'], 'k'))();
    await decider(prefix, limiter(['requests'], 'a\uD800b\uDC00'))();
    await decider(prefix, bucket('\uDFFF'))();
    expect(await keysUnder(prefix)).toEqual([
      // the client writes a lone surrogate as U+FFFD; the header says which one it was
      `${prefix}bucket(0=DFFF)|\uFFFD`,
      `${prefix}limiter(1=D800,3=DC00):requests|a\uFFFDb\uFFFD`,
      `${prefix}limiter:%7Bgpt%7D,a%2Cb%7Cc%25,x%uD800|k`,
    ]);
  });

  // Each pair shared one Redis key before the kind and the lone surrogates were part of it: the
  // second then found the first's bucket empty (or, with another number of limits, overwrote it).
  it.each([
    [
      'a bucket keyed `requests|openai` and the key `openai` of a `{ requests }` limiter',
      bucket('requests|openai'),
      limiter(['requests'], 'openai'),
    ],
    [
      'a bucket keyed `requests,tokens|k` and the key `k` of a `{ requests, tokens }` limiter',
      bucket('requests,tokens|k'),
      limiter(['requests', 'tokens'], 'k'),
    ],
    [
      'a bucket keyed `%7Bgpt%7D|k` and the key `k` of a `{ "{gpt}" }` limiter',
      bucket('%7Bgpt%7D|k'),
      limiter(['{gpt}'], 'k'),
    ],
    [
      'a bucket keyed `|` and the empty key of a limiter with an empty limit name',
      bucket('|'),
      limiter([''], ''),
    ],
    [
      'a bucket keyed `requests|` and the empty key of a `{ requests }` limiter',
      bucket('requests|'),
      limiter(['requests'], ''),
    ],
    [
      'keys `a\\uD800` and `a\\uFFFD` of one limiter',
      limiter(['requests'], 'a\uD800'),
      limiter(['requests'], 'a\uFFFD'),
    ],
    [
      'keys `\\uD800` and `\\uDC00` of one limiter',
      limiter(['requests', 'tokens'], '\uD800'),
      limiter(['requests', 'tokens'], '\uDC00'),
    ],
    ['bucket keys `x\\uDBFF` and `x\\uFFFD`', bucket('x\uDBFF'), bucket('x\uFFFD')],
    ['limit names `\\uD800` and `\\uFFFD`', limiter(['\uD800'], 'k'), limiter(['\uFFFD'], 'k')],
    ['limit names `a\\uDC00` and `a\\uD800`', limiter(['a\uDC00'], 'k'), limiter(['a\uD800'], 'k')],
    // never shared, and must stay so
    [
      'names that are prefixes of each other, `{ req }` and `{ requests }`',
      limiter(['req'], 'k'),
      limiter(['requests'], 'k'),
    ],
    ['the same names in another order', limiter(['a', 'b'], 'k'), limiter(['b', 'a'], 'k')],
    ['a name holding `,` and two names', limiter(['a,b'], 'k'), limiter(['a', 'b'], 'k')],
    [
      'the key `c` of `{ "a|b" }` and the key `b|c` of `{ a }`',
      limiter(['a|b'], 'c'),
      limiter(['a'], 'b|c'),
    ],
    [
      'a bucket keyed `k` and the key `k` of a `{ bucket }` limiter',
      bucket('k'),
      limiter(['bucket'], 'k'),
    ],
    [
      'a bucket keyed `limiter:requests|k` and the key `k` of a `{ requests }` limiter',
      bucket('limiter:requests|k'),
      limiter(['requests'], 'k'),
    ],
  ] as const)('never shares a bucket between %s', async (_, first, second) => {
    const prefix = newPrefix();
    const a = decider(prefix, first);
    const b = decider(prefix, second);
    expect(await a()).toBe(true);
    expect(await a()).toBe(false);
    expect(await b()).toBe(true); // not `first`'s empty bucket
    expect(await a()).toBe(false); // not refilled by `second`'s write
    expect(await b()).toBe(false);
    expect(await keysUnder(prefix)).toHaveLength(2);
  });
});

describe('Redis keys and Redis Cluster hash tags', () => {
  const holders = [
    limiter(['requests'], '{tenant}:user'),
    limiter(['{gpt}', 'tokens'], '{tenant}:user'),
    bucket('{tenant}:user'),
    // a lone surrogate only adds a note to the header: the key's tag is hashed as before
    limiter(['requests'], '{tenant}:\uD800'),
    bucket('{tenant}\uDC00'),
  ];

  it('lets the `{tag}` of the key pick the slot: the header adds no `{` or `}`', async () => {
    const prefix = newPrefix();
    for (const holder of holders) expect(await decider(prefix, holder)()).toBe(true);
    const keys = await keysUnder(prefix);
    expect(keys).toHaveLength(holders.length);
    for (const key of keys) expect(hashedPart(key)).toBe('tenant');
  });

  it('lets the `{tag}` of the prefix pick the slot whatever braces the key holds', async () => {
    const tag = `rl-${randomUUID()}`;
    const prefix = `{${tag}}:`;
    const odd = [bucket('}{'), bucket('{'), limiter(['requests'], '{}'), limiter(['{'], '}x{y}')];
    for (const holder of [...holders, ...odd]) expect(await decider(prefix, holder)()).toBe(true);
    const keys = await keysUnder(prefix);
    expect(keys).toHaveLength(holders.length + odd.length);
    for (const key of keys) expect(hashedPart(key)).toBe(tag);
  });
});
