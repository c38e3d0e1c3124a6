import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TimeoutKind } from '../timeout-error';
import { Watchdog } from './watchdog';

afterEach(() => {
  vi.useRealTimers();
});

function watched() {
  const fired: Array<{ kind: TimeoutKind; at: number }> = [];
  const started = performance.now();
  const watchdog = new Watchdog((kind) => fired.push({ kind, at: performance.now() - started }));
  return { watchdog, fired };
}

describe('Watchdog', () => {
  it('fires a first-token deadline at its time although it wakes earlier, at the idle time', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const { watchdog, fired } = watched();
    watchdog.arm('firstToken', 5_000, 1_000);
    vi.advanceTimersByTime(4_999);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([{ kind: 'firstToken', at: 5_000 }]);
  });

  it('fires the idle deadline armed after the first token at its own time, without a new timer', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const { watchdog, fired } = watched();
    watchdog.arm('firstToken', 5_000, 1_000);
    vi.advanceTimersByTime(300);
    const timers = vi.getTimerCount();
    watchdog.arm('idle', 1_000);
    expect(vi.getTimerCount()).toBe(timers);
    vi.advanceTimersByTime(999);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([{ kind: 'idle', at: 1_300 }]);
  });

  it('moves an earlier deadline forward with a new timer', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const { watchdog, fired } = watched();
    watchdog.arm('firstToken', 5_000);
    vi.advanceTimersByTime(100);
    watchdog.arm('idle', 1_000);
    vi.advanceTimersByTime(1_000);
    expect(fired).toEqual([{ kind: 'idle', at: 1_100 }]);
    watchdog.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps every deadline on one timer, which lapses by itself once they are stopped', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const calls = [watched(), watched(), watched()];
    for (const { watchdog } of calls) {
      watchdog.arm('idle', 1_000);
      vi.advanceTimersByTime(10);
    }
    expect(vi.getTimerCount()).toBe(1);
    calls[1]!.watchdog.stop();
    vi.advanceTimersByTime(980);
    expect(calls.map((c) => c.fired.length)).toEqual([1, 0, 0]);
    vi.advanceTimersByTime(20);
    expect(calls.map((c) => c.fired.map((f) => f.kind))).toEqual([['idle'], [], ['idle']]);
    expect(vi.getTimerCount()).toBe(0);
    calls[0]!.watchdog.arm('idle', 1_000);
    calls[0]!.watchdog.stop();
    vi.advanceTimersByTime(1_000);
    expect(calls[0]!.fired).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('lets a paused deadline wait, and fires it a full period after resume without data', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const { watchdog, fired } = watched();
    watchdog.arm('idle', 1_000);
    watchdog.pause();
    vi.advanceTimersByTime(5_000);
    expect(fired).toEqual([]);
    watchdog.resume();
    vi.advanceTimersByTime(999);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toHaveLength(1);
  });
});
