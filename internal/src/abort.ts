import { liftAbortListenerLimit } from './listener-limit';
import { timerDelay } from './timers';

/** The callbacks waiting for a signal's abort, behind the one listener it has from here. */
interface Waiting {
  readonly fns: Set<() => void>;
  readonly listener: () => void;
}
const waiting = new WeakMap<AbortSignal, Waiting>();

/**
 * Listens once for `signal`'s abort; returns the function that stops listening.
 *
 * Many calls may share one signal (a request's signal handed to every step, thousands of queued
 * calls under one deadline). Each one added its own listener before: Node 20's `addEventListener`
 * scans a signal's listeners on every add, so 32,000 calls sharing one signal spent seconds adding
 * them, the event loop blocked. A signal gets one listener from here, and the callbacks a set
 * (added and removed in constant time), called as listeners would be (see `dispatch`). No
 * `MaxListenersExceededWarning` either way; as undici does for `fetch`, a signal still at Node's
 * default limit has the limit lifted (for the listeners others add), one whose owner set it is not.
 */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  let entry = waiting.get(signal);
  if (entry === undefined) {
    const fns = new Set<() => void>();
    entry = { fns, listener: () => dispatch(signal, fns) };
    waiting.set(signal, entry);
    liftAbortListenerLimit(signal);
    signal.addEventListener('abort', entry.listener, { once: true });
  }
  const { fns, listener } = entry;
  fns.add(fn);
  return () => {
    if (!fns.delete(fn) || fns.size > 0 || waiting.get(signal)?.fns !== fns) return;
    waiting.delete(signal);
    signal.removeEventListener('abort', listener);
  };
}

/**
 * The one listener of a signal: calls its callbacks as listeners of their own would be (Node's
 * EventTarget): in order, each once; one removed meanwhile is not called, one added meanwhile is
 * (the set is walked live); one that throws is reported as uncaught, the others still called.
 */
function dispatch(signal: AbortSignal, fns: Set<() => void>): void {
  for (const fn of fns) {
    fns.delete(fn);
    try {
      fn();
    } catch (error) {
      process.nextTick(() => {
        throw error;
      });
    }
  }
  if (waiting.get(signal)?.fns === fns) waiting.delete(signal);
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
