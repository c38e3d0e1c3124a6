import { deferred } from '@x/internal';
import { describe, expect, it, vi } from 'vitest';
import { fail, ok, path, recordTransitions, useFakeClock } from './__fixtures__/calls';
import { createBreaker } from './index';

// `open()`, `close()` and `isolate()`.

useFakeClock();

describe('createBreaker', () => {
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
});
