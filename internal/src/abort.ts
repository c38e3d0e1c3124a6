import { liftAbortListenerLimit } from './listener-limit';
import { timerDelay } from './timers';

/**
 * Listens once for `signal`'s abort; returns the function that stops listening.
 *
 * Many calls may share one signal (a request's signal handed to every step). Node warns
 * (`MaxListenersExceededWarning`) past ten listeners on one signal although nothing leaks: each
 * call removes its own. As undici does for `fetch`, a signal still at Node's default limit has the
 * limit lifted; one whose limit was set by its owner is left alone.
 */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  liftAbortListenerLimit(signal);
  signal.addEventListener('abort', fn, { once: true });
  return () => signal.removeEventListener('abort', fn);
}

function ignore(): void {}

/**
 * Settles like `promise`, or rejects with `signal.reason` as soon as `signal` aborts, whichever
 * comes first; `onAborted` then runs once (also when the signal was aborted already). The promise
 * itself is not cancelled: its owner decides what an abandoned result means.
 */
export function raceAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  onAborted?: () => void,
): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    // Its outcome is dropped unread: a rejection (often the same abort, the work having seen the
    // signal first) must not surface as an unhandled one.
    promise.then(undefined, ignore);
    onAborted?.();
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const stop = onAbort(signal, () => {
      reject(signal.reason);
      onAborted?.();
    });
    promise.then(
      (value) => {
        stop();
        resolve(value);
      },
      (error: unknown) => {
        stop();
        reject(error);
      },
    );
  });
}

/** One signal that aborts with the first of its inputs; no allocation when there is at most one. */
export function anySignal(
  a: AbortSignal | undefined,
  b: AbortSignal | undefined,
): AbortSignal | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return AbortSignal.any([a, b]);
}

/**
 * Waits `ms` on a global timer (fake timers control it); rejects with `signal.reason` on abort.
 * The timer is ref'd unless `ref` is false: a caller awaiting it wants the process to live.
 */
export function sleep(ms: number, signal?: AbortSignal | undefined, ref = true): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (!(ms > 0)) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    let stop: (() => void) | undefined;
    const timer = setTimeout(() => {
      stop?.();
      resolve();
    }, timerDelay(ms));
    if (!ref) timer.unref?.();
    if (signal !== undefined) {
      stop = onAbort(signal, () => {
        clearTimeout(timer);
        reject(signal.reason);
      });
    }
  });
}

/** Throws `signal.reason` when the signal is aborted already. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason;
}
