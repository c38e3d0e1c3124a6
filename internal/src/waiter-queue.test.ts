import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMER_MS } from './timers';
import { WaiterQueue, type Waiting } from './waiter-queue';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const values = <T>(queue: WaiterQueue<T>): T[] => [...queue].map((w) => w.value);

describe('WaiterQueue', () => {
  it('hands waiters out oldest first and skips those removed from the middle', () => {
    const queue = new WaiterQueue<string>();
    const waiters = ['a', 'b', 'c', 'd'].map((v) => queue.push(v));
    expect(queue.remove(waiters[1]!)).toBe(true);
    expect(queue.remove(waiters[1]!)).toBe(false);
    expect(queue.size).toBe(3);
    expect(queue.shift()?.value).toBe('a');
    expect(queue.peek()?.value).toBe('c');
    expect(values(queue)).toEqual(['c', 'd']);
    expect([...queue.ahead(waiters[3]!)].map((w) => w.value)).toEqual(['c', 'd']);
  });

  it('keeps its memory to the live waiters after many pass through', () => {
    const queue = new WaiterQueue<number>();
    for (let i = 0; i < 5000; i++) queue.push(i);
    for (let i = 0; i < 4990; i++) queue.shift();
    expect(queue.size).toBe(10);
    expect(values(queue)).toEqual([4990, 4991, 4992, 4993, 4994, 4995, 4996, 4997, 4998, 4999]);
  });

  it('reports full once maxQueue waiters are queued', () => {
    const queue = new WaiterQueue<number>({}, 2);
    queue.push(1);
    expect(queue.full).toBe(false);
    const second = queue.push(2);
    expect(queue.full).toBe(true);
    queue.remove(second);
    expect(queue.full).toBe(false);
  });

  it('calls onTimeout with the waiter still queued when its timeoutMs runs out', () => {
    const timedOut: Waiting<string>[] = [];
    const queue = new WaiterQueue<string>({ onTimeout: (w) => timedOut.push(w) });
    const waiter = queue.push('a', undefined, 100);
    vi.advanceTimersByTime(99);
    expect(timedOut).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(timedOut).toEqual([waiter]);
    expect(waiter.done).toBe(false);
    queue.remove(waiter);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('removes an aborted waiter and calls onAbort with the reason', () => {
    const aborted: unknown[] = [];
    const queue = new WaiterQueue<string>({
      onAbort: (w, reason) => aborted.push([w.value, reason]),
    });
    const controller = new AbortController();
    queue.push('a', controller.signal);
    queue.push('b');
    controller.abort('stop');
    expect(aborted).toEqual([['a', 'stop']]);
    expect(values(queue)).toEqual(['b']);
  });

  it('releases the timer and the abort listener of a waiter that leaves', () => {
    const onAbort = vi.fn();
    const onTimeout = vi.fn();
    const queue = new WaiterQueue<string>({ onAbort, onTimeout });
    const controller = new AbortController();
    const waiter = queue.push('a', controller.signal, 50);
    queue.remove(waiter);
    controller.abort();
    vi.advanceTimersByTime(100);
    expect(onAbort).not.toHaveBeenCalled();
    expect(onTimeout).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('prints no MaxListenersExceededWarning when 50 waiters share one signal', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const queue = new WaiterQueue<number>();
    const controller = new AbortController();
    for (let i = 0; i < 50; i++) queue.push(i, controller.signal);
    await new Promise((resolve) => process.nextTick(resolve));
    process.off('warning', onWarning);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    controller.abort();
    expect(queue.size).toBe(0);
  });

  it('fires one wake-up timer, replaced by the next wakeIn and cancelled when the queue empties', () => {
    const onWake = vi.fn();
    const queue = new WaiterQueue<string>({ onWake });
    const waiter = queue.push('a');
    queue.wakeIn(100);
    queue.wakeIn(30);
    vi.advanceTimersByTime(30);
    expect(onWake).toHaveBeenCalledTimes(1);
    queue.wakeIn(10);
    queue.remove(waiter);
    vi.advanceTimersByTime(100);
    expect(onWake).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits a wake-up beyond 2^31-1 ms in full, with one timer, neither early nor spinning', () => {
    const onWake = vi.fn();
    const queue = new WaiterQueue<string>({ onWake });
    queue.push('a');
    const far = MAX_TIMER_MS * 3;
    queue.wakeIn(far);
    const timeouts = vi.spyOn(globalThis, 'setTimeout');
    vi.advanceTimersByTime(10_000);
    expect(timeouts).not.toHaveBeenCalled();
    vi.advanceTimersByTime(far - 10_001);
    expect(onWake).not.toHaveBeenCalled();
    expect(timeouts.mock.calls.length).toBeLessThanOrEqual(3);
    vi.advanceTimersByTime(1);
    expect(onWake).toHaveBeenCalledTimes(1);
  });

  it('empties itself on clear(), returning the waiters oldest first with their timers released', () => {
    const queue = new WaiterQueue<string>({ onWake: () => {} });
    const controller = new AbortController();
    queue.push('a', controller.signal, 100);
    queue.push('b', undefined, 200);
    queue.wakeIn(50);
    const cleared = queue.clear();
    expect(cleared.map((w) => w.value)).toEqual(['a', 'b']);
    expect(cleared.every((w) => w.done)).toBe(true);
    expect(queue.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
