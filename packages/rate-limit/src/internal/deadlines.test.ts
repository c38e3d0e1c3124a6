// Real timers: the queue reads performance.now() and arms Node's own timer.
import { describe, expect, it, vi } from 'vitest';
import { FifoDeadlines } from './deadlines';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('FifoDeadlines', () => {
  it('expires each unsettled deadline once its time has passed, in the order they were set', async () => {
    const deadlines = new FifoDeadlines(30);
    const expired: string[] = [];
    const started = performance.now();
    const at: number[] = [];
    deadlines.start(() => {
      expired.push('a');
      at.push(performance.now() - started);
    });
    await sleep(10);
    const b = deadlines.start(() => expired.push('b'));
    // c's own start: the sleep above may itself end a fraction of a ms before 10
    const cStarted = performance.now() - started;
    deadlines.start(() => {
      expired.push('c');
      at.push(performance.now() - started);
    });
    expect(deadlines.settle(b)).toBe(true);
    await sleep(80);
    expect(expired).toEqual(['a', 'c']);
    // never before the deadline (a timer may fire early by a fraction of a ms: it waits a turn)
    expect(at[0]).toBeGreaterThanOrEqual(30);
    expect(at[1]! - cStarted).toBeGreaterThanOrEqual(30);
    expect(deadlines.pending).toBe(0);
  });

  it('answers false when a deadline is settled after it expired, or twice', async () => {
    const deadlines = new FifoDeadlines(5);
    const late = deadlines.start(() => {});
    await sleep(30);
    expect(deadlines.settle(late)).toBe(false);
    const twice = deadlines.start(() => {});
    expect(deadlines.settle(twice)).toBe(true);
    expect(deadlines.settle(twice)).toBe(false);
  });

  it('holds nothing once every deadline is settled, in order or not', () => {
    const deadlines = new FifoDeadlines(60_000);
    const list = Array.from({ length: 5000 }, () => deadlines.start(() => {}));
    // the oldest stays pending while the rest settle: the front is compacted behind it
    for (let i = list.length - 1; i >= 1; i--) deadlines.settle(list[i]!);
    expect(deadlines.pending).toBe(1);
    deadlines.settle(list[0]!);
    expect(deadlines.pending).toBe(0);
  });

  it('keeps a deadline started by an expiry on the timer', async () => {
    const deadlines = new FifoDeadlines(10);
    const expired: string[] = [];
    deadlines.start(() => {
      expired.push('first');
      deadlines.start(() => expired.push('second'));
    });
    // polled, not slept for: on a loaded machine the two 10 ms timers may take far longer
    await vi.waitFor(() => expect(expired).toEqual(['first', 'second']), { timeout: 2000 });
  });

  it('expires at once, in order, only the deadlines that end with the connection when it closes', async () => {
    const watchers = new Set<() => void>();
    const deadlines = new FifoDeadlines(40, watchers);
    const expired: string[] = [];
    deadlines.start((closed) => expired.push(`peek ${closed}`));
    deadlines.start((closed) => expired.push(`take ${closed}`), true);
    const settled = deadlines.start((closed) => expired.push(`settled ${closed}`), true);
    deadlines.start((closed) => {
      expired.push(`second take ${closed}`);
      // started by the expiry: it belongs to the next connection
      deadlines.start((again) => expired.push(`next ${again}`), true);
    }, true);
    deadlines.settle(settled);
    expect(watchers.size).toBe(1);
    for (const watcher of watchers) watcher();
    expect(expired).toEqual(['take true', 'second take true']);
    await sleep(200);
    expect(expired).toEqual(['take true', 'second take true', 'peek false', 'next false']);
    // the timer stopped with the last deadline: the store is no longer told of closes
    expect(watchers.size).toBe(0);
  });
});
