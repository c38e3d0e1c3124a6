import { afterEach, describe, expect, it, vi } from 'vitest';
import { coarseNow, MAX_TIMER_MS, setLongTimeout, timerDelay } from './timers';

afterEach(() => {
  vi.useRealTimers();
});

describe('setLongTimeout', () => {
  it('fires a delay above 2^31-1 ms at its time, not after 1 ms', async () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    setLongTimeout(fn, MAX_TIMER_MS * 2);
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS);
    expect(fn).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('can be cleared before it fires', async () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    setLongTimeout(fn, 10).clear();
    await vi.advanceTimersByTimeAsync(20);
    expect(fn).not.toHaveBeenCalled();
  });
});

describe('timerDelay', () => {
  it('clamps to what a timer honours', () => {
    expect(timerDelay(Number.NaN)).toBe(0);
    expect(timerDelay(-5)).toBe(0);
    expect(timerDelay(2 ** 40)).toBe(MAX_TIMER_MS);
  });
});

describe('coarseNow', () => {
  it('keeps one reading for at most a millisecond of timers, then reads the clock again', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const first = coarseNow();
    expect(first).toBe(performance.now());
    vi.advanceTimersByTime(0.5);
    // No timer ran: the reading is kept although the clock moved.
    expect(coarseNow()).toBe(first);
    vi.advanceTimersByTime(0.5);
    expect(coarseNow()).toBe(performance.now());
    expect(coarseNow()).toBeGreaterThanOrEqual(first + 1);
    vi.advanceTimersByTime(250);
    expect(coarseNow()).toBe(performance.now());
  });

  it('reads the clock again after a switch to fake timers and back', () => {
    coarseNow();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    expect(coarseNow()).toBe(performance.now());
    vi.useRealTimers();
    const real = performance.now();
    expect(coarseNow()).toBeGreaterThanOrEqual(real);
  });
});
