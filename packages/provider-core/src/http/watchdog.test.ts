import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TimeoutKind } from '../errors';
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
});
