import { addAbortListener, getEventListeners } from 'node:events';
import { deferred } from '@x/internal';
import { describe, expect, it, vi } from 'vitest';
import { fail, ok, useFakeClock } from './__fixtures__/calls';
import { createBreaker } from './index';

// The caller's signal, the signal `fn` gets, and the timers the breaker leaves running.

useFakeClock();

describe('createBreaker', () => {
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
        // One listener for the 50 (a signal gets one however many calls share it).
        expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
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
});
