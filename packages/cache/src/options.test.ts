import { undefinedOptionsRefused } from '@x/internal/testing';
import Redis from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCache } from './cache';
import { createRedisStore } from './redis-store';

describe('createCache options', () => {
  it.each([
    [
      { maxEntries: 0 },
      RangeError,
      'Expected `maxEntries` to be an integer >= 1, got `0` (number)',
    ],
    [
      { maxEntries: 1.5 },
      RangeError,
      'Expected `maxEntries` to be an integer >= 1, got `1.5` (number)',
    ],
    [
      { maxEntries: '10' },
      TypeError,
      'Expected `maxEntries` to be an integer >= 1, got `"10"` (string)',
    ],
    [
      { maxBytes: 0 },
      RangeError,
      'Expected `maxBytes` to be an integer >= 1, or Infinity, got `0` (number)',
    ],
    [
      { maxBytes: Number.NaN },
      RangeError,
      'Expected `maxBytes` to be an integer >= 1, or Infinity, got `NaN` (number)',
    ],
    [
      { strategy: 'always' },
      RangeError,
      'Expected `strategy` to be one of "disabled", "conservative", "selective", "aggressive", got `"always"` (string)',
    ],
    [
      { compressAboveBytes: -1 },
      RangeError,
      'Expected `compressAboveBytes` to be an integer >= 0, or Infinity, got `-1` (number)',
    ],
    [
      { compressionLevel: 10 },
      RangeError,
      'Expected `compressionLevel` to be an integer between 1 and 9, got `10` (number)',
    ],
    [
      { compressionLevel: 0 },
      RangeError,
      'Expected `compressionLevel` to be an integer between 1 and 9, got `0` (number)',
    ],
    [{ exactExpiry: 1 }, TypeError, 'Expected `exactExpiry` to be a boolean, got `1` (number)'],
    [{ minTtlMs: 0 }, RangeError, 'Expected `minTtlMs` to be an integer >= 1, got `0` (number)'],
    [
      { minTtlMs: 5000, maxTtlMs: 1000 },
      RangeError,
      'Expected `maxTtlMs` to be an integer >= `minTtlMs` (5000); lower `minTtlMs` too for a shorter TTL, got `1000` (number)',
    ],
    [
      { ttl: 5 },
      TypeError,
      'Expected `ttl` to be a function (request, response) => milliseconds | undefined | false (a fixed TTL is `minTtlMs` and `maxTtlMs` set to the same number), got `5` (number)',
    ],
    [
      { namespace: '' },
      RangeError,
      'Expected `namespace` to be a non-empty string, got `""` (string)',
    ],
    [{ store: {} }, TypeError, 'Expected `store` to be an object with get, set and delete methods'],
    [
      { store: { get() {}, set() {}, delete() {}, lock: 1 } },
      TypeError,
      'Expected `store.lock` to be a function, got `1` (number)',
    ],
    [{ maxEntires: 10 }, TypeError, 'Unknown option `maxEntires`: did you mean `maxEntries`?'],
    [{ ttlMs: 10 }, TypeError, 'Unknown option `ttlMs`: did you mean `maxTtlMs`?'],
    [{ max: 10 }, TypeError, 'Unknown option `max`: did you mean `maxEntries`?'],
    [{ maxSize: 10 }, TypeError, 'Unknown option `maxSize`: did you mean `maxBytes`?'],
    [
      { maxTtlMs: 1000 },
      RangeError,
      'Expected `maxTtlMs` to be an integer >= `minTtlMs` (30000); lower `minTtlMs` too for a shorter TTL, got `1000` (number)',
    ],
    [
      { maxTtlMs: 1e300 },
      RangeError,
      'Expected `maxTtlMs` to be an integer between 1 and 2^53 - 1, got `1e+300` (number)',
    ],
    [[], TypeError, 'Expected `options` to be an object, got `[]` (array)'],
    [
      new Map([['maxEntries', 10]]),
      TypeError,
      'Expected `options` to be an object, got a Map (size 1)',
    ],
    [
      { namespace: 'http://bob:hunter2pass@redis:6379' },
      RangeError,
      'Expected `namespace` to be a label without credentials (never a URL with a password, never derived from a key), got `"[redacted]"` (string)',
    ],
    [
      { namespace: 'sk-proj-Zq7xK2mP9vR4tY8wB3nL6hJ1' },
      RangeError,
      'Expected `namespace` to be a label without credentials',
    ],
    [
      { namespace: 'a'.repeat(201) },
      RangeError,
      'Expected `namespace` to be a label of 1 to 200 printable characters',
    ],
  ])('throws when given %o', (options, kind, message) => {
    expect(() => createCache(options as never)).toThrow(kind);
    expect(() => createCache(options as never)).toThrow(message);
  });

  it('applies the documented defaults when given no options', () => {
    const cache = createCache();
    expect(cache.stats()).toMatchObject({ maxEntries: 1000, maxBytes: 64 * 1024 * 1024 });
    expect(cache.decide({ temperature: 0 })).toEqual({
      cacheable: true,
      ttlMs: 3_600_000,
      reason: 'deterministic',
    });
    expect(cache.decide({ temperature: 0.5 }).ttlMs).toBe(30_000);
  });

  it('gives every cached answer the same TTL when minTtlMs equals maxTtlMs (where the ttl and ttlMs hints lead)', () => {
    const cache = createCache({ minTtlMs: 1000, maxTtlMs: 1000 });
    expect(cache.decide({ temperature: 0 }).ttlMs).toBe(1000);
    expect(cache.decide({ temperature: 0.25 }).ttlMs).toBe(1000);
    expect(cache.decide({ temperature: 0.5 }).ttlMs).toBe(1000);
  });

  it('reports an unbounded byte limit as null when maxBytes is Infinity', () => {
    expect(createCache({ maxBytes: Number.POSITIVE_INFINITY }).stats().maxBytes).toBeNull();
  });

  it('throws when set() is given a bad ttlMs or getOrLoad() a bad loader', async () => {
    const cache = createCache();
    expect(() => cache.set('k', 1, { ttlMs: 0 })).toThrow(RangeError);
    expect(() => cache.set('k', 1, { ttlMs: 0 })).toThrow(
      'Expected `ttlMs` to be a finite number > 0, or Infinity, got `0` (number)',
    );
    expect(() => cache.set('k', 1, { ttlMs: '5' as never })).toThrow(TypeError);
    await expect(cache.getOrLoad({}, 1 as never)).rejects.toThrow(
      'Expected `loader` to be a function, got `1` (number)',
    );
    expect(() => cache.onHit(1 as never)).toThrow(TypeError);
  });
});

describe('createCache durations', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps an entry for its whole TTL when the TTL is above 2^31-1 ms (TTLs feed no timer)', async () => {
    const days30 = 30 * 24 * 3600 * 1000;
    const cache = createCache({ strategy: 'aggressive', minTtlMs: days30, maxTtlMs: days30 });
    cache.set('k', 'v');
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(2 ** 31);
    expect(cache.get('k')).toBe('v');
    await vi.advanceTimersByTimeAsync(days30 - 2 ** 31);
    expect(cache.get('k')).toBeUndefined();
  });

  it('clamps a huge ttlMs of set() to maxTtlMs when one is given', async () => {
    const cache = createCache({ minTtlMs: 1000, maxTtlMs: 5000 });
    const ttls: number[] = [];
    cache.onSet((event) => ttls.push(event.ttlMs));
    cache.set('k', 'v', { ttlMs: 1e300 });
    cache.set('infinite', 'v', { ttlMs: Number.POSITIVE_INFINITY });
    expect(ttls).toEqual([5000, 5000]);
  });
});

describe('cache call options', () => {
  it('throws TypeError when call options are a Map or an array, whose entries hold no option', async () => {
    const cache = createCache();
    const request = { model: 'x', prompt: 'hi', options: { temperature: 0 } };
    const map = new Map([['ttlMs', 5]]);
    const refused = new TypeError('Expected `options` to be an object, got a Map (size 1)');
    expect(() => cache.set('k', 1, map as never)).toThrow(refused);
    await expect(cache.lookup(request, map as never)).rejects.toThrow(refused);
    await expect(cache.getOrLoad(request, async () => 1, [] as never)).rejects.toThrow(
      new TypeError('Expected `options` to be an object, got `[]` (array)'),
    );
    expect(cache.size).toBe(0);
  });

  it('throws TypeError naming the closest known key when a call option is unknown', async () => {
    const cache = createCache();
    const request = { model: 'x', prompt: 'hi', options: { temperature: 0 } };
    expect(() => cache.set('k', 1, { ttl: 5 } as never)).toThrow(
      new TypeError('Unknown option `ttl`: did you mean `ttlMs`?'),
    );
    await expect(
      cache.getOrLoad(request, async () => 1, { sigal: AbortSignal.abort() } as never),
    ).rejects.toThrow(new TypeError('Unknown option `sigal`: did you mean `signal`?'));
    await expect(cache.load(request, async () => 1, { timeoutMs: 5 } as never)).rejects.toThrow(
      TypeError,
    );
    await expect(cache.lookup(request, { signal: 'now' } as never)).rejects.toThrow(
      new TypeError('Expected `signal` to be an AbortSignal, got `"now"` (string)'),
    );
    expect(cache.size).toBe(0);
  });
});

describe('an option set to null', () => {
  it.each([
    'maxEntries',
    'maxBytes',
    'strategy',
    'compressAboveBytes',
    'compressionLevel',
    'minTtlMs',
    'maxTtlMs',
    'exactExpiry',
    'ttl',
    'namespace',
    'store',
    'logger',
  ])('is a TypeError naming %s, never its default (only undefined is)', (name) => {
    const attempt = () => createCache({ [name]: null } as never);
    expect(attempt).toThrow(TypeError);
    expect(attempt).toThrow(new RegExp(`^Expected \`${name}\` to be .*, got \`null\` \\(null\\)$`));
  });
});

describe('createRedisStore options', () => {
  /** The commands the store checks for: nothing is sent while its options are refused. */
  const client = { getBuffer() {}, set() {}, del() {}, eval() {}, scan() {} } as never;

  it.each([
    'prefix',
    'commandTimeoutMs',
    'lockTtlMs',
    'lockWaitMs',
    'pollIntervalMs',
    'probeIntervalMs',
  ])('throws a TypeError naming %s when it is null (only undefined means the default)', (name) => {
    const attempt = () => createRedisStore({ client, [name]: null });
    expect(attempt).toThrow(TypeError);
    expect(attempt).toThrow(new RegExp(`^Expected \`${name}\` to be .*, got \`null\` \\(null\\)$`));
  });

  it('never shows options that are not a plain object (a client given as the options)', () => {
    const redis = new Redis('redis://:hunter2pass@127.0.0.1:1', { lazyConnect: true });
    const refused = new TypeError(
      'Expected `options` to be an object with a `client`, got an object without it',
    );
    try {
      expect(() => createRedisStore(redis as never)).toThrow(refused);
      expect(() => createRedisStore([client] as never)).toThrow(refused);
    } finally {
      redis.disconnect();
    }
  });
});

describe('a namespace', () => {
  it('never shows the password of a URL it refuses, nor puts it in a key', () => {
    let message = '';
    try {
      createCache({ namespace: 'redis://bob:hunter2pass@redis:6379' });
    } catch (error) {
      message = `${(error as Error).message} ${(error as Error).stack}`;
    }
    expect(message).toContain('[redacted]');
    expect(message).not.toContain('hunter2');
  });

  it('may hold a lone surrogate, which a Redis store keeps apart (checked as U+FFFD)', () => {
    expect(createCache({ namespace: 'tenant-\uD800' }).key({ model: 'm' })).toMatch(
      /^tenant-\uD800:/,
    );
  });
});

describe('an option set to undefined', () => {
  it('is the same as leaving it out, for every option createCache accepts', async () => {
    expect(
      await undefinedOptionsRefused(
        (o) => createCache(o),
        {},
        (c) => c.close(),
      ),
    ).toEqual([]);
  });
});
