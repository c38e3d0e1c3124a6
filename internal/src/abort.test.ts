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
