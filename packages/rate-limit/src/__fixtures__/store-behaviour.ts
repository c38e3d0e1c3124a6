/**
 * Behaviour tests every store must pass, run against the memory store and a real Redis. They use
 * real time with rates chosen so that the few ms a test takes cannot change an outcome (slow
 * limits refill ~0 during a test; fast ones are only awaited, never timed).
 */
import { describe, expect, it } from 'vitest';
import { isQueueFullError, isRateLimitTimeoutError } from '../errors';
import { createRateLimiter } from '../rate-limiter';
import type { RateLimitStore } from '../store';

export function storeBehaviour(name: string, makeStore: () => RateLimitStore, uniqueKey: () => string) {
  const SLOW = 0.001; // units per second: nothing refills during a test

  describe(`createRateLimiter with the ${name} store`, () => {
    it('admits exactly capacity calls at once and rejects the next one', async () => {
      const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: SLOW, capacity: 3 } }, store: makeStore() });
      const key = uniqueKey();
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await limiter.tryAcquire(key));
      expect(results).toEqual([true, true, true, false]);
      const wait = await limiter.waitTimeMs(key);
      expect(wait).toBeGreaterThan(990_000);
      expect(wait).toBeLessThanOrEqual(1_000_000);
    });

    it('debits nothing when one limit of several refuses (all-or-nothing)', async () => {
      const limiter = createRateLimiter({
        limits: { requests: { ratePerSecond: SLOW, capacity: 2 }, tokens: { ratePerSecond: SLOW, capacity: 100 } },
        store: makeStore(),
      });
      const key = uniqueKey();
      expect(await limiter.tryAcquire(key, { requests: 1, tokens: 80 })).toBe(true);
      expect(await limiter.tryAcquire(key, { requests: 1, tokens: 30 })).toBe(false);
      // the refused call did not take a request: one is left
      expect(await limiter.tryAcquire(key, { requests: 1, tokens: 20 })).toBe(true);
      expect(await limiter.tryAcquire(key, { requests: 1 })).toBe(false);
    });

    it('keeps keys independent', async () => {
      const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: SLOW, capacity: 1 } }, store: makeStore() });
      const a = uniqueKey();
      const b = uniqueKey();
      expect(await limiter.tryAcquire(a)).toBe(true);
      expect(await limiter.tryAcquire(a)).toBe(false);
      expect(await limiter.tryAcquire(b)).toBe(true);
    });

    it('refunds with a negative adjust and charges into debt with a positive one', async () => {
      const limiter = createRateLimiter({
        limits: { requests: { ratePerSecond: SLOW, capacity: 10 }, tokens: { ratePerSecond: SLOW, capacity: 1000 } },
        store: makeStore(),
      });
      const key = uniqueKey();
      expect(await limiter.tryAcquire(key, { requests: 1, tokens: 1000 })).toBe(true);
      expect(await limiter.tryAcquire(key, { tokens: 300 })).toBe(false);
      await limiter.adjust(key, { tokens: -300 });
      expect(await limiter.tryAcquire(key, { tokens: 300 })).toBe(true);
      await limiter.adjust(key, { tokens: 500 }); // the reply was longer than estimated
      expect(await limiter.tryAcquire(key, { tokens: 0.5 })).toBe(false);
      await limiter.adjust(key, { tokens: -5000 }); // a refund never exceeds capacity
      expect(await limiter.tryAcquire(key, { tokens: 1000 })).toBe(true);
      expect(await limiter.tryAcquire(key, { tokens: 1 })).toBe(false);
    });

    it('rejects at once with RateLimitTimeoutError when the predicted wait exceeds timeoutMs', async () => {
      const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 1, capacity: 1 } }, store: makeStore() });
      const key = uniqueKey();
      await limiter.acquire(key);
      const error = await limiter.acquire(key, undefined, { timeoutMs: 100 }).catch((e: unknown) => e);
      expect(isRateLimitTimeoutError(error)).toBe(true);
      expect((error as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(100);
      expect(limiter.stats()).toMatchObject({ timedOut: 1, queued: 0 });
    });

    it('waits for the refill and admits waiters of one key in FIFO order under mixed costs', async () => {
      const limiter = createRateLimiter({ limits: { tokens: { ratePerSecond: 400, capacity: 8 } }, store: makeStore() });
      const key = uniqueKey();
      await limiter.acquire(key, { tokens: 8 });
      const order: number[] = [];
      const costs = [8, 1, 5, 1, 2, 8, 1];
      await Promise.all(costs.map((tokens, i) => limiter.acquire(key, { tokens }).then(() => order.push(i))));
      expect(order).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(limiter.stats()).toMatchObject({ admitted: 8, queued: 0, waitingKeys: 0 });
    });

    it('rejects with QueueFullError past maxQueue and with signal.reason on abort', async () => {
      const limiter = createRateLimiter({
        limits: { requests: { ratePerSecond: SLOW, capacity: 1 } },
        store: makeStore(),
        maxQueue: 1,
      });
      const key = uniqueKey();
      await limiter.acquire(key);
      const controller = new AbortController();
      const waiting = limiter.acquire(key, undefined, { signal: controller.signal });
      // let a remote store answer the first decision, so the waiter is queued
      await new Promise((r) => setTimeout(r, 20));
      const full = await limiter.acquire(key).catch((e: unknown) => e);
      expect(isQueueFullError(full)).toBe(true);
      controller.abort(new Error('left'));
      await expect(waiting).rejects.toThrow('left');
      expect(limiter.stats()).toMatchObject({ aborted: 1, queued: 0, queueFull: 1 });
    });

    it('rejects with QueueFullError instead of waiting when maxQueue is 0', async () => {
      const limiter = createRateLimiter({
        limits: { requests: { ratePerSecond: SLOW, capacity: 1 } },
        store: makeStore(),
        maxQueue: 0,
      });
      const key = uniqueKey();
      await limiter.acquire(key);
      const error = await limiter.acquire(key).catch((e: unknown) => e);
      expect(isQueueFullError(error)).toBe(true);
      expect(limiter.stats()).toMatchObject({ admitted: 1, queueFull: 1, queued: 0, waitingKeys: 0 });
    });

    it('rejects a cost above capacity with RangeError and an unknown limit with TypeError', async () => {
      const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 1, capacity: 2 } }, store: makeStore() });
      await expect(limiter.acquire(uniqueKey(), { requests: 3 })).rejects.toThrow(
        'Expected `costs.requests` to be a finite number >= 0 and <= capacity 2, got `3` (number)',
      );
      await expect(limiter.tryAcquire(uniqueKey(), { tokens: 1 } as never)).rejects.toBeInstanceOf(TypeError);
    });
  });
}
