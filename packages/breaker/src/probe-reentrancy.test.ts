import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  after,
  boom,
  expectRefusedAsOpen,
  failAfter,
  handled,
  ok,
  path,
  recordTransitions,
  toHalfOpen,
} from './__fixtures__/calls';
import type { Breaker, BreakerOptions } from './index';
import { createBreaker, releaseSharedBreaker, sharedBreaker } from './index';

// `execute()` called by a listener while the breaker reports a half-open probe's outcome: the
// event comes before the transition it causes, and the call is judged by the state that
// transition leads to, never run as a new probe of a half-open state about to end.

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const BASE: BreakerOptions = { failureThreshold: 1, successThreshold: 1, openTimeoutMs: 100 };

const halfOpen = (options: BreakerOptions = {}) =>
  toHalfOpen(createBreaker({ ...BASE, ...options }));

/** Subscribes `listener` to probe outcomes only. */
function onProbe(breaker: Breaker, event: 'success' | 'failure', listener: () => void): void {
  const subscribe = event === 'success' ? breaker.onSuccess : breaker.onFailure;
  subscribe.call(breaker, (e: { probe: boolean }) => {
    if (e.probe) listener();
  });
}

describe('execute() from a listener of a failed probe', () => {
  it('is refused as open without running fn, and the probe reopens the breaker once', async () => {
    const breaker = await halfOpen({ maxOpenTimeoutMs: 1_000 });
    const events = recordTransitions(breaker);
    const fn = vi.fn(ok);
    let call: Promise<unknown> | undefined;
    onProbe(breaker, 'failure', () => {
      call = handled(breaker.execute(fn));
    });
    await breaker.execute(boom).catch(() => {});
    // The open period the failed probe started (grown from 100 ms).
    await expectRefusedAsOpen(call, 200);
    expect(fn).not.toHaveBeenCalled();
    expect(breaker.stats()).toMatchObject({ state: 'open', probes: 1, late: 0, rejections: 1 });
    expect(path(events)).toEqual(['open>half-open:open-timeout', 'half-open>open:probe-failure']);
  });

  it('is refused while a timed-out probe still runs: never two probes with halfOpenMaxProbes 1', async () => {
    const breaker = await halfOpen({ probeTimeoutMs: 30 });
    let running = 0;
    let most = 0;
    const probeFn = (signal: AbortSignal) =>
      new Promise((resolve) => {
        most = Math.max(most, ++running);
        // Still running until it notices the abort, as a real request would.
        signal.addEventListener('abort', () => setTimeout(() => resolve(running--), 5));
      });
    let call: Promise<unknown> | undefined;
    onProbe(breaker, 'failure', () => {
      call = handled(breaker.execute(probeFn));
    });
    const probe = breaker.execute(probeFn).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(30);
    expect(most).toBe(1);
    await expectRefusedAsOpen(call, 100);
    expect((await probe) as Error).toMatchObject({ code: 'X_BREAKER_PROBE_TIMEOUT' });
    expect(breaker.stats()).toMatchObject({ state: 'open', probes: 1, probeTimeouts: 1 });
  });

  it('is refused after a slow probe success reopens the breaker (probe-slow)', async () => {
    const breaker = await halfOpen({
      slowCallDurationMs: 50,
      window: { type: 'count', size: 10 },
    });
    const fn = vi.fn(ok);
    let call: Promise<unknown> | undefined;
    onProbe(breaker, 'success', () => {
      call = handled(breaker.execute(fn));
    });
    const probe = breaker.execute(() => after(50, 'slow'));
    await vi.advanceTimersByTimeAsync(50);
    await expect(probe).resolves.toBe('slow');
    await expectRefusedAsOpen(call, 100);
    expect(fn).not.toHaveBeenCalled();
    expect(breaker.stats()).toMatchObject({ state: 'open', probes: 1 });
  });

  it('runs closed when the listener closes the breaker after calling: the listener wins', async () => {
    const breaker = await halfOpen();
    const events = recordTransitions(breaker);
    let call: Promise<unknown> | undefined;
    onProbe(breaker, 'failure', () => {
      call = breaker.execute(ok);
      breaker.close();
    });
    await breaker.execute(boom).catch(() => {});
    await expect(call).resolves.toBe('ok');
    expect(breaker.stats()).toMatchObject({ state: 'closed', probes: 1, successes: 1, late: 0 });
    expect(path(events)).toEqual(['open>half-open:open-timeout', 'half-open>closed:manual-close']);
  });

  it('is refused the same way by a shared breaker', async () => {
    const breaker = await toHalfOpen(sharedBreaker('probe-reentrancy', BASE));
    try {
      const fn = vi.fn(ok);
      let call: Promise<unknown> | undefined;
      onProbe(breaker, 'failure', () => {
        call = handled(breaker.execute(fn));
      });
      await breaker.execute(boom).catch(() => {});
      await expectRefusedAsOpen(call, 100);
      expect(fn).not.toHaveBeenCalled();
      expect(breaker.stats()).toMatchObject({ state: 'open', probes: 1 });
    } finally {
      releaseSharedBreaker('probe-reentrancy');
    }
  });
});

describe('execute() from a listener of the probe success that closes the breaker', () => {
  it('counts its outcome in the closed period, not as a late probe', async () => {
    const breaker = await halfOpen();
    const events = recordTransitions(breaker);
    let call: Promise<unknown> | undefined;
    onProbe(breaker, 'success', () => {
      call = breaker.execute(() => failAfter(10)).catch((e: unknown) => e);
    });
    await breaker.execute(ok);
    await vi.advanceTimersByTimeAsync(10);
    expect(((await call) as Error).message).toBe('later');
    // failureThreshold 1: its failure, counted while closed, trips the breaker.
    expect(breaker.stats()).toMatchObject({ state: 'open', late: 0, failures: 2 });
    expect(path(events)).toEqual([
      'open>half-open:open-timeout',
      'half-open>closed:probe-success',
      'closed>open:failure-threshold',
    ]);
  });

  it('is not cut off by probeTimeoutMs once the breaker has closed', async () => {
    const breaker = await halfOpen({ probeTimeoutMs: 30 });
    let signal: AbortSignal | undefined;
    let call: Promise<unknown> | undefined;
    onProbe(breaker, 'success', () => {
      call = breaker.execute((s) => {
        signal = s;
        return after(50, 'long answer');
      });
    });
    await breaker.execute(ok);
    await vi.advanceTimersByTimeAsync(50);
    await expect(call).resolves.toBe('long answer');
    expect(signal?.aborted).toBe(false);
    expect(breaker.stats()).toMatchObject({ state: 'closed', probeTimeouts: 0, successes: 2 });
  });

  it('runs every call it makes, closed, instead of refusing those beyond the free probe slot', async () => {
    const breaker = await halfOpen();
    const calls: Promise<unknown>[] = [];
    onProbe(breaker, 'success', () => {
      for (let i = 0; i < 3; i++) calls.push(breaker.execute(() => after(10, i)));
    });
    await breaker.execute(ok);
    expect(breaker.stats()).toMatchObject({ state: 'closed', probesInFlight: 0 });
    await vi.advanceTimersByTimeAsync(10);
    await expect(Promise.all(calls)).resolves.toEqual([0, 1, 2]);
    expect(breaker.stats()).toMatchObject({ rejections: 0, successes: 4, late: 0 });
  });
});

describe('a state-change listener that aborts the call moving the breaker to half-open', () => {
  it('rejects it with the reason, without running fn or holding a probe slot', async () => {
    const breaker = await halfOpen();
    const controller = new AbortController();
    const reason = new Error('caller gone');
    breaker.onStateChange((e) => {
      if (e.to === 'half-open') controller.abort(reason);
    });
    const fn = vi.fn(() => new Promise<never>(() => {}));
    const call = breaker.execute(fn, { signal: controller.signal }).catch((e: unknown) => e);
    expect(fn).not.toHaveBeenCalled();
    expect(breaker.stats()).toMatchObject({ state: 'half-open', probesInFlight: 0 });
    expect(await call).toBe(reason);
    await expect(breaker.execute(ok)).resolves.toBe('ok');
  });
});
