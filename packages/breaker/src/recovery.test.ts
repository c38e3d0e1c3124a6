import { deferred } from '@x/internal';
import { describe, expect, it, vi } from 'vitest';
import { fail, ok, path, recordTransitions, useFakeClock } from './__fixtures__/calls';
import {
  BreakerOpenError,
  BreakerProbeTimeoutError,
  createBreaker,
  isBreakerOpenError,
  isBreakerProbeTimeoutError,
} from './index';

// An open breaker: what it refuses, the probes it lets through once the open period is over, how
// they close or reopen it, and the results that come back after the state moved on.

useFakeClock();

describe('createBreaker', () => {
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
      // It reopens the breaker like a failed probe, and is counted as what it was: a success.
      expect(breaker.stats()).toMatchObject({ successes: 1, failures: 1, slowCalls: 1 });
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
});
