import { deferred } from '@x/internal';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { boom, fail, ok, path, recordTransitions, useFakeClock } from './__fixtures__/calls';
import { createBreaker } from './index';

// When a closed breaker opens: on a run of consecutive failures, or on the failure or slow-call
// rate of its window.

useFakeClock();

describe('createBreaker', () => {
  describe('consecutive failures (behaviour 1)', () => {
    it('opens on exactly the failureThreshold-th consecutive failure', async () => {
      const breaker = createBreaker({ failureThreshold: 3 });
      await fail(breaker, 2);
      expect(breaker.state).toBe('closed');
      await fail(breaker, 1);
      expect(breaker.state).toBe('open');
    });

    it('resets the count when a success comes in between', async () => {
      const breaker = createBreaker({ failureThreshold: 3 });
      await fail(breaker, 2);
      await breaker.execute(ok);
      await fail(breaker, 2);
      expect(breaker.state).toBe('closed');
      await fail(breaker, 1);
      expect(breaker.state).toBe('open');
    });

    it('counts a function that throws synchronously as a failure', async () => {
      const breaker = createBreaker({ failureThreshold: 1 });
      await expect(
        breaker.execute(() => {
          throw new Error('sync');
        }),
      ).rejects.toThrow('sync');
      expect(breaker.state).toBe('open');
    });

    it('opens on the threshold-th failure by completion order among concurrent calls', async () => {
      const breaker = createBreaker({ failureThreshold: 3 });
      const calls = Array.from({ length: 5 }, () => deferred());
      const results = calls.map((d) => breaker.execute(() => d.promise).catch((e) => e));
      for (const d of calls.slice(0, 3)) d.reject(new Error('x'));
      await Promise.all(results.slice(0, 3));
      expect(breaker.state).toBe('open');
      expect(breaker.stats().failures).toBe(3);
      for (const d of calls.slice(3)) d.reject(new Error('late'));
      await Promise.all(results);
      expect(breaker.stats()).toMatchObject({ failures: 3, late: 2 });
    });

    it.each([
      ['the allocation-free path', false],
      ['the instrumented path (listeners)', true],
    ])(
      'opens exactly when a run of failureThreshold failures appears, on %s (property)',
      async (_path, instrumented) => {
        await fc.assert(
          fc.asyncProperty(
            fc.integer({ min: 1, max: 6 }),
            fc.array(fc.boolean(), { maxLength: 40 }),
            async (threshold, outcomes) => {
              const breaker = createBreaker({ failureThreshold: threshold });
              if (instrumented) {
                breaker.onSuccess(() => {});
                breaker.onFailure(() => {});
              }
              let run = 0;
              let expectedOpenAt = -1;
              outcomes.forEach((failed, i) => {
                run = failed ? run + 1 : 0;
                if (run === threshold && expectedOpenAt === -1) expectedOpenAt = i;
              });
              for (const [i, failed] of outcomes.entries()) {
                if (i > expectedOpenAt && expectedOpenAt !== -1) break;
                await breaker.execute(failed ? boom : ok).catch(() => {});
                expect(breaker.state).toBe(i === expectedOpenAt ? 'open' : 'closed');
              }
            },
          ),
          { numRuns: 60 },
        );
      },
    );
  });

  describe('rate windows (behaviour 1)', () => {
    it('never opens on the rate before minimumCalls, and opens when the rate reaches the threshold', async () => {
      const breaker = createBreaker({
        failureThreshold: Number.POSITIVE_INFINITY,
        window: { type: 'count', size: 10, minimumCalls: 4, failureRateThreshold: 0.5 },
      });
      await fail(breaker, 3); // 3 of 3 failed, but below minimumCalls
      expect(breaker.state).toBe('closed');
      await breaker.execute(ok); // 3 of 4 = 75% >= 50%
      expect(breaker.state).toBe('open');
      expect(breaker.stats().window).toMatchObject({ calls: 4, failures: 3 });
    });

    it('opens when the failure rate equals the threshold (inclusive)', async () => {
      const breaker = createBreaker({
        failureThreshold: Number.POSITIVE_INFINITY,
        window: { type: 'count', size: 10, minimumCalls: 10, failureRateThreshold: 0.3 },
      });
      const events = recordTransitions(breaker);
      for (let i = 0; i < 7; i++) await breaker.execute(ok);
      await fail(breaker, 2);
      expect(breaker.state).toBe('closed');
      await fail(breaker, 1); // 3 of 10 = 0.3
      expect(breaker.state).toBe('open');
      expect(path(events)).toEqual(['closed>open:failure-rate']);
    });

    it('opens at the first call where the count-window rate reaches the threshold (property)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 8 }),
          fc.integer({ min: 1, max: 8 }),
          fc.integer({ min: 1, max: 10 }),
          fc.array(fc.boolean(), { maxLength: 30 }),
          async (size, minimumRaw, tenths, outcomes) => {
            const minimumCalls = Math.min(minimumRaw, size);
            const failureRateThreshold = tenths / 10;
            const breaker = createBreaker({
              failureThreshold: Number.POSITIVE_INFINITY,
              window: { type: 'count', size, minimumCalls, failureRateThreshold },
            });
            for (const [i, failed] of outcomes.entries()) {
              await breaker.execute(failed ? boom : ok).catch(() => {});
              const last = outcomes.slice(Math.max(0, i + 1 - size), i + 1);
              const failures = last.filter(Boolean).length;
              const opens =
                last.length >= minimumCalls && failures / last.length >= failureRateThreshold;
              expect(breaker.state).toBe(opens ? 'open' : 'closed');
              if (opens) break;
            }
          },
        ),
        { numRuns: 150 },
      );
    });

    it('keeps only the last size calls in a count window', async () => {
      const breaker = createBreaker({
        failureThreshold: Number.POSITIVE_INFINITY,
        window: { type: 'count', size: 4, minimumCalls: 4, failureRateThreshold: 0.75 },
      });
      await fail(breaker, 2);
      for (let i = 0; i < 4; i++) await breaker.execute(ok); // the failures slid out
      await fail(breaker, 2); // 2 of 4
      expect(breaker.state).toBe('closed');
      await fail(breaker, 1); // 3 of 4
      expect(breaker.state).toBe('open');
    });

    it('forgets the buckets older than a time window after an idle gap', async () => {
      const breaker = createBreaker({
        failureThreshold: Number.POSITIVE_INFINITY,
        window: { type: 'time', durationMs: 10_000, minimumCalls: 4, failureRateThreshold: 0.5 },
      });
      await fail(breaker, 3);
      expect(breaker.stats().window).toMatchObject({ calls: 3, failures: 3 });
      await vi.advanceTimersByTimeAsync(10_000);
      expect(breaker.stats().window).toMatchObject({ calls: 0, failures: 0 });
      await breaker.execute(ok);
      expect(breaker.state).toBe('closed');
      await fail(breaker, 2); // 2 of 3, below minimumCalls
      expect(breaker.state).toBe('closed');
      await fail(breaker, 1); // 3 of 4
      expect(breaker.state).toBe('open');
    });

    it('keeps calls younger than 90% of a time window', async () => {
      const breaker = createBreaker({
        failureThreshold: Number.POSITIVE_INFINITY,
        window: { type: 'time', durationMs: 10_000, minimumCalls: 2, failureRateThreshold: 1 },
      });
      await fail(breaker, 1);
      await vi.advanceTimersByTimeAsync(8_999);
      await fail(breaker, 1);
      expect(breaker.state).toBe('open');
    });

    it('still opens on consecutive failures when a window is set', async () => {
      const breaker = createBreaker({
        failureThreshold: 2,
        window: { type: 'count', size: 100, minimumCalls: 100 },
      });
      const events = recordTransitions(breaker);
      await fail(breaker, 2);
      expect(path(events)).toEqual(['closed>open:failure-threshold']);
    });

    it('opens on the slow-call rate, counting slow successes and slow failures', async () => {
      const breaker = createBreaker({
        failureThreshold: Number.POSITIVE_INFINITY,
        window: { type: 'count', size: 4, minimumCalls: 4, failureRateThreshold: 1 },
        slowCallDurationMs: 1_000,
        slowCallRateThreshold: 0.5,
      });
      const events = recordTransitions(breaker);
      const slow = (fails: boolean) =>
        breaker
          .execute(
            () =>
              new Promise((resolve, reject) =>
                setTimeout(() => (fails ? reject(new Error('slow')) : resolve('x')), 1_000),
              ),
          )
          .catch(() => {});
      await breaker.execute(ok);
      await breaker.execute(ok);
      const first = slow(false);
      await vi.advanceTimersByTimeAsync(1_000);
      await first;
      expect(breaker.state).toBe('closed'); // 3 calls < minimumCalls
      const second = slow(true);
      await vi.advanceTimersByTimeAsync(1_000);
      await second; // 2 slow of 4
      expect(breaker.state).toBe('open');
      expect(path(events)).toEqual(['closed>open:slow-call-rate']);
      expect(breaker.stats().slowCalls).toBe(2);
    });
  });
});
