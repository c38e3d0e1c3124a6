import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { addAbortListener, getEventListeners } from 'node:events';
import { inspect } from 'node:util';
import { deferred } from '@x/internal';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { boom, ok, path, recordTransitions } from './__fixtures__/calls';
import {
  BreakerOpenError,
  BreakerProbeTimeoutError,
  breakerChannels,
  createBreaker,
  isBreakerOpenError,
  isBreakerProbeTimeoutError,
} from './index';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

async function fail(breaker: ReturnType<typeof createBreaker>, times = 1) {
  for (let i = 0; i < times; i++) await breaker.execute(boom).catch(() => {});
}

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

  describe('open (behaviour 2)', () => {
    it('rejects at once without calling fn, with retryAfterMs', async () => {
      const breaker = createBreaker({ failureThreshold: 1, openTimeoutMs: 10_000 });
      await fail(breaker);
      await vi.advanceTimersByTimeAsync(4_000);
      const fn = vi.fn(ok);
      const error = await breaker.execute(fn).catch((e: unknown) => e);
      expect(fn).not.toHaveBeenCalled();
      expect(error).toBeInstanceOf(BreakerOpenError);
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({
        code: 'X_BREAKER_OPEN',
        retryAfterMs: 6_000,
        state: 'open',
        reason: 'open',
        breaker: 'breaker',
        name: 'BreakerOpenError',
      });
      expect(isBreakerOpenError(error)).toBe(true);
    });

    it('keeps its own rejections out of the failure statistics', async () => {
      const breaker = createBreaker({
        failureThreshold: 1,
        window: { type: 'count', size: 10, minimumCalls: 1 },
      });
      await fail(breaker);
      for (let i = 0; i < 5; i++) await breaker.execute(ok).catch(() => {});
      expect(breaker.stats()).toMatchObject({
        failures: 1,
        rejections: 5,
        calls: 1,
        window: { calls: 1, failures: 1 },
      });
    });

    it('rejects before any timer runs', async () => {
      const breaker = createBreaker({ failureThreshold: 1 });
      await fail(breaker);
      let settled = false;
      breaker.execute(ok).catch(() => {
        settled = true;
      });
      await Promise.resolve();
      await Promise.resolve();
      expect(settled).toBe(true);
    });
  });

  describe('half-open probes (behaviour 3)', () => {
    it('lets the next call through as a probe after openTimeoutMs', async () => {
      const breaker = createBreaker({ failureThreshold: 1, openTimeoutMs: 5_000 });
      await fail(breaker);
      await vi.advanceTimersByTimeAsync(4_999);
      await expect(breaker.execute(ok)).rejects.toBeInstanceOf(BreakerOpenError);
      await vi.advanceTimersByTimeAsync(1);
      await expect(breaker.execute(ok)).resolves.toBe('ok');
      expect(breaker.stats()).toMatchObject({ state: 'half-open', probes: 1 });
    });

    it.each([1, 3])(
      'runs exactly %i probe(s) when 100 callers arrive at once',
      async (halfOpenMaxProbes) => {
        const breaker = createBreaker({
          failureThreshold: 1,
          openTimeoutMs: 1_000,
          halfOpenMaxProbes,
        });
        await fail(breaker);
        await vi.advanceTimersByTimeAsync(1_000);
        const gate = deferred();
        const fn = vi.fn(() => gate.promise);
        const results = Array.from({ length: 100 }, () =>
          breaker.execute(fn).then(
            () => 'ran',
            (e: unknown) => (isBreakerOpenError(e) ? e.reason : 'other'),
          ),
        );
        expect(fn).toHaveBeenCalledTimes(halfOpenMaxProbes);
        gate.resolve('ok');
        const outcomes = await Promise.all(results);
        expect(outcomes.filter((o) => o === 'ran')).toHaveLength(halfOpenMaxProbes);
        expect(outcomes.filter((o) => o === 'half-open-full')).toHaveLength(
          100 - halfOpenMaxProbes,
        );
      },
    );

    it('rejects half-open overflow with retryAfterMs 0 and state half-open', async () => {
      const breaker = createBreaker({ failureThreshold: 1, openTimeoutMs: 0 });
      await fail(breaker);
      const gate = deferred();
      const probe = breaker.execute(() => gate.promise);
      const error = await breaker.execute(ok).catch((e: unknown) => e);
      expect(error).toMatchObject({
        state: 'half-open',
        reason: 'half-open-full',
        retryAfterMs: 0,
      });
      gate.resolve('ok');
      await probe;
    });
  });

  describe('closing and reopening (behaviour 4)', () => {
    it('closes after successThreshold probe successes', async () => {
      const breaker = createBreaker({
        failureThreshold: 1,
        successThreshold: 3,
        openTimeoutMs: 100,
      });
      const events = recordTransitions(breaker);
      await fail(breaker);
      await vi.advanceTimersByTimeAsync(100);
      await breaker.execute(ok);
      await breaker.execute(ok);
      expect(breaker.state).toBe('half-open');
      await breaker.execute(ok);
      expect(breaker.state).toBe('closed');
      expect(path(events)).toEqual([
        'closed>open:failure-threshold',
        'open>half-open:open-timeout',
        'half-open>closed:probe-success',
      ]);
    });

    it('reopens on a probe failure and restarts the open period', async () => {
      const breaker = createBreaker({ failureThreshold: 1, openTimeoutMs: 100 });
      const events = recordTransitions(breaker);
      await fail(breaker);
      await vi.advanceTimersByTimeAsync(100);
      await breaker.execute(ok);
      await fail(breaker);
      expect(breaker.state).toBe('open');
      expect(breaker.stats().retryAfterMs).toBe(100);
      expect(path(events).at(-1)).toBe('half-open>open:probe-failure');
    });

    it('grows the open period on repeated failed probes up to maxOpenTimeoutMs, and resets it on close', async () => {
      const breaker = createBreaker({
        failureThreshold: 1,
        successThreshold: 1,
        openTimeoutMs: 1_000,
        maxOpenTimeoutMs: 5_000,
        openTimeoutGrowth: 2,
      });
      await fail(breaker);
      const periods: number[] = [];
      for (let i = 0; i < 4; i++) {
        periods.push(breaker.stats().openTimeoutMs);
        await vi.advanceTimersByTimeAsync(breaker.stats().openTimeoutMs - 1);
        expect(breaker.state).toBe('open');
        await vi.advanceTimersByTimeAsync(1);
        await fail(breaker); // the probe fails
      }
      expect(periods).toEqual([1_000, 2_000, 4_000, 5_000]);
      await vi.advanceTimersByTimeAsync(5_000);
      await breaker.execute(ok);
      expect(breaker.state).toBe('closed');
      await fail(breaker);
      expect(breaker.stats().openTimeoutMs).toBe(1_000);
    });

    it('counts a probe that does not settle within probeTimeoutMs as a failure and frees its slot', async () => {
      const breaker = createBreaker({
        failureThreshold: 1,
        openTimeoutMs: 100,
        probeTimeoutMs: 500,
      });
      const events = recordTransitions(breaker);
      await fail(breaker);
      await vi.advanceTimersByTimeAsync(100);
      let probeSignal: AbortSignal | undefined;
      const hanging = breaker
        .execute((signal) => {
          probeSignal = signal;
          return new Promise(() => {});
        })
        .catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(499);
      expect(breaker.stats().probesInFlight).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      const error = await hanging;
      expect(error).toBeInstanceOf(BreakerProbeTimeoutError);
      expect(isBreakerProbeTimeoutError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'X_BREAKER_PROBE_TIMEOUT', timeoutMs: 500 });
      expect(probeSignal?.aborted).toBe(true);
      expect(probeSignal?.reason).toBe(error);
      expect(breaker.stats()).toMatchObject({
        state: 'open',
        probesInFlight: 0,
        probeTimeouts: 1,
        failures: 2,
      });
      expect(path(events).at(-1)).toBe('half-open>open:probe-timeout');
      expect(vi.getTimerCount()).toBe(0);
    });

    it('clears the probe timer when the probe settles in time', async () => {
      const breaker = createBreaker({ failureThreshold: 1, openTimeoutMs: 0, probeTimeoutMs: 500 });
      await fail(breaker);
      const gate = deferred();
      const probe = breaker.execute(() => gate.promise);
      expect(vi.getTimerCount()).toBe(1);
      gate.resolve('done');
      await expect(probe).resolves.toBe('done');
      expect(vi.getTimerCount()).toBe(0);
    });

    it('reopens when a probe succeeds but is slow', async () => {
      const breaker = createBreaker({
        failureThreshold: 1,
        openTimeoutMs: 0,
        window: { type: 'count', size: 10 },
        slowCallDurationMs: 200,
      });
      const events = recordTransitions(breaker);
      await fail(breaker);
      const probe = breaker.execute(() => new Promise((r) => setTimeout(() => r('late'), 200)));
      await vi.advanceTimersByTimeAsync(200);
      await expect(probe).resolves.toBe('late');
      expect(path(events).at(-1)).toBe('half-open>open:probe-slow');
    });
  });

  describe('classify (behaviour 5)', () => {
    it('never counts ignored outcomes while closed', async () => {
      const breaker = createBreaker({
        failureThreshold: 2,
        window: { type: 'count', size: 5, minimumCalls: 5 },
        classify: (error) => ((error as Error).message === 'expected' ? 'ignore' : 'failure'),
      });
      const expectedError = () => Promise.reject(new Error('expected'));
      await fail(breaker, 1);
      for (let i = 0; i < 10; i++) await breaker.execute(expectedError).catch(() => {});
      expect(breaker.stats()).toMatchObject({
        state: 'closed',
        ignored: 10,
        failures: 1,
        consecutiveFailures: 1,
        window: { calls: 1 },
      });
      await fail(breaker, 1);
      expect(breaker.state).toBe('open');
    });

    it('never closes a half-open breaker on ignored outcomes, and frees their probe slots', async () => {
      const breaker = createBreaker({
        failureThreshold: 1,
        successThreshold: 1,
        openTimeoutMs: 0,
        classify: () => 'ignore',
      });
      breaker.open();
      for (let i = 0; i < 5; i++) await breaker.execute(boom).catch(() => {});
      expect(breaker.stats()).toMatchObject({ state: 'half-open', probesInFlight: 0, ignored: 5 });
    });

    it('counts errors classified as success as successes', async () => {
      const breaker = createBreaker({
        failureThreshold: 1,
        successThreshold: 1,
        openTimeoutMs: 0,
        classify: (error) =>
          (error as { status?: number }).status === 404 ? 'success' : 'failure',
      });
      const notFound = () => Promise.reject(Object.assign(new Error('nope'), { status: 404 }));
      await expect(breaker.execute(notFound)).rejects.toThrow('nope');
      expect(breaker.state).toBe('closed');
      breaker.open();
      await breaker.execute(notFound).catch(() => {}); // a successful probe
      expect(breaker.state).toBe('closed');
    });

    it('ignores the caller abort by default and tells classify about it', async () => {
      const seen: boolean[] = [];
      const breaker = createBreaker({
        failureThreshold: 1,
        classify: (_error, context) => {
          seen.push(context.callerAborted);
          return context.callerAborted ? 'ignore' : 'failure';
        },
      });
      const controller = new AbortController();
      const call = breaker.execute(() => new Promise(() => {}), { signal: controller.signal });
      controller.abort(new Error('caller gave up'));
      await expect(call).rejects.toThrow('caller gave up');
      expect(breaker.state).toBe('closed');
      expect(seen).toEqual([true]);
      expect(breaker.stats().ignored).toBe(1);
    });

    it('counts caller aborts when classify says failure (a caller-side timeout)', async () => {
      const breaker = createBreaker({ failureThreshold: 1, classify: () => 'failure' });
      const controller = new AbortController();
      const call = breaker.execute(() => new Promise(() => {}), { signal: controller.signal });
      controller.abort();
      await expect(call).rejects.toMatchObject({ name: 'AbortError' });
      expect(breaker.state).toBe('open');
    });

    it('counts the error as a failure when classify throws or returns nonsense', async () => {
      const throwing = createBreaker({
        failureThreshold: 1,
        classify: () => {
          throw new Error('bug');
        },
      });
      await fail(throwing);
      expect(throwing.state).toBe('open');
      const nonsense = createBreaker({ failureThreshold: 1, classify: () => 'maybe' as never });
      await fail(nonsense);
      expect(nonsense.state).toBe('open');
    });
  });

  describe('late results (behaviour 6)', () => {
    it('does not extend the open period or emit a second event for a late failure', async () => {
      const breaker = createBreaker({ failureThreshold: 1, openTimeoutMs: 1_000 });
      const events = recordTransitions(breaker);
      const slow = deferred();
      const lateCall = breaker.execute(() => slow.promise).catch(() => {});
      await fail(breaker);
      await vi.advanceTimersByTimeAsync(600);
      slow.reject(new Error('late'));
      await lateCall;
      expect(breaker.stats()).toMatchObject({ retryAfterMs: 400, failures: 1, late: 1 });
      expect(events).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(400);
      expect(breaker.state).toBe('half-open');
    });

    it('does not close an open breaker on a late success', async () => {
      const breaker = createBreaker({
        failureThreshold: 1,
        successThreshold: 1,
        openTimeoutMs: 1_000,
      });
      const slow = deferred();
      const lateCall = breaker.execute(() => slow.promise);
      await fail(breaker);
      slow.resolve('late');
      await expect(lateCall).resolves.toBe('late');
      expect(breaker.state).toBe('open');
      await vi.advanceTimersByTimeAsync(1_000);
      expect(breaker.state).toBe('half-open');
      expect(breaker.stats().late).toBe(1);
    });

    it('does not count a closed-period call as a probe after the breaker went half-open', async () => {
      const breaker = createBreaker({ failureThreshold: 1, successThreshold: 1, openTimeoutMs: 0 });
      const slow = deferred();
      const lateCall = breaker.execute(() => slow.promise);
      await fail(breaker);
      expect(breaker.state).toBe('half-open');
      slow.resolve('late');
      await lateCall;
      expect(breaker.state).toBe('half-open');
    });

    it('ignores a probe that settles after another probe reopened the breaker', async () => {
      const breaker = createBreaker({
        failureThreshold: 1,
        successThreshold: 1,
        openTimeoutMs: 100,
        halfOpenMaxProbes: 2,
      });
      await fail(breaker);
      await vi.advanceTimersByTimeAsync(100);
      const slow = deferred();
      const first = breaker.execute(() => slow.promise);
      await fail(breaker); // the second probe fails: open again
      slow.resolve('late');
      await first;
      expect(breaker.stats()).toMatchObject({ state: 'open', late: 1 });
    });
  });

  describe('events (behaviour 7)', () => {
    it('emits exactly one event per transition, in order, and none for no-ops', async () => {
      const breaker = createBreaker({
        failureThreshold: 2,
        successThreshold: 1,
        openTimeoutMs: 50,
      });
      const events = recordTransitions(breaker);
      breaker.close(); // no-op
      await fail(breaker, 2);
      breaker.open(); // already open: no-op
      await fail(breaker, 3); // rejections
      await vi.advanceTimersByTimeAsync(50);
      expect(breaker.state).toBe('half-open');
      expect(breaker.state).toBe('half-open');
      await breaker.execute(ok);
      breaker.close(); // no-op
      const release = breaker.isolate();
      breaker.isolate()();
      release();
      release(); // second release: no-op
      expect(path(events)).toEqual([
        'closed>open:failure-threshold',
        'open>half-open:open-timeout',
        'half-open>closed:probe-success',
        'closed>open:isolate',
        'open>closed:release',
      ]);
      expect(events.every((e) => e.breaker === 'breaker' && typeof e.time === 'number')).toBe(true);
    });

    it('reports successes, failures and rejections to listeners until unsubscribed', async () => {
      const breaker = createBreaker({ failureThreshold: 2, openTimeoutMs: 1_000 });
      const seen: string[] = [];
      const offSuccess = breaker.onSuccess((e) => seen.push(`success:${e.probe}:${e.durationMs}`));
      const offFailure = breaker.onFailure((e) =>
        seen.push(`failure:${(e.error as Error).message}`),
      );
      const offReject = breaker.onReject((e) => seen.push(`reject:${e.reason}:${e.retryAfterMs}`));
      const timed = breaker.execute(
        () => new Promise((resolve) => setTimeout(() => resolve('slow'), 30)),
      );
      await vi.advanceTimersByTimeAsync(30);
      await timed;
      await fail(breaker, 2);
      await breaker.execute(ok).catch(() => {});
      offSuccess();
      offFailure();
      offReject();
      offReject(); // twice is fine
      await breaker.execute(ok).catch(() => {});
      expect(seen).toEqual([
        'success:false:30',
        'failure:boom',
        'failure:boom',
        'reject:open:1000',
      ]);
    });

    it('reports a throwing listener as a warning naming @x/breaker and the event, and the call still settles as it would', async () => {
      const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
      try {
        const breaker = createBreaker({
          failureThreshold: 1,
          openTimeoutMs: 10,
          successThreshold: 1,
        });
        const seen: string[] = [];
        breaker.onStateChange(() => {
          throw new Error('listener bug');
        });
        breaker.onStateChange((e) => seen.push(e.to));
        // The failure that trips the breaker still rejects with its own error.
        await expect(breaker.execute(boom)).rejects.toThrow('boom');
        expect(breaker.state).toBe('open');
        await vi.advanceTimersByTimeAsync(10);
        // The probe whose success closes the breaker still resolves with its value.
        await expect(breaker.execute(ok)).resolves.toBe('ok');
        expect(breaker.state).toBe('closed');
        expect(seen).toEqual(['open', 'half-open', 'closed']);
        expect(warn).toHaveBeenCalledTimes(3);
        expect(warn).toHaveBeenCalledWith(
          "@x/breaker: a 'state-change' listener threw: Error: listener bug",
          expect.objectContaining({ type: 'XListenerError', code: 'X_BREAKER_LISTENER_ERROR' }),
        );
      } finally {
        warn.mockRestore();
      }
    });

    it('reports a throwing success listener as a warning and still resolves the call', async () => {
      const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
      try {
        const breaker = createBreaker();
        breaker.onSuccess(() => {
          throw new Error('metrics down');
        });
        await expect(breaker.execute(ok)).resolves.toBe('ok');
        expect(breaker.stats()).toMatchObject({ successes: 1, failures: 0 });
        expect(warn).toHaveBeenCalledWith(
          "@x/breaker: a 'success' listener threw: Error: metrics down",
          expect.objectContaining({ type: 'XListenerError' }),
        );
      } finally {
        warn.mockRestore();
      }
    });

    it('reports a throwing logger as a warning instead of failing the call that tripped the breaker', async () => {
      const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
      try {
        const logger = {
          warn: () => {
            throw new Error('log sink full');
          },
        };
        const breaker = createBreaker({ failureThreshold: 1, logger });
        await expect(breaker.execute(boom)).rejects.toThrow('boom');
        expect(breaker.state).toBe('open');
        expect(warn).toHaveBeenCalledWith(
          '@x/breaker: the logger threw: Error: log sink full',
          expect.objectContaining({ type: 'XLoggerError', code: 'X_BREAKER_LOGGER_ERROR' }),
        );
      } finally {
        warn.mockRestore();
      }
    });

    it('throws a TypeError when a listener is not a function', () => {
      const breaker = createBreaker();
      expect(() => breaker.onFailure('x' as never)).toThrow(
        'Expected `listener` to be a function, got `"x"` (string)',
      );
    });

    it('reports the error of a call that classify counted as a success', async () => {
      const breaker = createBreaker({ classify: () => 'success' });
      const events: unknown[] = [];
      breaker.onSuccess((e) => events.push(e.error));
      const error = new Error('404');
      await breaker.execute(() => Promise.reject(error)).catch(() => {});
      expect(events).toEqual([error]);
    });

    it('publishes on node:diagnostics_channel x:breaker:*', async () => {
      const messages: [string, unknown][] = [];
      const handlers = Object.values(breakerChannels).map((name) => {
        const handler = (message: unknown) => messages.push([name, message]);
        subscribe(name, handler);
        return [name, handler] as const;
      });
      try {
        const breaker = createBreaker({ name: 'dc', failureThreshold: 1 });
        await breaker.execute(ok);
        await fail(breaker);
        await breaker.execute(ok).catch(() => {});
        expect(messages.map(([name]) => name)).toEqual([
          'x:breaker:success',
          'x:breaker:failure',
          'x:breaker:state-change',
          'x:breaker:reject',
        ]);
        expect(messages[2]![1]).toMatchObject({ breaker: 'dc', from: 'closed', to: 'open' });
      } finally {
        for (const [name, handler] of handlers) unsubscribe(name, handler);
      }
    });

    it('logs each transition once, structured, at warn when opening and info otherwise', async () => {
      const logger = { warn: vi.fn(), info: vi.fn() };
      vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
      const breaker = createBreaker({
        name: 'llm',
        failureThreshold: 1,
        openTimeoutMs: 10,
        logger,
      });
      await fail(breaker);
      await vi.advanceTimersByTimeAsync(10);
      expect(breaker.state).toBe('half-open');
      expect(logger.warn).toHaveBeenCalledTimes(1);
      expect(logger.warn).toHaveBeenCalledWith(
        {
          package: '@x/breaker',
          event: 'state-change',
          breaker: 'llm',
          from: 'closed',
          to: 'open',
          reason: 'failure-threshold',
          time: Date.parse('2026-01-01T00:00:00Z'),
        },
        'breaker "llm" closed -> open (failure-threshold)',
      );
      expect(logger.info).toHaveBeenCalledTimes(1);
      expect(logger.info.mock.calls[0]![0]).toMatchObject({
        package: '@x/breaker',
        event: 'state-change',
        from: 'open',
        to: 'half-open',
      });
    });

    it('falls back to logger.log when a level is missing', async () => {
      const logger = { log: vi.fn() };
      const breaker = createBreaker({ failureThreshold: 1, logger });
      await fail(breaker);
      expect(logger.log).toHaveBeenCalledTimes(1);
    });
  });

  describe('aborts and timers (behaviour 8)', () => {
    it('frees the probe slot when the probe caller aborts, and rejects with signal.reason', async () => {
      const breaker = createBreaker({ failureThreshold: 1, openTimeoutMs: 0 });
      await fail(breaker);
      const controller = new AbortController();
      let probeSignal: AbortSignal | undefined;
      const probe = breaker.execute(
        (signal) => {
          probeSignal = signal;
          return new Promise(() => {});
        },
        { signal: controller.signal },
      );
      await expect(breaker.execute(ok)).rejects.toMatchObject({ reason: 'half-open-full' });
      const reason = new Error('user left');
      controller.abort(reason);
      await expect(probe).rejects.toBe(reason);
      expect(probeSignal).toBe(controller.signal);
      expect(breaker.stats().probesInFlight).toBe(0);
      await expect(breaker.execute(ok)).resolves.toBe('ok');
    });

    it('aborts the probe function signal when the caller aborts a timed probe', async () => {
      const breaker = createBreaker({
        failureThreshold: 1,
        openTimeoutMs: 0,
        probeTimeoutMs: 1_000,
      });
      await fail(breaker);
      const controller = new AbortController();
      let probeSignal: AbortSignal | undefined;
      const probe = breaker.execute(
        (signal) => {
          probeSignal = signal;
          return new Promise(() => {});
        },
        { signal: controller.signal },
      );
      controller.abort('bye');
      await expect(probe).rejects.toBe('bye');
      expect(probeSignal?.aborted).toBe(true);
      expect(probeSignal?.reason).toBe('bye');
      expect(vi.getTimerCount()).toBe(0);
      expect(breaker.stats()).toMatchObject({ state: 'half-open', probesInFlight: 0 });
    });

    it('rejects with signal.reason without calling fn when the signal is already aborted', async () => {
      const breaker = createBreaker();
      const fn = vi.fn(ok);
      const controller = new AbortController();
      controller.abort('early');
      await expect(breaker.execute(fn, { signal: controller.signal })).rejects.toBe('early');
      expect(fn).not.toHaveBeenCalled();
      expect(breaker.stats().calls).toBe(0);
    });

    it('removes its abort listener when a call settles', async () => {
      const breaker = createBreaker();
      const controller = new AbortController();
      await breaker.execute(ok, { signal: controller.signal });
      controller.abort();
      expect(breaker.stats()).toMatchObject({ successes: 1, ignored: 0 });
    });

    it('gives fn a signal even when the caller passes none', async () => {
      const breaker = createBreaker();
      const seen = await breaker.execute((signal) => signal);
      expect(seen).toBeInstanceOf(AbortSignal);
      expect(seen.aborted).toBe(false);
    });

    it('keeps no listener on the shared signal it gives when the caller passes none', async () => {
      const breaker = createBreaker();
      const signals = new Set<AbortSignal>();
      for (let i = 0; i < 50; i++) {
        await breaker.execute((signal) => {
          signals.add(signal);
          signal.addEventListener('abort', () => {});
          addAbortListener(signal, () => {});
          new Request('http://127.0.0.1/', { signal }); // what fetch does with it
          return i;
        });
      }
      expect(signals.size).toBe(1);
      const [shared] = signals;
      expect(shared!.aborted).toBe(false);
      expect(getEventListeners(shared!, 'abort')).toHaveLength(0);
    });

    it('prints no MaxListenersExceededWarning when 50 concurrent calls share one signal', async () => {
      const warn = vi.spyOn(process, 'emitWarning');
      try {
        const breaker = createBreaker();
        const controller = new AbortController();
        const pending = Array.from({ length: 50 }, () => deferred());
        const calls = pending.map((call) =>
          breaker.execute(() => call.promise, { signal: controller.signal }),
        );
        expect(getEventListeners(controller.signal, 'abort')).toHaveLength(50);
        for (const call of pending) call.resolve('ok');
        await expect(Promise.all(calls)).resolves.toHaveLength(50);
        expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
        const names = warn.mock.calls.map(([warning]) =>
          typeof warning === 'string' ? warning : warning.name,
        );
        expect(names).not.toContain('MaxListenersExceededWarning');
      } finally {
        warn.mockRestore();
      }
    });

    it('runs no timer while idle, closed, open or half-open', async () => {
      const breaker = createBreaker({
        failureThreshold: 1,
        openTimeoutMs: 1_000,
        probeTimeoutMs: 100,
        window: { type: 'time', durationMs: 1_000 },
      });
      expect(vi.getTimerCount()).toBe(0);
      await breaker.execute(ok);
      expect(vi.getTimerCount()).toBe(0);
      await fail(breaker);
      expect(breaker.state).toBe('open');
      expect(vi.getTimerCount()).toBe(0);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(breaker.state).toBe('half-open');
      expect(vi.getTimerCount()).toBe(0);
      await breaker.execute(ok);
      expect(vi.getTimerCount()).toBe(0);
      breaker.isolate();
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  describe('manual control', () => {
    it('opens on open() and recovers through half-open after the open period', async () => {
      const breaker = createBreaker({ openTimeoutMs: 500, successThreshold: 1 });
      const events = recordTransitions(breaker);
      breaker.open();
      await expect(breaker.execute(ok)).rejects.toMatchObject({
        reason: 'open',
        retryAfterMs: 500,
      });
      await vi.advanceTimersByTimeAsync(500);
      await breaker.execute(ok);
      expect(path(events)).toEqual([
        'closed>open:manual-open',
        'open>half-open:open-timeout',
        'half-open>closed:probe-success',
      ]);
    });

    it('restarts the open period when open() is called while open', async () => {
      const breaker = createBreaker({ openTimeoutMs: 500 });
      breaker.open();
      await vi.advanceTimersByTimeAsync(400);
      breaker.open();
      expect(breaker.stats().retryAfterMs).toBe(500);
    });

    it('closes on close() and clears the counters', async () => {
      const breaker = createBreaker({ failureThreshold: 2 });
      await fail(breaker, 2);
      breaker.close();
      expect(breaker.state).toBe('closed');
      await fail(breaker, 1);
      expect(breaker.state).toBe('closed');
    });

    it('stays open until every isolation is released, whatever open() and close() say', async () => {
      const breaker = createBreaker({ openTimeoutMs: 10 });
      const events = recordTransitions(breaker);
      const releaseA = breaker.isolate();
      const releaseB = breaker.isolate();
      const error = await breaker.execute(ok).catch((e: unknown) => e);
      expect(error).toMatchObject({ reason: 'isolated', retryAfterMs: Number.POSITIVE_INFINITY });
      breaker.close();
      breaker.open();
      await vi.advanceTimersByTimeAsync(1_000);
      expect(breaker.state).toBe('open');
      releaseA();
      releaseA();
      expect(breaker.state).toBe('open');
      expect(breaker.stats()).toMatchObject({ isolations: 1, retryAfterMs: null });
      releaseB();
      expect(breaker.state).toBe('closed');
      expect(path(events)).toEqual(['closed>open:isolate', 'open>closed:release']);
    });

    it('opens a half-open breaker on open() and drops its running probes as late', async () => {
      const breaker = createBreaker({ failureThreshold: 1, openTimeoutMs: 0, successThreshold: 1 });
      const events = recordTransitions(breaker);
      await fail(breaker);
      const slow = deferred();
      const probe = breaker.execute(() => slow.promise);
      breaker.open();
      slow.resolve('done');
      await probe;
      expect(path(events).slice(-2)).toEqual([
        'open>half-open:open-timeout',
        'half-open>open:manual-open',
      ]);
      expect(breaker.stats()).toMatchObject({ late: 1, probesInFlight: 0 });
    });

    it('isolates a half-open breaker and drops its running probes as late', async () => {
      const breaker = createBreaker({ failureThreshold: 1, openTimeoutMs: 0, successThreshold: 1 });
      await fail(breaker);
      const slow = deferred();
      const probe = breaker.execute(() => slow.promise);
      const release = breaker.isolate();
      slow.resolve('done');
      await probe;
      expect(breaker.stats()).toMatchObject({ state: 'open', late: 1 });
      release();
    });
  });

  describe('execute arguments', () => {
    it('throws a TypeError when fn is not a function', () => {
      const breaker = createBreaker();
      expect(() => breaker.execute(42 as never)).toThrow(
        'Expected `fn` to be a function, got `42` (number)',
      );
    });

    it('throws a TypeError naming an unknown option key and the closest known one', () => {
      const breaker = createBreaker();
      const signal = new AbortController().signal;
      expect(() => breaker.execute(ok, { sginal: signal } as never)).toThrow(
        new TypeError('Unknown option `sginal`: did you mean `signal`?'),
      );
      expect(() => breaker.execute(ok, 'fast' as never)).toThrow(
        'Expected `options` to be an object like { signal }, got `"fast"` (string)',
      );
      expect(breaker.stats().calls).toBe(0);
    });

    it('throws a TypeError for options that are an array or a class instance, running nothing', () => {
      const breaker = createBreaker();
      let ran = 0;
      const fn = async () => ++ran;
      expect(() => breaker.execute(fn, [] as never)).toThrow(
        new TypeError('Expected `options` to be an object like { signal }, got `[]` (array)'),
      );
      expect(() => breaker.execute(fn, new Map() as never)).toThrow(
        /^Expected `options` to be an object like \{ signal \}, got /,
      );
      expect(ran).toBe(0);
      expect(breaker.stats().calls).toBe(0);
    });

    it('throws a TypeError when signal is not an AbortSignal', () => {
      const breaker = createBreaker();
      expect(() => breaker.execute(ok, { signal: 'nope' as never })).toThrow(TypeError);
    });

    it('infers the result type from fn', async () => {
      const breaker = createBreaker();
      const fromAsync = breaker.execute(async () => 1);
      const fromValue = breaker.execute(() => 'text');
      expectTypeOf(fromAsync).toEqualTypeOf<Promise<number>>();
      expectTypeOf(fromValue).toEqualTypeOf<Promise<string>>();
      await expect(Promise.all([fromAsync, fromValue])).resolves.toEqual([1, 'text']);
    });

    it('takes the closed path when signal is explicitly undefined', async () => {
      const breaker = createBreaker();
      await expect(breaker.execute(ok, { signal: undefined })).resolves.toBe('ok');
      expect(breaker.stats().successes).toBe(1);
    });

    it('resolves with what fn returns, also for a plain value', async () => {
      const breaker = createBreaker();
      await expect(breaker.execute(() => 7)).resolves.toBe(7);
    });

    it('adopts a thenable and a Promise subclass, and returns a native promise for each', async () => {
      class Tracked<T> extends Promise<T> {}
      const breaker = createBreaker({ failureThreshold: 2 });
      const thenable = {
        // biome-ignore lint/suspicious/noThenProperty: a thenable is what this test hands execute()
        then: (resolve: (v: number) => void) => resolve(8),
      } as PromiseLike<number>;
      const fromThenable = breaker.execute(() => thenable);
      const fromSubclass = breaker.execute(() => Tracked.resolve(9));
      const rejected = breaker.execute(() => Tracked.reject(new Error('sub')));
      for (const p of [fromThenable, fromSubclass, rejected]) {
        expect(Object.getPrototypeOf(p)).toBe(Promise.prototype);
      }
      await expect(fromThenable).resolves.toBe(8);
      await expect(fromSubclass).resolves.toBe(9);
      await expect(rejected).rejects.toThrow('sub');
      expect(breaker.stats()).toMatchObject({ successes: 2, failures: 1 });
    });
  });

  describe('stats', () => {
    it('returns a JSON-serialisable snapshot that never resets counters', async () => {
      const breaker = createBreaker({
        name: 'stats',
        failureThreshold: 2,
        window: { type: 'count', size: 10 },
      });
      await breaker.execute(ok);
      await fail(breaker, 2);
      await breaker.execute(ok).catch(() => {});
      const first = breaker.stats();
      expect(JSON.parse(JSON.stringify(first))).toEqual(first);
      expect(first).toEqual({
        name: 'stats',
        state: 'open',
        isolations: 0,
        calls: 3,
        successes: 1,
        failures: 2,
        ignored: 0,
        slowCalls: 0,
        rejections: 1,
        late: 0,
        probes: 0,
        probeTimeouts: 0,
        probesInFlight: 0,
        opened: 1,
        consecutiveFailures: 0,
        consecutiveSuccesses: 0,
        openTimeoutMs: 30_000,
        retryAfterMs: 30_000,
        window: {
          type: 'count',
          calls: 3,
          failures: 2,
          slow: 0,
          failureRate: 2 / 3,
          slowCallRate: 0,
        },
      });
      expect(breaker.stats()).toEqual(first);
    });

    it('is what util.inspect (console.log) prints, not the private fields', () => {
      const breaker = createBreaker({ name: 'shown' });
      const text = inspect(breaker);
      expect(text).toMatch(/^Breaker \{\s+name: 'shown',\s+state: 'closed',/);
      expect(text).toContain('calls: 0');
      expect(text).not.toMatch(/stateCode|generation|Channel|onClosed/);
      expect(inspect({ a: { b: breaker } }, { depth: 1 })).toBe('{ a: { b: [Breaker] } }');
    });
  });
});
