import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StateChangeEvent } from './index';
import { BreakerOpenError, BreakerProbeTimeoutError, createBreaker } from './index';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const boom = () => Promise.reject(new Error('boom'));

describe('late outcomes', () => {
  it('counts the outcome of a timed-out probe, once its fn settles, as late', async () => {
    const breaker = createBreaker({
      failureThreshold: 1,
      openTimeoutMs: 1_000,
      probeTimeoutMs: 30,
    });
    await breaker.execute(boom).catch(() => {});
    await vi.advanceTimersByTimeAsync(1_000);
    // fn ignores its signal and resolves after the probe timed out.
    const probe = breaker.execute(() => new Promise((r) => setTimeout(() => r('done'), 50)));
    const settled = expect(probe).rejects.toBeInstanceOf(BreakerProbeTimeoutError);
    await vi.advanceTimersByTimeAsync(30);
    await settled;
    expect(breaker.stats()).toMatchObject({ state: 'open', probeTimeouts: 1, late: 0 });
    await vi.advanceTimersByTimeAsync(20);
    expect(breaker.stats()).toMatchObject({ state: 'open', failures: 2, late: 1 });
  });

  it('counts a late rejection of a timed-out probe once, and not when the timeout was late', async () => {
    const breaker = createBreaker({ failureThreshold: 1, openTimeoutMs: 0, probeTimeoutMs: 30 });
    await breaker.execute(boom).catch(() => {});
    const reject = (ms: number) => () =>
      new Promise((_, r) => setTimeout(() => r(new Error('late')), ms));
    const first = breaker.execute(reject(50)).catch(() => {});
    await vi.advanceTimersByTimeAsync(50);
    await first;
    expect(breaker.stats()).toMatchObject({ probeTimeouts: 1, failures: 2, late: 1 });
    // A probe whose timeout comes after the breaker moved on is late once, not twice.
    const second = breaker.execute(reject(50)).catch(() => {});
    breaker.open();
    await vi.advanceTimersByTimeAsync(50);
    await second;
    expect(breaker.stats()).toMatchObject({ probeTimeouts: 1, failures: 2, late: 2 });
  });

  it('counts a synchronous throw after fn opened the breaker as late, like a rejection', async () => {
    const breaker = createBreaker({ failureThreshold: 5 });
    const error = new Error('boom');
    const thrown = breaker.execute(() => {
      breaker.open();
      throw error;
    });
    await expect(thrown).rejects.toBe(error);
    const rejected = createBreaker({ failureThreshold: 5 });
    await rejected
      .execute(() => {
        rejected.open();
        return Promise.reject(error);
      })
      .catch(() => {});
    const counts = { failures: 0, consecutiveFailures: 0, late: 1 };
    expect(breaker.stats()).toMatchObject({ state: 'open', ...counts });
    expect(rejected.stats()).toMatchObject({ state: 'open', ...counts });
  });
});

describe('a state-change listener that reopens on half-open', () => {
  it('rejects the call with BreakerOpenError after a bounded number of turns, never throwing', async () => {
    const breaker = createBreaker({ failureThreshold: 1, openTimeoutMs: 0 });
    const events: StateChangeEvent[] = [];
    breaker.onStateChange((event) => {
      events.push(event);
      if (event.to === 'half-open') breaker.open();
    });
    await breaker.execute(boom).catch(() => {});
    let result: Promise<unknown> | undefined;
    const fn = vi.fn(() => 'ran');
    expect(() => {
      result = breaker.execute(fn);
    }).not.toThrow();
    const error = await result!.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BreakerOpenError);
    expect(error).toMatchObject({ reason: 'open', state: 'open', retryAfterMs: 0 });
    expect(fn).not.toHaveBeenCalled();
    expect(events.length).toBeLessThan(100);
  });
});

describe('a probe still running when the breaker closes', () => {
  const slow = (seen: AbortSignal[]) => (signal: AbortSignal) => {
    seen.push(signal);
    return new Promise((r) => setTimeout(() => r('slow answer'), 100));
  };

  it('is not cut off by probeTimeoutMs after another probe closed the breaker', async () => {
    const breaker = createBreaker({
      failureThreshold: 1,
      openTimeoutMs: 0,
      halfOpenMaxProbes: 2,
      successThreshold: 1,
      probeTimeoutMs: 50,
    });
    await breaker.execute(boom).catch(() => {});
    const seen: AbortSignal[] = [];
    const first = breaker.execute(() => new Promise((r) => setTimeout(() => r('quick'), 5)));
    const second = breaker.execute(slow(seen));
    await vi.advanceTimersByTimeAsync(5);
    await expect(first).resolves.toBe('quick');
    expect(breaker.state).toBe('closed');
    await vi.advanceTimersByTimeAsync(95);
    await expect(second).resolves.toBe('slow answer');
    expect(seen[0]?.aborted).toBe(false);
    // The second probe's outcome belongs to the half-open state that ended: late.
    expect(breaker.stats()).toMatchObject({ state: 'closed', probeTimeouts: 0, late: 1 });
  });

  it('is not cut off by probeTimeoutMs after close()', async () => {
    const breaker = createBreaker({ failureThreshold: 1, openTimeoutMs: 0, probeTimeoutMs: 50 });
    await breaker.execute(boom).catch(() => {});
    const seen: AbortSignal[] = [];
    const probe = breaker.execute(slow(seen));
    breaker.close();
    await vi.advanceTimersByTimeAsync(100);
    await expect(probe).resolves.toBe('slow answer');
    expect(seen[0]?.aborted).toBe(false);
    expect(breaker.stats()).toMatchObject({ state: 'closed', probeTimeouts: 0, late: 1 });
  });
});
