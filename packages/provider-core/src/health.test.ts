import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { healthDeadline, healthStatus, piecesHealth } from './health';
import type { ProviderCore } from './provider-core';

/** Just the getters piecesHealth reads. */
function coreWith(pieces: { state?: string; queued?: number }): ProviderCore {
  return {
    breaker: pieces.state === undefined ? undefined : { state: pieces.state },
    rateLimiter:
      pieces.queued === undefined ? undefined : { stats: () => ({ queued: pieces.queued }) },
    cache: undefined,
    pool: undefined,
  } as unknown as ProviderCore;
}

describe('healthDeadline', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('aborts with the timeout error at timeoutMs, and never once cleared', () => {
    const fired = healthDeadline({ timeoutMs: 100 }, (ms) => new Error(`after ${ms}`));
    const cleared = healthDeadline({ timeoutMs: 100 }, (ms) => new Error(`after ${ms}`));
    cleared.clear();
    vi.advanceTimersByTime(99);
    expect(fired.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(fired.signal.reason).toEqual(new Error('after 100'));
    expect(cleared.signal.aborted).toBe(false);
  });

  it("follows the caller's signal and defaults to 5 s", () => {
    const caller = new AbortController();
    const deadline = healthDeadline({ signal: caller.signal }, (ms) => new Error(`after ${ms}`));
    caller.abort(new Error('mine'));
    expect(deadline.signal.reason).toEqual(new Error('mine'));
    const idle = healthDeadline({}, (ms) => new Error(`after ${ms}`));
    vi.advanceTimersByTime(5_000);
    expect(idle.signal.reason).toEqual(new Error('after 5000'));
  });

  it('throws a RangeError for a timeoutMs below 1', () => {
    expect(() => healthDeadline({ timeoutMs: 0 }, () => new Error())).toThrow(RangeError);
  });

  it('names the closest known key for a misspelt option, which would drop the deadline', () => {
    const timeout = { timeout: 1 } as never;
    expect(() => healthDeadline(timeout, () => new Error())).toThrow(
      new TypeError('Unknown option `options.timeout`: did you mean `options.timeoutMs`?'),
    );
    const sigal = { sigal: new AbortController().signal } as never;
    expect(() => healthDeadline(sigal, () => new Error())).toThrow(
      new TypeError('Unknown option `options.sigal`: did you mean `options.signal`?'),
    );
  });

  it('names options.signal for a signal that is not an AbortSignal', () => {
    for (const signal of [null, 'x', {}]) {
      expect(() => healthDeadline({ signal } as never, () => new Error())).toThrow(
        /^Expected `options\.signal` to be an AbortSignal, got /,
      );
    }
  });

  it('refuses options that are not an object, an array included, and starts no timer', () => {
    for (const options of [5, 'x', [], null, new Map()]) {
      expect(() => healthDeadline(options as never, () => new Error())).toThrow(
        /^Expected `options` to be an object like \{ signal, timeoutMs \}, got /,
      );
    }
    expect(vi.getTimerCount()).toBe(0);
  });

  it('takes options left out as the defaults', () => {
    const deadline = healthDeadline(undefined, (ms) => new Error(`after ${ms}`));
    vi.advanceTimersByTime(5_000);
    expect(deadline.signal.reason).toEqual(new Error('after 5000'));
  });
});

describe('piecesHealth', () => {
  it('gives a reason for an open breaker and for callers queued in the limiter', () => {
    const pieces = piecesHealth(coreWith({ state: 'open', queued: 2 }));
    expect(pieces.reasons).toEqual([
      'circuit breaker open',
      '2 call(s) waiting for the rate limiter',
    ]);
    expect(pieces.breaker).toEqual({ state: 'open' });
  });

  it('gives no reason and no breaker when nothing is composed', () => {
    expect(piecesHealth(coreWith({}))).toEqual({
      reasons: [],
      breaker: undefined,
      rateLimit: undefined,
      cache: undefined,
      pool: undefined,
    });
  });
});

describe('healthStatus', () => {
  it('is unhealthy when down or the breaker is open, degraded with a reason, healthy otherwise', () => {
    const closed = piecesHealth(coreWith({ state: 'closed' }));
    const open = piecesHealth(coreWith({ state: 'open' }));
    expect(healthStatus(true, closed, [])).toBe('unhealthy');
    expect(healthStatus(false, open, open.reasons)).toBe('unhealthy');
    expect(healthStatus(false, closed, ['slow'])).toBe('degraded');
    expect(healthStatus(false, closed, [])).toBe('healthy');
  });
});
