import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBreaker } from './breaker';
import type { BreakerSnapshot } from './snapshot';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const boom = () => Promise.reject(new Error('boom'));
const roundTrip = (value: unknown) => JSON.parse(JSON.stringify(value)) as BreakerSnapshot;

describe('toJSON', () => {
  it('restores an open breaker with only the open time that is left', async () => {
    const breaker = createBreaker({ name: 'a', failureThreshold: 1, openTimeoutMs: 10_000 });
    await breaker.execute(boom).catch(() => {});
    await vi.advanceTimersByTimeAsync(3_000);
    const saved = roundTrip(breaker);
    expect(saved).toMatchObject({ v: 1, name: 'a', state: 'open', retryAfterMs: 7_000 });
    await vi.advanceTimersByTimeAsync(2_000); // time passes while stored
    const restored = createBreaker({
      name: 'a',
      failureThreshold: 1,
      openTimeoutMs: 10_000,
      restore: saved,
    });
    expect(restored.state).toBe('open');
    expect(restored.stats().retryAfterMs).toBe(5_000);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(restored.state).toBe('half-open');
  });

  it('keeps the grown open period and the consecutive failures', async () => {
    const options = {
      failureThreshold: 3,
      successThreshold: 1,
      openTimeoutMs: 1_000,
      maxOpenTimeoutMs: 8_000,
    };
    const breaker = createBreaker(options);
    breaker.open();
    await vi.advanceTimersByTimeAsync(1_000);
    await breaker.execute(boom).catch(() => {}); // failed probe: 2 000
    expect(createBreaker({ ...options, restore: roundTrip(breaker) }).stats().openTimeoutMs).toBe(
      2_000,
    );

    const closed = createBreaker(options);
    await closed.execute(boom).catch(() => {});
    await closed.execute(boom).catch(() => {});
    const restored = createBreaker({ ...options, restore: roundTrip(closed) });
    await restored.execute(boom).catch(() => {});
    expect(restored.state).toBe('open');
  });

  it('restores the rate window contents', async () => {
    const options = {
      failureThreshold: Number.POSITIVE_INFINITY,
      window: { type: 'time' as const, durationMs: 60_000, minimumCalls: 3 },
    };
    const breaker = createBreaker(options);
    await breaker.execute(boom).catch(() => {});
    await breaker.execute(() => 'ok');
    const restored = createBreaker({ ...options, restore: roundTrip(breaker) });
    expect(restored.stats().window).toMatchObject({ calls: 2, failures: 1 });
    await restored.execute(boom).catch(() => {});
    expect(restored.state).toBe('open');
  });

  it('restores a count window, keeping the newest outcomes when the new window is smaller', async () => {
    const breaker = createBreaker({
      failureThreshold: Number.POSITIVE_INFINITY,
      window: { type: 'count', size: 10, minimumCalls: 10 },
    });
    await breaker.execute(boom).catch(() => {});
    for (let i = 0; i < 3; i++) await breaker.execute(() => 'ok');
    const restored = createBreaker({
      failureThreshold: Number.POSITIVE_INFINITY,
      window: { type: 'count', size: 3, minimumCalls: 3 },
      restore: roundTrip(breaker),
    });
    expect(restored.stats().window).toMatchObject({ calls: 3, failures: 0 });
  });

  it('starts with an empty window when the snapshot has another kind of window', async () => {
    const breaker = createBreaker({ window: { type: 'count', size: 10 } });
    await breaker.execute(boom).catch(() => {});
    const restored = createBreaker({
      window: { type: 'time', durationMs: 1_000 },
      restore: roundTrip(breaker),
    });
    expect(restored.stats().window).toMatchObject({ calls: 0 });
  });

  it('restores an isolated breaker as open for one open period', async () => {
    const breaker = createBreaker({ openTimeoutMs: 1_000 });
    breaker.isolate();
    const saved = roundTrip(breaker);
    expect(saved).toMatchObject({ state: 'open', isolated: true });
    const restored = createBreaker({ openTimeoutMs: 1_000, restore: saved });
    expect(restored.stats()).toMatchObject({ state: 'open', isolations: 0, retryAfterMs: 1_000 });
  });

  it('restores a half-open breaker without probes in flight', async () => {
    const breaker = createBreaker({ failureThreshold: 1, openTimeoutMs: 0, successThreshold: 3 });
    await breaker.execute(boom).catch(() => {});
    await breaker.execute(() => 'probe');
    const restored = createBreaker({
      openTimeoutMs: 0,
      successThreshold: 3,
      restore: roundTrip(breaker),
    });
    expect(restored.stats()).toMatchObject({
      state: 'half-open',
      consecutiveSuccesses: 1,
      probesInFlight: 0,
    });
    await restored.execute(() => 'x');
    await restored.execute(() => 'x');
    expect(restored.state).toBe('closed');
  });

  it('rejects a malformed snapshot with a TypeError naming the field', () => {
    const good = createBreaker().toJSON();
    expect(() => createBreaker({ restore: { ...good, state: 'broken' } as never })).toThrow(
      "Expected `restore.state` to be 'closed', 'open' or 'half-open', got `\"broken\"` (string)",
    );
    expect(() => createBreaker({ restore: { ...good, v: 2 } as never })).toThrow(TypeError);
    expect(() => createBreaker({ restore: 'x' as never })).toThrow(
      new TypeError(
        'Expected `restore` to be a snapshot from breaker.toJSON(), got `"x"` (string)',
      ),
    );
    expect(() =>
      createBreaker({ restore: { ...good, window: { type: 'count', outcomes: [7] } } as never }),
    ).toThrow('restore.window.outcomes');
  });
});

describe('restore with counts no real breaker could reach', () => {
  const base = createBreaker().toJSON();
  const timeWindow = { type: 'time' as const, durationMs: 1_000, minimumCalls: 5 };
  const withBuckets = (buckets: unknown) =>
    ({ ...base, window: { type: 'time', bucketMs: 100, offsetMs: 0, buckets } }) as never;

  it('rejects a bucket count above 2^53, which would corrupt the window as it ages', () => {
    expect(() =>
      createBreaker({ window: timeWindow, restore: withBuckets([[1e20, 0, 0]]) }),
    ).toThrow(
      new TypeError(
        'Expected `restore.window.buckets` to be an array of [calls, failures, slow] triples of integers from 0 to 2^53-1, failures and slow <= calls, got `[[100000000000000000000,0,0]]` (array)',
      ),
    );
    expect(() =>
      createBreaker({ window: timeWindow, restore: withBuckets([[1e20, 1e20, 0]]) }),
    ).toThrow(TypeError);
  });

  it('rejects buckets whose calls add up to more than 2^52, and keeps a window up to it exact', async () => {
    const max = Number.MAX_SAFE_INTEGER;
    expect(() =>
      createBreaker({ window: timeWindow, restore: withBuckets([[max, 0, 0]]) }),
    ).toThrow('Expected `restore.window.buckets` to be buckets whose calls add up to at most 2^52');
    const half = 2 ** 51;
    const over = [
      [half, 0, 0],
      [half, 0, 0],
      [1, 0, 0],
    ];
    expect(() => createBreaker({ window: timeWindow, restore: withBuckets(over) })).toThrow(
      'restore.window.buckets',
    );
    // Real calls are added to the restored ones and subtracted again as the bucket ages out.
    const restored = createBreaker({
      failureThreshold: Number.POSITIVE_INFINITY,
      window: timeWindow,
      restore: withBuckets([
        [half, 0, 0],
        [half, 0, 0],
      ]),
    });
    expect(restored.stats().window).toMatchObject({ calls: 2 ** 52 });
    for (let i = 0; i < 10; i++) await restored.execute(boom).catch(() => {});
    expect(restored.state).toBe('closed');
    await vi.advanceTimersByTimeAsync(1_000);
    for (let i = 0; i < 5; i++) await restored.execute(boom).catch(() => {});
    expect(restored.stats().window).toMatchObject({ calls: 5, failures: 5, failureRate: 1 });
  });

  it('rejects top-level counts above 2^53', () => {
    for (const field of ['consecutiveFailures', 'consecutiveSuccesses'])
      expect(() => createBreaker({ restore: { ...base, [field]: 2 ** 53 } as never })).toThrow(
        new TypeError(
          `Expected \`restore.${field}\` to be an integer from 0 to 2^53-1, got \`9007199254740992\` (number)`,
        ),
      );
  });
});
