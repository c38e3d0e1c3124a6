import { describe, expect, it } from 'vitest';
import { createConcurrencyLimiter } from './concurrency-limiter';
import { createRateLimiter } from './rate-limiter';
import { createTokenBucket } from './token-bucket';

// Arguments of the wrong shape: `null` where only `undefined` means "not set", and arrays or Maps
// where a plain object (costs, deltas, per-call options) is expected.

describe('createRateLimiter null and non-plain arguments', () => {
  const limits = { requests: { ratePerSecond: 100 } };

  it.each(['store', 'maxQueue', 'logger'])(
    'throws a TypeError naming %s when it is null (only undefined means the default)',
    (name) => {
      const attempt = () => createRateLimiter({ limits, [name]: null } as never);
      expect(attempt).toThrow(TypeError);
      expect(attempt).toThrow(
        new RegExp(`^Expected \`${name}\` to be .*, got \`null\` \\(null\\)$`),
      );
    },
  );

  it('refuses costs, deltas and acquire options that are an array or a Map, taking nothing', async () => {
    const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 1, capacity: 1 } } });
    const array = new TypeError(
      'Expected `costs` to be an object of numbers by limit name, got `[]` (array)',
    );
    // after a call of no cost the last vector is all zeros: an empty array would match it
    expect(await limiter.tryAcquire('k', { requests: 0 })).toBe(true);
    await expect(limiter.tryAcquire('k', [] as never)).rejects.toThrow(array);
    await expect(limiter.tryAcquire('k', new Map([['requests', 1]]) as never)).rejects.toThrow(
      new TypeError(
        'Expected `costs` to be an object of numbers by limit name, got a Map (size 1)',
      ),
    );
    await expect(limiter.acquire('k', [] as never)).rejects.toThrow(array);
    await expect(limiter.waitTimeMs('k', [] as never)).rejects.toThrow(array);
    await expect(limiter.adjust('k', [] as never)).rejects.toThrow(
      new TypeError('Expected `deltas` to be an object of numbers by limit name, got `[]` (array)'),
    );
    const notOptions = new TypeError('Expected `options` to be an object, got `[]` (array)');
    await expect(limiter.acquire('k', undefined, [] as never)).rejects.toThrow(notOptions);
    await expect(limiter.acquire('k', undefined, new Map() as never)).rejects.toThrow(
      new TypeError('Expected `options` to be an object, got a Map (size 0)'),
    );
    // nothing was taken: the key still holds its one request
    expect(await limiter.tryAcquire('k')).toBe(true);
    expect(limiter.stats()).toMatchObject({ admitted: 2, queued: 0 });
  });

  it('still takes costs given as an object without prototype', async () => {
    const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 1, capacity: 2 } } });
    const costs = Object.assign(Object.create(null), { requests: 2 });
    expect(await limiter.tryAcquire('k', costs)).toBe(true);
    expect(await limiter.tryAcquire('k')).toBe(false);
  });
});

describe('per-call options of a bucket and a concurrency limiter', () => {
  it('rejects TokenBucket.acquire() options that are an array or a Map with a TypeError, queueing nothing', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 1, capacity: 1, initialTokens: 0 });
    await expect(bucket.acquire(1, [] as never)).rejects.toThrow(
      new TypeError('Expected `options` to be an object, got `[]` (array)'),
    );
    await expect(bucket.acquire(1, new Map([['timeoutMs', 10]]) as never)).rejects.toThrow(
      new TypeError('Expected `options` to be an object, got a Map (size 1)'),
    );
    expect(bucket.stats().queued).toBe(0);
  });

  it('rejects ConcurrencyLimiter acquire() and run() options that are an array or a Map, holding no slot', async () => {
    const limiter = createConcurrencyLimiter({ maxConcurrent: 1 });
    await expect(limiter.acquire([] as never)).rejects.toThrow(
      new TypeError('Expected `options` to be an object, got `[]` (array)'),
    );
    await expect(limiter.run(async () => 1, new Map() as never)).rejects.toThrow(
      new TypeError('Expected `options` to be an object, got a Map (size 0)'),
    );
    expect(limiter.tryAcquire()).toBeTypeOf('function');
  });
});
