import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { after, ok, path, recordTransitions, toHalfOpen } from './__fixtures__/calls';
import type { Breaker, BreakerOptions, ClassifyContext } from './index';
import {
  BreakerIgnore,
  breakerChannels,
  createBreaker,
  ignoreOutcome,
  isBreakerError,
  isBreakerIgnore,
} from './index';

// `ignoreOutcome(reason)`: `fn` settles its call as not judged, whatever `classify` says.

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const reason = new Error('the caller stopped reading');
const leftAsync = () => Promise.reject(ignoreOutcome(reason));
const leftSync = () => {
  throw ignoreOutcome(reason);
};
/** A `classify` that counts everything as a failure, recording what it heard. */
function strictClassify() {
  const heard: [unknown, ClassifyContext][] = [];
  const classify = (error: unknown, context: ClassifyContext) => {
    heard.push([error, context]);
    return 'failure' as const;
  };
  return { heard, classify };
}

const NOTHING_COUNTED = { state: 'closed', failures: 0, successes: 0, ignored: 1, late: 0 };

describe('ignoreOutcome()', () => {
  it.each([
    ['a rejection, closed path', leftAsync, false],
    ['a synchronous throw, closed path', leftSync, false],
    ['a rejection, with a signal', leftAsync, true],
    ['a synchronous throw, with a signal', leftSync, true],
  ])(
    'rejects with the reason and counts nothing when fn ends with %s',
    async (_, fn, withSignal) => {
      const { heard, classify } = strictClassify();
      const breaker = createBreaker({ failureThreshold: 1, classify });
      const options = withSignal ? { signal: new AbortController().signal } : undefined;
      await expect(breaker.execute(fn, options)).rejects.toBe(reason);
      expect(breaker.stats()).toMatchObject({ ...NOTHING_COUNTED, consecutiveFailures: 0 });
      // classify hears of it as of a caller's abort; its 'failure' is not used
      expect(heard).toEqual([[reason, { callerAborted: true }]]);
    },
  );

  it('emits no outcome event and keeps the window empty', async () => {
    const breaker = createBreaker({ window: { type: 'count', size: 4, minimumCalls: 1 } });
    const events: string[] = [];
    breaker.onSuccess(() => events.push('success'));
    breaker.onFailure(() => events.push('failure'));
    const published: unknown[] = [];
    const onMessage = (message: unknown) => published.push(message);
    subscribe(breakerChannels.failure, onMessage);
    try {
      await breaker.execute(leftAsync).catch(() => {});
    } finally {
      unsubscribe(breakerChannels.failure, onMessage);
    }
    expect(events).toEqual([]);
    expect(published).toEqual([]);
    expect(breaker.stats()).toMatchObject({ ...NOTHING_COUNTED, window: { calls: 0 } });
  });

  it('frees a half-open probe slot and leaves the breaker half-open; the next call probes', async () => {
    const { classify } = strictClassify();
    const options: BreakerOptions = {
      failureThreshold: 1,
      successThreshold: 1,
      openTimeoutMs: 100,
    };
    const breaker = await toHalfOpen(createBreaker({ ...options, classify }));
    const events = recordTransitions(breaker);
    await expect(breaker.execute(leftAsync)).rejects.toBe(reason);
    expect(breaker.stats()).toMatchObject({ state: 'half-open', probesInFlight: 0, ignored: 1 });
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.stats()).toMatchObject({ state: 'closed', probes: 2, failures: 1 });
    expect(path(events)).toEqual(['open>half-open:open-timeout', 'half-open>closed:probe-success']);
  });

  it('is late, not ignored, when it arrives after the breaker moved on', async () => {
    const breaker = createBreaker({ failureThreshold: 1 });
    const call = breaker.execute(() => after(10, undefined).then(leftAsync));
    call.catch(() => {});
    breaker.open();
    await vi.advanceTimersByTimeAsync(10);
    await expect(call).rejects.toBe(reason);
    expect(breaker.stats()).toMatchObject({ late: 1, ignored: 0 });
  });

  it('is ignored by the breaker of another copy of the package (the brand)', async () => {
    const breaker = createBreaker({ failureThreshold: 1 });
    // What another copy's ignoreOutcome() makes: its class, the same Symbol.for brand.
    const foreign = Object.defineProperties(new Error('foreign'), {
      [Symbol.for('@x/breaker/BreakerIgnore')]: { value: true },
      reason: { value: reason },
    });
    await expect(breaker.execute(() => Promise.reject(foreign))).rejects.toBe(reason);
    expect(breaker.stats()).toMatchObject(NOTHING_COUNTED);
  });

  it('is a plain value when fn resolves with it', async () => {
    const breaker = createBreaker();
    const marker = ignoreOutcome(reason);
    await expect(breaker.execute(() => marker)).resolves.toBe(marker);
    expect(breaker.stats()).toMatchObject({ successes: 1, ignored: 0 });
  });

  it('makes an Error with the reason as cause, and wraps only once', () => {
    const marker = ignoreOutcome(reason);
    expect(marker).toBeInstanceOf(Error);
    expect(marker).toMatchObject({ name: 'BreakerIgnore', reason });
    expect(marker.cause).toBe(reason);
    // the reason's text is not copied into the message
    expect(marker.message).not.toContain(reason.message);
    expect(ignoreOutcome(marker)).toBe(marker);
    expect(isBreakerIgnore(marker)).toBe(true);
    expect(isBreakerIgnore(reason)).toBe(false);
    expect(isBreakerError(marker)).toBe(false);
  });

  it('makes an instance of the exported BreakerIgnore class, as the README tells users to check', () => {
    expect(ignoreOutcome(reason)).toBeInstanceOf(BreakerIgnore);
    expect(reason).not.toBeInstanceOf(BreakerIgnore);
  });

  it('leaves an abort of the caller rejecting with signal.reason, as it is', async () => {
    const breaker: Breaker = createBreaker({ failureThreshold: 1 });
    const controller = new AbortController();
    const marker = ignoreOutcome(reason);
    const call = breaker.execute(() => new Promise(() => {}), { signal: controller.signal });
    controller.abort(marker);
    await expect(call).rejects.toBe(marker);
    expect(breaker.stats()).toMatchObject(NOTHING_COUNTED);
  });
});
