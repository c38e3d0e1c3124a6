import { afterEach, describe, expect, it, vi } from 'vitest';
import { onAbort, raceAbort, sleep } from './abort';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('onAbort', () => {
  it('lets a hundred calls share one signal without a MaxListenersExceededWarning', () => {
    const warn = vi.spyOn(process, 'emitWarning');
    const controller = new AbortController();
    const stops = Array.from({ length: 100 }, () => onAbort(controller.signal, () => {}));
    for (const stop of stops) stop();
    expect(warn).not.toHaveBeenCalled();
  });

  // Node 20's addEventListener scans the signal's listeners on every add: one each made 32,000
  // calls sharing a signal block the event loop for seconds.
  it('gives a signal one listener however many calls share it, and none once they all left', () => {
    const controller = new AbortController();
    const add = vi.spyOn(controller.signal, 'addEventListener');
    const remove = vi.spyOn(controller.signal, 'removeEventListener');
    const stops = Array.from({ length: 30_000 }, () => onAbort(controller.signal, () => {}));
    expect(add).toHaveBeenCalledTimes(1);
    for (const stop of stops) stop();
    expect(remove).toHaveBeenCalledTimes(1);
    const again = vi.fn();
    onAbort(controller.signal, again);
    expect(add).toHaveBeenCalledTimes(2);
    controller.abort();
    expect(again).toHaveBeenCalledTimes(1);
  });

  it('calls them as Node calls listeners: in order, once; removed meanwhile, not; added meanwhile, yes', () => {
    const controller = new AbortController();
    const calls: string[] = [];
    let stopC = () => {};
    const late = vi.fn();
    onAbort(controller.signal, () => {
      calls.push('a');
      stopC();
      onAbort(controller.signal, late);
    });
    const stopB = onAbort(controller.signal, () => calls.push('b'));
    stopC = onAbort(controller.signal, () => calls.push('c'));
    onAbort(controller.signal, () => calls.push('d'));
    controller.abort();
    controller.abort();
    expect(calls).toEqual(['a', 'b', 'd']);
    expect(late).toHaveBeenCalledTimes(1);
    stopB();
  });

  it('reports a callback that throws as uncaught and still calls the others', async () => {
    const uncaught: unknown[] = [];
    const listeners = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.on('uncaughtException', (error) => uncaught.push(error));
    try {
      const controller = new AbortController();
      const boom = new Error('boom');
      const after = vi.fn();
      onAbort(controller.signal, () => {
        throw boom;
      });
      onAbort(controller.signal, after);
      controller.abort();
      expect(after).toHaveBeenCalledTimes(1);
      await new Promise((resolve) => setImmediate(resolve));
      expect(uncaught).toEqual([boom]);
    } finally {
      process.removeAllListeners('uncaughtException');
      for (const listener of listeners) process.on('uncaughtException', listener);
    }
  });
});

describe('raceAbort', () => {
  it('rejects with the reason as soon as the signal aborts, and runs onAborted once', async () => {
    const controller = new AbortController();
    const onAborted = vi.fn();
    const pending = raceAbort(new Promise(() => {}), controller.signal, onAborted);
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    expect(onAborted).toHaveBeenCalledTimes(1);
  });

  it('leaves no unhandled rejection of a promise dropped because its signal had aborted', async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      const controller = new AbortController();
      controller.abort(new Error('left'));
      // The work saw the abort first and rejected with it, before the race began.
      const work = Promise.reject(controller.signal.reason);
      await expect(raceAbort(work, controller.signal)).rejects.toThrow('left');
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });

  it('settles like the promise when the signal never aborts', async () => {
    await expect(raceAbort(Promise.resolve(3), new AbortController().signal)).resolves.toBe(3);
  });
});

describe('sleep', () => {
  it('waits under fake timers and rejects with the reason on abort', async () => {
    vi.useFakeTimers();
    let done = false;
    const waiting = sleep(1000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(done).toBe(true);
    const controller = new AbortController();
    const aborted = sleep(1000, controller.signal);
    const reason = new Error('gone');
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });
});
