/**
 * A call its store fails lands in `failed`, so a rate limiter's outcome counters add up to its
 * calls even when the store breaks: a sync throw (a custom in-process store), a rejected decision
 * (a remote store's program error), for the caller asking directly and for a waiter at the head.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStore } from './memory-store';
import { createRateLimiter } from './rate-limiter';
import type { RateLimiterStats } from './rate-limiter-api';
import type { BoundRateLimitStore, RateLimitStore } from './store';

afterEach(() => {
  vi.useRealTimers();
});

const BROKEN = new Error('store broken by the test');

/** The memory store, made to throw (or reject, as a remote store) while `broken` is set. */
function breakableStore(remote: boolean): RateLimitStore & { broken: boolean } {
  const inner = createMemoryStore();
  const store = {
    broken: false,
    bind(limits: Parameters<RateLimitStore['bind']>[0]): BoundRateLimitStore {
      const bound = inner.bind(limits);
      const take = (key: string, costs: readonly number[]) => {
        if (!store.broken)
          return remote ? Promise.resolve(bound.take(key, costs)) : bound.take(key, costs);
        if (remote) return Promise.reject(BROKEN);
        throw BROKEN;
      };
      return {
        remote,
        take,
        adjust: (key, deltas) => bound.adjust(key, deltas),
        waitTime: (key, costs) => bound.waitTime(key, costs),
        stats: () => bound.stats(),
        close: () => bound.close(),
      };
    },
  };
  return store;
}

function outcomesOf(stats: RateLimiterStats): number {
  const { admitted, rejected, timedOut, queueFull, aborted, cancelled, failed } = stats;
  return admitted + rejected + timedOut + queueFull + aborted + cancelled + failed;
}

describe('a call its store fails', () => {
  it.each([
    ['an in-process store that throws', false],
    ['a remote store whose decision rejects', true],
  ])('is counted as failed: %s', async (_, remote) => {
    const store = breakableStore(remote);
    const limiter = createRateLimiter({ limits: { r: { ratePerSecond: 1, capacity: 1 } }, store });
    expect(await limiter.tryAcquire('k')).toBe(true);
    store.broken = true;
    await expect(limiter.tryAcquire('k')).rejects.toBe(BROKEN);
    await expect(limiter.acquire('k')).rejects.toBe(BROKEN);
    const stats = limiter.stats();
    expect(stats.failed).toBe(2);
    expect(outcomesOf(stats)).toBe(3);
    await limiter.close();
  });

  it.each([
    ['an in-process store that throws', false],
    ['a remote store whose decision rejects', true],
  ])('is counted as failed when it waited at the head: %s', async (_, remote) => {
    vi.useFakeTimers();
    const store = breakableStore(remote);
    const limiter = createRateLimiter({ limits: { r: { ratePerSecond: 1, capacity: 1 } }, store });
    await limiter.acquire('k');
    const waiting = limiter.acquire('k');
    const settled = waiting.catch((error: unknown) => error);
    // the waiter is queued behind an empty bucket; the store breaks before it asks again
    await vi.advanceTimersByTimeAsync(0);
    store.broken = true;
    await vi.advanceTimersByTimeAsync(1_100);
    expect(await settled).toBe(BROKEN);
    const stats = limiter.stats();
    expect(stats).toMatchObject({ admitted: 1, waited: 1, failed: 1, queued: 0 });
    expect(outcomesOf(stats)).toBe(2);
    await limiter.close();
  });

  it('a waiter that left before its decision failed is counted once, as aborted', async () => {
    const store = breakableStore(true);
    const limiter = createRateLimiter({ limits: { r: { ratePerSecond: 1, capacity: 1 } }, store });
    store.broken = true;
    const controller = new AbortController();
    const pending = limiter.acquire('k', undefined, { signal: controller.signal });
    const settled = pending.catch((error: unknown) => error);
    controller.abort(new Error('left'));
    expect(await settled).toMatchObject({ message: 'left' });
    // let the store's rejection arrive after the waiter left
    await new Promise((resolve) => setTimeout(resolve, 0));
    const stats = limiter.stats();
    expect(stats).toMatchObject({ aborted: 1, failed: 0 });
    expect(outcomesOf(stats)).toBe(1);
    await limiter.close();
  });
});
