import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isRateLimitTimeoutError } from './errors';
import { rateLimited } from './rate-limited';
import { createRateLimiter } from './rate-limiter';
import { createTokenBucket } from './token-bucket';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('rateLimited', () => {
  it('calls fn with the same this and arguments once the bucket admits, in call order', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 10, capacity: 1 });
    const calls: string[] = [];
    const fn = async function (this: { tag: string }, a: number, b: string) {
      calls.push(`${this.tag}:${a}${b}`);
      return a * 2;
    };
    const limited = rateLimited(fn, bucket);
    const self = { tag: 'me' };
    const first = limited.call(self, 1, 'x');
    const second = limited.call(self, 2, 'y');
    expect(await first).toBe(2);
    expect(calls).toEqual(['me:1x']);
    await vi.advanceTimersByTimeAsync(100);
    expect(await second).toBe(4);
    expect(calls).toEqual(['me:1x', 'me:2y']);
  });

  it('charges the cost computed from the arguments', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 1, capacity: 10 });
    const limited = rateLimited(async (prompt: string) => prompt.length, bucket, {
      cost: (prompt) => prompt.length,
    });
    await limited('abcdefgh');
    expect(bucket.available).toBe(2);
  });

  it('rejects with RateLimitTimeoutError and does not call fn when the wait exceeds timeoutMs', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 1, capacity: 1, initialTokens: 0 });
    const fn = vi.fn(async () => 'done');
    const limited = rateLimited(fn, bucket, { timeoutMs: 100 });
    const error = await limited().catch((e: unknown) => e);
    expect(isRateLimitTimeoutError(error)).toBe(true);
    expect(fn).not.toHaveBeenCalled();
  });

  it('ends the wait with signal.reason when the signal picked from the arguments aborts', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 1, capacity: 1, initialTokens: 0 });
    const limited = rateLimited(
      async (_: string, options: { signal: AbortSignal }) => options.signal.aborted,
      bucket,
      {
        signal: (_, options) => options.signal,
      },
    );
    const controller = new AbortController();
    const pending = limited('x', { signal: controller.signal });
    controller.abort('stop');
    await expect(pending).rejects.toBe('stop');
  });

  it('uses key and costs with a keyed rate limiter', async () => {
    const limiter = createRateLimiter({
      limits: { requests: { ratePerSecond: 0.001, capacity: 1 } },
    });
    const limited = rateLimited(async (user: string) => user, limiter, {
      key: (user) => `user:${user}`,
    });
    expect(await limited('a')).toBe('a');
    expect(await limited('b')).toBe('b');
    expect(await limiter.tryAcquire('user:a')).toBe(false);
  });

  it('throws a TypeError for a keyed rate limiter without key, and for a non-limiter', () => {
    const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 1 } } });
    expect(() => rateLimited(async () => {}, limiter)).toThrow(TypeError);
    expect(() => rateLimited(async () => {}, {} as never)).toThrow(TypeError);
  });
});

describe('@rateLimited', () => {
  it('rate-limits a method as a standard (TC39) decorator, keeping this', async () => {
    const bucket = createTokenBucket({ ratePerSecond: 10, capacity: 1 });

    class Client {
      constructor(readonly name: string) {}

      @rateLimited(bucket, { cost: 1 })
      async complete(prompt: string): Promise<string> {
        return `${this.name}:${prompt}`;
      }
    }

    const client = new Client('c');
    const first = client.complete('a');
    const second = client.complete('b');
    expect(await first).toBe('c:a');
    let done = false;
    void second.then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(99);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await second).toBe('c:b');
  });

  it('throws a TypeError when applied to something other than a method', () => {
    const bucket = createTokenBucket({ ratePerSecond: 1 });
    const decorator = rateLimited(bucket) as unknown as (
      v: unknown,
      c: { kind: string },
    ) => unknown;
    expect(() => decorator(undefined, { kind: 'field' })).toThrow(
      'Expected @rateLimited to decorate a method, got a field',
    );
  });
});

describe('rateLimited options', () => {
  it('throws a TypeError naming an unknown option and a RangeError for a timeoutMs above 2^31-1 ms', () => {
    const bucket = createTokenBucket({ ratePerSecond: 1 });
    expect(() => rateLimited(async () => {}, bucket, { timeout: 5 } as never)).toThrow(
      new TypeError('Unknown option `timeout`: did you mean `timeoutMs`?'),
    );
    expect(() => rateLimited(async () => {}, bucket, { timeoutMs: 2 ** 31 })).toThrow(
      /^Expected `timeoutMs` to be a finite number between 0 and 2147483647/,
    );
  });
});
