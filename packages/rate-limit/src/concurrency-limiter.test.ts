import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import { deferred } from '@x/internal';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { track } from './__fixtures__/test-setup';
import { createConcurrencyLimiter, type Release } from './concurrency-limiter';
import {
  isConcurrencyTimeoutError,
  isQueueFullError,
  isRateLimitClosedError,
  isRateLimitError,
} from './errors';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('createConcurrencyLimiter', () => {
  it('throws a RangeError for a maxConcurrent that is not an integer >= 1', () => {
    expect(() => createConcurrencyLimiter({ maxConcurrent: 0 })).toThrow(
      new RangeError('Expected `maxConcurrent` to be an integer >= 1, got `0` (number)'),
    );
    expect(() => createConcurrencyLimiter({ maxConcurrent: 1.5 })).toThrow(RangeError);
    expect(() => createConcurrencyLimiter({ maxConcurrent: '2' as never })).toThrow(TypeError);
  });

  it('throws a RangeError naming timeoutMs above 2^31-1 ms and a TypeError for an unknown key', () => {
    expect(() => createConcurrencyLimiter({ maxConcurrent: 1, timeoutMs: 2 ** 31 })).toThrow(
      /^Expected `timeoutMs` to be a finite number between 0 and 2147483647/,
    );
    expect(() => createConcurrencyLimiter({ maxConcurent: 2 } as never)).toThrow(
      new TypeError('Unknown option `maxConcurent`: did you mean `maxConcurrent`?'),
    );
  });
});

describe('ConcurrencyLimiter.stats', () => {
  it('is a JSON-serialisable snapshot: an unbounded queue reads null, a bounded one its size', () => {
    const unbounded = createConcurrencyLimiter({ maxConcurrent: 2 }).stats();
    expect(unbounded.maxQueue).toBeNull();
    expect(JSON.parse(JSON.stringify(unbounded))).toEqual(unbounded);
    expect(createConcurrencyLimiter({ maxConcurrent: 2, maxQueue: 5 }).stats().maxQueue).toBe(5);
  });

  it('is what util.inspect (console.log) prints, not the private fields', () => {
    const limiter = createConcurrencyLimiter({ maxConcurrent: 2 });
    const text = inspect(limiter);
    expect(text).toMatch(/^ConcurrencyLimiter \{\s+maxConcurrent: 2,\s+maxQueue: null,/);
    expect(text).toContain('active: 0');
    expect(text).not.toMatch(/WaiterQueue|Topic|timeoutMs/);
    expect(inspect({ a: { b: limiter } }, { depth: 1 })).toBe('{ a: { b: [ConcurrencyLimiter] } }');
  });
});

describe('ConcurrencyLimiter.acquire', () => {
  it('admits maxConcurrent callers at once and the rest in FIFO order as slots are released', async () => {
    const limiter = createConcurrencyLimiter({ maxConcurrent: 2 });
    const order: number[] = [];
    const releases: Release[] = [];
    const calls = Array.from({ length: 5 }, (_, i) =>
      limiter.acquire().then((release) => {
        order.push(i);
        releases.push(release);
      }),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(order).toEqual([0, 1]);
    expect(limiter.stats()).toMatchObject({ active: 2, queued: 3 });
    releases[1]!();
    await vi.advanceTimersByTimeAsync(0);
    releases[0]!();
    await vi.advanceTimersByTimeAsync(0);
    expect(order).toEqual([0, 1, 2, 3]);
    releases[2]!();
    await Promise.all(calls);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(limiter.stats()).toMatchObject({ active: 2, queued: 0, admitted: 5, waited: 3 });
  });

  it('frees a slot only once when release is called twice', async () => {
    const limiter = createConcurrencyLimiter({ maxConcurrent: 1 });
    const release = await limiter.acquire();
    const second = track(limiter.acquire());
    const third = track(limiter.acquire());
    release();
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(second.settled).toBe(true);
    expect(third.settled).toBe(false);
    expect(limiter.stats()).toMatchObject({ active: 1, queued: 1, released: 1 });
  });

  it('rejects with signal.reason on abort and gives the queue place to the next caller', async () => {
    const limiter = createConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 1 });
    const release = await limiter.acquire();
    const controller = new AbortController();
    const leaving = track(limiter.acquire({ signal: controller.signal }));
    expect(isQueueFullError(await limiter.acquire().catch((e: unknown) => e))).toBe(true);
    controller.abort('gone');
    await vi.advanceTimersByTimeAsync(0);
    expect(leaving).toMatchObject({ settled: true, error: 'gone' });
    const next = track(limiter.acquire()); // the freed place
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(next.settled).toBe(true);
    expect(limiter.stats()).toMatchObject({ aborted: 1, queueFull: 1, active: 1, queued: 0 });
  });

  it('rejects at once with signal.reason when the signal is already aborted', async () => {
    const limiter = createConcurrencyLimiter({ maxConcurrent: 1 });
    await expect(limiter.acquire({ signal: AbortSignal.abort('early') })).rejects.toBe('early');
    expect(limiter.stats()).toMatchObject({ active: 0, aborted: 1 });
  });

  it('rejects with ConcurrencyTimeoutError once timeoutMs passes without a slot, and frees its place', async () => {
    const limiter = createConcurrencyLimiter({ maxConcurrent: 1, timeoutMs: 1_000 });
    const events: unknown[] = [];
    limiter.onReject((e) => events.push(e));
    const release = await limiter.acquire();
    const waiting = track(limiter.acquire());
    const patient = track(limiter.acquire({ timeoutMs: 5_000 }));
    await vi.advanceTimersByTimeAsync(999);
    expect(waiting.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(isConcurrencyTimeoutError(waiting.error)).toBe(true);
    expect(waiting.error).toMatchObject({
      code: 'X_RATE_LIMIT_CONCURRENCY_TIMEOUT',
      timeoutMs: 1_000,
      maxConcurrent: 1,
    });
    expect(events).toEqual([{ reason: 'timeout', active: 1, queued: 1 }]);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(patient.settled).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at once with timeoutMs 0 when no slot is free, and with QueueFullError when maxQueue is 0', async () => {
    const now = createConcurrencyLimiter({ maxConcurrent: 1 });
    await now.acquire();
    const error = await now.acquire({ timeoutMs: 0 }).catch((e: unknown) => e);
    expect(isConcurrencyTimeoutError(error)).toBe(true);
    const noQueue = createConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 0 });
    await noQueue.acquire();
    const full = await noQueue.acquire().catch((e: unknown) => e);
    expect(full).toMatchObject({ code: 'X_RATE_LIMIT_QUEUE_FULL', maxQueue: 0 });
  });

  it('prints no MaxListenersExceededWarning with 50 callers sharing one signal', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const limiter = createConcurrencyLimiter({ maxConcurrent: 1 });
    const controller = new AbortController();
    const calls = Array.from({ length: 50 }, () =>
      limiter.acquire({ signal: controller.signal }).catch((e: unknown) => e),
    );
    await vi.advanceTimersByTimeAsync(0);
    await new Promise((resolve) => process.nextTick(resolve));
    process.off('warning', onWarning);
    controller.abort('done');
    expect((await Promise.all(calls)).slice(1)).toEqual(Array(49).fill('done'));
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  it('throws a TypeError naming an unknown per-call option', async () => {
    const limiter = createConcurrencyLimiter({ maxConcurrent: 1 });
    await expect(limiter.acquire({ timeout: 5 } as never)).rejects.toThrow(
      new TypeError('Unknown option `timeout`: did you mean `timeoutMs`?'),
    );
  });
});

describe('ConcurrencyLimiter.tryAcquire', () => {
  it('takes a free slot, and returns undefined when all are held or someone waits', async () => {
    const limiter = createConcurrencyLimiter({ maxConcurrent: 1 });
    const release = limiter.tryAcquire();
    expect(release).toBeTypeOf('function');
    expect(limiter.tryAcquire()).toBeUndefined();
    const waiting = track(limiter.acquire());
    release!();
    expect(limiter.tryAcquire()).toBeUndefined(); // the slot went to the waiter, FIFO
    await vi.advanceTimersByTimeAsync(0);
    expect(waiting.settled).toBe(true);
    expect(limiter.stats()).toMatchObject({ rejected: 2, admitted: 2 });
  });
});

describe('ConcurrencyLimiter.run', () => {
  it('never runs more than maxConcurrent functions at once, and runs them all', async () => {
    const limiter = createConcurrencyLimiter({ maxConcurrent: 3 });
    let running = 0;
    let peak = 0;
    const calls = Array.from({ length: 20 }, (_, i) =>
      limiter.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 10 + (i % 4)));
        running--;
        return i;
      }),
    );
    await vi.advanceTimersByTimeAsync(200);
    const results = await Promise.all(calls);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(peak).toBe(3);
    expect(limiter.stats()).toMatchObject({ active: 0, admitted: 20, released: 20 });
  });

  it('releases the slot when fn throws, rejects or resolves', async () => {
    const limiter = createConcurrencyLimiter({ maxConcurrent: 1 });
    await expect(
      limiter.run(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    await expect(limiter.run(() => Promise.reject(new Error('async')))).rejects.toThrow('async');
    expect(await limiter.run(() => 'plain')).toBe('plain');
    expect(limiter.stats()).toMatchObject({ active: 0, admitted: 3, released: 3 });
  });

  it('holds the slot until fn settles, whatever the signal does after it started', async () => {
    const limiter = createConcurrencyLimiter({ maxConcurrent: 1 });
    const work = deferred<string>();
    const controller = new AbortController();
    const running = track(limiter.run(() => work.promise, { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(0);
    controller.abort();
    expect(limiter.active).toBe(1);
    work.resolve('done');
    await vi.advanceTimersByTimeAsync(0);
    expect(running).toMatchObject({ settled: true, value: 'done' });
    expect(limiter.active).toBe(0);
  });

  it('rejects with a TypeError when fn is not a function', async () => {
    const limiter = createConcurrencyLimiter({ maxConcurrent: 1 });
    await expect(limiter.run('x' as never)).rejects.toThrow(
      new TypeError('Expected `fn` to be a function, got `"x"` (string)'),
    );
  });
});

describe('ConcurrencyLimiter.close', () => {
  it('rejects every waiter with RateLimitClosedError and refuses later calls', async () => {
    const limiter = createConcurrencyLimiter({ maxConcurrent: 1, timeoutMs: 10_000 });
    const release = await limiter.acquire();
    const waiting = track(limiter.acquire());
    limiter.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(isRateLimitClosedError(waiting.error)).toBe(true);
    expect(waiting.error).toMatchObject({ code: 'X_RATE_LIMIT_CLOSED', name: 'AbortError' });
    expect(isRateLimitError(waiting.error)).toBe(true);
    await expect(limiter.acquire()).rejects.toMatchObject({ code: 'X_RATE_LIMIT_CLOSED' });
    expect(limiter.tryAcquire()).toBeUndefined();
    release(); // a slot held across close() is still given back
    expect(limiter.stats()).toMatchObject({ active: 0, queued: 0, closed: true });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('closes at the end of an await using block', async () => {
    let waiting: ReturnType<typeof track<Release>> | undefined;
    let seen: ReturnType<typeof createConcurrencyLimiter> | undefined;
    {
      await using limiter = createConcurrencyLimiter({ maxConcurrent: 1 });
      seen = limiter;
      await limiter.acquire();
      waiting = track(limiter.acquire());
    }
    await vi.advanceTimersByTimeAsync(0);
    expect(seen.stats().closed).toBe(true);
    expect(isRateLimitClosedError(waiting.error)).toBe(true);
  });
});

describe('ConcurrencyLimiter events', () => {
  it('publishes rejections on x:rate-limit:concurrency-reject and survives a throwing listener', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const limiter = createConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 0 });
    const published: unknown[] = [];
    const onMessage = (message: unknown) => published.push(message);
    subscribe('x:rate-limit:concurrency-reject', onMessage);
    limiter.onReject(() => {
      throw new Error('listener bug');
    });
    await limiter.acquire();
    const error = await limiter.acquire().catch((e: unknown) => e);
    unsubscribe('x:rate-limit:concurrency-reject', onMessage);
    expect(isQueueFullError(error)).toBe(true);
    expect(published).toEqual([{ reason: 'queue-full', active: 1, queued: 0 }]);
    expect(warn).toHaveBeenCalledWith(
      "@x/rate-limit: a 'concurrency-reject' listener threw: Error: listener bug",
      expect.objectContaining({ type: 'XListenerError', code: 'X_RATE_LIMIT_LISTENER_ERROR' }),
    );
  });
});
