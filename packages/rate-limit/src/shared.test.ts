import { describe, expect, it } from 'vitest';
import { isRateLimitClosedError } from './errors';
import { sharedConcurrencyLimiter, sharedRateLimiter } from './shared';

const limits = { requests: { ratePerSecond: 1, capacity: 1 } };

describe('sharedRateLimiter', () => {
  it('gives every caller of one name one quota', async () => {
    const a = sharedRateLimiter('shared-test-quota', { limits });
    const b = sharedRateLimiter('shared-test-quota');
    expect(b).toBe(a);
    expect(await a.tryAcquire('k')).toBe(true);
    // The one token is spent for both.
    expect(await b.tryAcquire('k')).toBe(false);
    expect(sharedRateLimiter('shared-test-quota-2', { limits })).not.toBe(a);
    await a.close();
    await sharedRateLimiter('shared-test-quota-2').close();
  });

  it('frees the name on close: the next ask creates a fresh limiter', async () => {
    const a = sharedRateLimiter('shared-test-close', { limits });
    await a.close();
    await expect(a.acquire('k')).rejects.toSatisfy(isRateLimitClosedError);
    const b = sharedRateLimiter('shared-test-close', { limits });
    expect(b).not.toBe(a);
    expect(await b.tryAcquire('k')).toBe(true);
    await b[Symbol.asyncDispose]();
    expect(sharedRateLimiter('shared-test-close', { limits })).not.toBe(b);
    await sharedRateLimiter('shared-test-close').close();
  });

  it('throws a RangeError for conflicting options and a name holding a key', async () => {
    const a = sharedRateLimiter('shared-test-conflict', { limits });
    expect(() =>
      sharedRateLimiter('shared-test-conflict', {
        limits: { requests: { ratePerSecond: 2, capacity: 1 } },
      }),
    ).toThrow(/`limits.requests.ratePerSecond` differs/);
    expect(() => sharedRateLimiter('sk-proj-0123456789abcdefghij', { limits })).toThrow(RangeError);
    // A typo on a later ask is the option error the first ask would give, not a difference.
    expect(() =>
      sharedRateLimiter('shared-test-conflict', { limits, maxQueu: 3 } as never),
    ).toThrow(new TypeError('Unknown option `maxQueu`: did you mean `maxQueue`?'));
    expect(() =>
      sharedRateLimiter('shared-test-conflict', {
        limits: { requests: { ratePerSecnd: 2 } },
      } as never),
    ).toThrow(
      /Unknown option `limits.requests.ratePerSecnd`: did you mean `limits.requests.ratePerSecond`\?/,
    );
    await a.close();
  });
});

describe('sharedRateLimiter without options', () => {
  it('says the options with limits are missing when the name is new, and uses one that exists', async () => {
    expect(() => sharedRateLimiter('shared-test-first')).toThrow(
      new TypeError(
        'Expected `options` to be an object with `limits` (the first ask for the shared rate limiter "shared-test-first" creates it), got `undefined` (undefined)',
      ),
    );
    const made = sharedRateLimiter('shared-test-first', {
      limits: { requests: { ratePerSecond: 1 } },
    });
    expect(sharedRateLimiter('shared-test-first')).toBe(made);
    expect(() => sharedRateLimiter('shared-test-empty', {} as never)).toThrow(
      'Expected `limits` to be an object with at least one limit, got `undefined` (undefined)',
    );
    await made.close();
  });
});

describe('sharedConcurrencyLimiter', () => {
  it('gives every caller of one name the same slots, and frees the name on close', () => {
    const a = sharedConcurrencyLimiter('shared-test-slots', { maxConcurrent: 1 });
    const release = sharedConcurrencyLimiter('shared-test-slots').tryAcquire();
    expect(release).toBeTypeOf('function');
    expect(a.tryAcquire()).toBeUndefined();
    release?.();
    a.close();
    expect(sharedConcurrencyLimiter('shared-test-slots', { maxConcurrent: 1 })).not.toBe(a);
    sharedConcurrencyLimiter('shared-test-slots').close();
  });

  it('needs the options the first time: maxConcurrent has no default', () => {
    expect(() => sharedConcurrencyLimiter('shared-test-none')).toThrow(
      new TypeError(
        'Expected `options` to be an object with `maxConcurrent` (the first ask for the shared concurrency limiter "shared-test-none" creates it), got `undefined` (undefined)',
      ),
    );
    expect(() => sharedConcurrencyLimiter('shared-test-none', { maxConcurrent: 2 })).not.toThrow();
    expect(() => sharedConcurrencyLimiter('shared-test-none', { maxConcurrent: 3 })).toThrow(
      /`maxConcurrent` differs/,
    );
    expect(() =>
      sharedConcurrencyLimiter('shared-test-none', { maxConcurrent: 2, timeoutMS: 5 } as never),
    ).toThrow(new TypeError('Unknown option `timeoutMS`: did you mean `timeoutMs`?'));
    sharedConcurrencyLimiter('shared-test-none').close();
  });
});
