import { keyHash } from '@x/internal';
import { recordingLogger } from '@x/internal/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createConcurrencyLimiter } from './concurrency-limiter';
import { createRateLimiter } from './rate-limiter';
import { createRedisStore, type RedisClientLike } from './redis';
import { createTokenBucket } from './token-bucket';

const USER = 'user:alice@example.com';

describe('createRateLimiter logger', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('logs a rejection at debug, a pause at info and an absurd correction at warn, with the key hashed', async () => {
    vi.useFakeTimers();
    const { logger, entries } = recordingLogger();
    const limiter = createRateLimiter({
      limits: { requests: { ratePerSecond: 1, capacity: 2 } },
      logger,
    });
    await limiter.acquire(USER, { requests: 2 });
    await expect(limiter.acquire(USER, { requests: 1 }, { timeoutMs: 0 })).rejects.toThrow();
    limiter.pauseFor(USER, 5_000);
    await limiter.adjust(USER, { requests: 1e18 });
    const hash = keyHash(USER);
    expect(entries).toEqual([
      [
        'debug',
        {
          package: '@x/rate-limit',
          event: 'rejected',
          reason: 'timeout',
          keyHash: hash,
          cost: 1,
          retryAfterMs: 1_000,
        },
        'acquire rejected: timeout',
      ],
      [
        'info',
        { package: '@x/rate-limit', event: 'paused', keyHash: hash, ms: 5_000 },
        'paused for 5000 ms',
      ],
      [
        'warn',
        {
          package: '@x/rate-limit',
          event: 'correction-clamped',
          keyHash: hash,
          limit: 'requests',
          delta: 1e18,
          capacity: 2,
        },
        'a correction of 1000000000000000000 requests exceeds the capacity 2: the debt is capped at one capacity',
      ],
    ]);
    expect(JSON.stringify(entries)).not.toContain('alice');
    await limiter.close();
  });

  it('still pauses when the logger throws, reporting the error as a warning', () => {
    const warning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const logger = {
        info: () => {
          throw new Error('log sink full');
        },
      };
      const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 1 } }, logger });
      limiter.pauseFor('k', 1_000);
      expect(limiter.pausedFor('k')).toBeGreaterThan(0);
      expect(warning).toHaveBeenCalledWith(
        '@x/rate-limit: the logger threw: Error: log sink full',
        expect.objectContaining({ type: 'XLoggerError', code: 'X_RATE_LIMIT_LOGGER_ERROR' }),
      );
    } finally {
      warning.mockRestore();
    }
  });

  it('throws a TypeError for a logger without log methods in every constructor, and for a misspelt key', () => {
    const message =
      'Expected `logger` to be a logger with debug, info, warn, error or log methods (pino, console), got `true` (boolean)';
    const limits = { requests: { ratePerSecond: 1 } };
    expect(() => createRateLimiter({ limits, logger: true as never })).toThrow(
      new TypeError(message),
    );
    expect(() => createTokenBucket({ ratePerSecond: 1, logger: true as never })).toThrow(
      new TypeError(message),
    );
    expect(() => createConcurrencyLimiter({ maxConcurrent: 1, logger: true as never })).toThrow(
      new TypeError(message),
    );
    expect(() =>
      createRedisStore({ client: {} as RedisClientLike, logger: true as never }),
    ).toThrow(TypeError);
    expect(() => createRateLimiter({ limits, loger: console } as never)).toThrow(
      /Unknown option `loger`: did you mean `logger`\?/,
    );
  });
});

describe('createTokenBucket logger', () => {
  it('logs a pause at info and a rejection at debug, without a key', async () => {
    vi.useFakeTimers();
    try {
      const { logger, entries } = recordingLogger();
      const bucket = createTokenBucket({ ratePerSecond: 1, capacity: 1, logger });
      bucket.pauseFor(2_000);
      await expect(bucket.acquire(1, { timeoutMs: 0 })).rejects.toThrow();
      expect(entries.map(([level, fields]) => [level, fields])).toEqual([
        ['info', { package: '@x/rate-limit', event: 'paused', ms: 2_000 }],
        [
          'debug',
          {
            package: '@x/rate-limit',
            event: 'rejected',
            reason: 'timeout',
            cost: 1,
            retryAfterMs: 2_000,
          },
        ],
      ]);
      bucket.close();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('createConcurrencyLimiter logger', () => {
  it('logs a call turned away by a full queue at debug', async () => {
    const { logger, entries } = recordingLogger();
    const limiter = createConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 0, logger });
    const release = await limiter.acquire();
    await expect(limiter.acquire()).rejects.toThrow();
    release();
    expect(entries).toEqual([
      [
        'debug',
        { package: '@x/rate-limit', event: 'rejected', reason: 'queue-full', active: 1, queued: 0 },
        'no slot: queue-full',
      ],
    ]);
  });
});

// A real redis-server (the global setup's) on the real clock: the store's probe interval and the
// script's TIME are real time.
describe('createRedisStore logger (real Redis)', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(inject('redisUrl'));
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('logs an outage at warn with the policy, and the recovery at info with the decisions it took', async () => {
    const { logger, entries } = recordingLogger();
    let down = true;
    const refused = () =>
      Promise.reject(
        Object.assign(new Error('connect ECONNREFUSED redis://:hunter2@cache:6379'), {
          code: 'ECONNREFUSED',
        }),
      );
    const client: RedisClientLike = {
      evalsha: (...args) => (down ? refused() : redis.evalsha(...args)),
      eval: (...args) => (down ? refused() : redis.eval(...args)),
    };
    const store = createRedisStore({
      client,
      prefix: `log-test:${process.pid}:`,
      outagePolicy: 'fail-open',
      probeIntervalMs: 0,
      logger,
    });
    const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 10 } }, store });
    expect(await limiter.tryAcquire('k')).toBe(true);
    expect(await limiter.tryAcquire('k')).toBe(true);
    down = false;
    expect(await limiter.tryAcquire('k')).toBe(true);
    expect(entries).toEqual([
      [
        'warn',
        {
          package: '@x/rate-limit',
          event: 'store-unavailable',
          policy: 'fail-open',
          reason: 'error',
          error: 'ECONNREFUSED',
        },
        'Redis did not decide (error): fail-open, admitting every request until it decides again',
      ],
      [
        'info',
        {
          package: '@x/rate-limit',
          event: 'store-recovered',
          policy: 'fail-open',
          downMs: expect.any(Number),
          fallbackDecisions: 2,
        },
        expect.stringMatching(/^Redis decides again after \d+ ms$/),
      ],
    ]);
    expect(JSON.stringify(entries)).not.toContain('hunter2');
    await limiter.close();
  });
});
