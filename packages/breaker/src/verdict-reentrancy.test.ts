import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  after,
  boom,
  expectRefusedAsOpen,
  handled,
  ok,
  path,
  recordTransitions,
  toHalfOpen,
} from './__fixtures__/calls';
import type { Breaker, BreakerOptions, BreakerOutcome } from './index';
import { breakerChannels, createBreaker } from './index';

// `execute()` called by a listener of a closed outcome that trips the breaker, or by `classify`:
// the call is judged once the outcome has been acted on, by the state it leaves the breaker in.

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('execute() from a listener of a closed outcome that trips the breaker', () => {
  it('is refused as open without running fn (failure-threshold)', async () => {
    const breaker = createBreaker({ failureThreshold: 1, openTimeoutMs: 100 });
    const events = recordTransitions(breaker);
    const fn = vi.fn(ok);
    let call: Promise<unknown> | undefined;
    breaker.onFailure(() => {
      call = handled(breaker.execute(fn));
    });
    await breaker.execute(boom).catch(() => {});
    await expectRefusedAsOpen(call, 100);
    expect(fn).not.toHaveBeenCalled();
    expect(breaker.stats()).toMatchObject({ state: 'open', calls: 1, rejections: 1, opened: 1 });
    expect(path(events)).toEqual(['closed>open:failure-threshold']);
  });

  it('is refused when the failing call started on the closed path, before the listener', async () => {
    const breaker = createBreaker({ failureThreshold: 1, openTimeoutMs: 100 });
    const fn = vi.fn(ok);
    const failing = breaker.execute(() => after(10, undefined).then(boom));
    failing.catch(() => {});
    let call: Promise<unknown> | undefined;
    breaker.onFailure(() => {
      call = handled(breaker.execute(fn));
    });
    await vi.advanceTimersByTimeAsync(10);
    await expectRefusedAsOpen(call, 100);
    expect(fn).not.toHaveBeenCalled();
  });

  it('is refused when a success completes a failure rate (the window trips on a success)', async () => {
    const breaker = createBreaker({
      failureThreshold: Number.POSITIVE_INFINITY,
      openTimeoutMs: 100,
      window: { type: 'count', size: 2, minimumCalls: 2 },
    });
    await breaker.execute(boom).catch(() => {});
    const fn = vi.fn(ok);
    let call: Promise<unknown> | undefined;
    breaker.onSuccess(() => {
      call = handled(breaker.execute(fn));
    });
    await breaker.execute(ok);
    await expectRefusedAsOpen(call, 100);
    expect(fn).not.toHaveBeenCalled();
    expect(breaker.stats()).toMatchObject({ state: 'open', window: { calls: 2, failures: 1 } });
  });

  it('is refused when made by a failure channel subscriber, or by a listener that left', async () => {
    for (const how of ['channel', 'unsubscribed'] as const) {
      const breaker = createBreaker({ failureThreshold: 1, openTimeoutMs: 100 });
      const fn = vi.fn(ok);
      let call: Promise<unknown> | undefined;
      const onMessage = () => {
        call ??= handled(breaker.execute(fn));
      };
      if (how === 'channel') subscribe(breakerChannels.failure, onMessage);
      else {
        // With no listener left, the closed path would be free again: the call must not take it.
        const off = breaker.onFailure(() => {
          off();
          onMessage();
        });
      }
      try {
        await breaker.execute(boom).catch(() => {});
      } finally {
        if (how === 'channel') unsubscribe(breakerChannels.failure, onMessage);
      }
      await expectRefusedAsOpen(call, 100);
      expect(fn).not.toHaveBeenCalled();
    }
  });

  it('runs at once, closed, when the failure does not trip the breaker', async () => {
    const breaker = createBreaker({ failureThreshold: 2 });
    const fn = vi.fn(ok);
    let call: Promise<unknown> | undefined;
    breaker.onFailure(() => {
      call = breaker.execute(fn);
      expect(fn).toHaveBeenCalledTimes(1);
    });
    await breaker.execute(boom).catch(() => {});
    await expect(call).resolves.toBe('ok');
    // the listener's success came after the failure: the count is reset
    expect(breaker.stats()).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
  });

  it('runs closed when the listener isolates and releases the breaker after calling: the listener wins', async () => {
    const breaker = createBreaker({ failureThreshold: 1 });
    const events = recordTransitions(breaker);
    let call: Promise<unknown> | undefined;
    breaker.onFailure(() => {
      call = breaker.execute(ok);
      breaker.isolate()();
    });
    await breaker.execute(boom).catch(() => {});
    await expect(call).resolves.toBe('ok');
    expect(breaker.stats()).toMatchObject({ state: 'closed', successes: 1, rejections: 0 });
    expect(path(events)).toEqual(['closed>open:isolate', 'open>closed:release']);
  });
});

/**
 * A breaker whose `classify` counts every error as a failure, except once `arm()` was called: the
 * next classification calls `execute(fn)` (its promise is `call()`) and answers `outcome`.
 */
function classifying(outcome: BreakerOutcome, fn: () => Promise<unknown>, options: BreakerOptions) {
  let made: Promise<unknown> | undefined;
  let armed = false;
  const breaker: Breaker = createBreaker({
    openTimeoutMs: 100,
    ...options,
    classify: () => {
      if (!armed) return 'failure';
      armed = false;
      made = handled(breaker.execute(fn));
      return outcome;
    },
  });
  return {
    breaker,
    arm: () => {
      armed = true;
    },
    call: () => made,
  };
}

describe('execute() from classify', () => {
  const HALF_OPEN: BreakerOptions = { failureThreshold: 1, successThreshold: 1 };

  it('never takes the probe slot of the probe being classified: refused once it reopens', async () => {
    const fn = vi.fn(ok);
    const { breaker, arm, call } = classifying('failure', fn, HALF_OPEN);
    await toHalfOpen(breaker);
    arm();
    await breaker.execute(boom).catch(() => {});
    await expectRefusedAsOpen(call(), 100);
    expect(fn).not.toHaveBeenCalled();
    expect(breaker.stats()).toMatchObject({ state: 'open', probes: 1, late: 0 });
  });

  it('runs as the next probe when the probe being classified is ignored', async () => {
    const fn = vi.fn(() => after(10, 'probe'));
    const { breaker, arm, call } = classifying('ignore', fn, HALF_OPEN);
    await toHalfOpen(breaker);
    arm();
    await breaker.execute(boom).catch(() => {});
    expect(fn).toHaveBeenCalledTimes(1);
    expect(breaker.stats()).toMatchObject({ state: 'half-open', probes: 2, probesInFlight: 1 });
    await vi.advanceTimersByTimeAsync(10);
    await expect(call()).resolves.toBe('probe');
    expect(breaker.stats()).toMatchObject({ state: 'closed', late: 0 });
  });

  it('runs closed, not as a probe, when the probe being classified closes the breaker', async () => {
    const fn = vi.fn(() => after(50, 'long'));
    const { breaker, arm, call } = classifying('success', fn, { ...HALF_OPEN, probeTimeoutMs: 30 });
    await toHalfOpen(breaker);
    arm();
    await breaker.execute(boom).catch(() => {});
    await vi.advanceTimersByTimeAsync(50);
    await expect(call()).resolves.toBe('long');
    expect(breaker.stats()).toMatchObject({ state: 'closed', probes: 1, probeTimeouts: 0 });
  });

  it('is refused as open when the closed failure being classified trips the breaker', async () => {
    const fn = vi.fn(ok);
    // No listener: the call would otherwise take the closed path.
    const { breaker, arm, call } = classifying('failure', fn, { failureThreshold: 1 });
    arm();
    await breaker.execute(boom).catch(() => {});
    await expectRefusedAsOpen(call(), 100);
    expect(fn).not.toHaveBeenCalled();
    expect(breaker.stats()).toMatchObject({ state: 'open', calls: 1 });
  });

  it('runs closed once the closed failure being classified has been counted', async () => {
    const fn = vi.fn(ok);
    const { breaker, arm, call } = classifying('failure', fn, { failureThreshold: 2 });
    arm();
    await breaker.execute(boom).catch(() => {});
    await expect(call()).resolves.toBe('ok');
    expect(breaker.stats()).toMatchObject({ state: 'closed', failures: 1, successes: 1 });
  });
});
