import { onAbort } from '@x/internal';
import { RouterClosedError } from './errors';

/** One wait in the list: how `endAll()` rejects it. */
interface Wait {
  prev: Wait | undefined;
  next: Wait | undefined;
  reject: ((error: unknown) => void) | undefined;
}

/** Marks a promise whose outcome nobody reads as handled. */
export const ignore = (): void => {};

/**
 * What the router's calls in flight are waiting for and do not control: a provider's answer, its
 * stream's next chunk or its `return()`, a window lookup, a probe claim. `destroy()` ends them all
 * at once (`endAll()`), whether or not the provider honours its signal or ever settles: a provider
 * of the caller's own may never settle, and the router's call (its in-flight count, `destroy()`
 * itself) must not wait for it. What such a provider does afterwards is dropped unread, a late
 * rejection included, so it is neither counted nor an unhandled rejection.
 *
 * A linked list, not a `Set`: in Node 20 adding a call to a long-lived `Set` and deleting it again
 * reallocates the set's table each time; a link costs a few writes.
 */
export class CallWaits {
  #first: Wait | undefined;
  #ended = false;

  /**
   * Settles as `work` does, or rejects with `RouterClosedError` when `endAll()` comes first (at
   * once once it came), or with `signal.reason` when the caller's `signal` aborts first: a
   * provider that ignores its signal must not keep the caller waiting either.
   */
  until<T>(work: T | PromiseLike<T>, signal?: AbortSignal | undefined): Promise<T> {
    const settled = Promise.resolve(work);
    if (this.#ended || signal?.aborted === true) {
      settled.then(undefined, ignore);
      return Promise.reject(this.#ended ? new RouterClosedError() : signal!.reason);
    }
    return new Promise<T>((resolve, reject) => {
      const wait: Wait = { prev: undefined, next: this.#first, reject };
      if (this.#first !== undefined) this.#first.prev = wait;
      this.#first = wait;
      let stopListening: (() => void) | undefined;
      // Handlers on the work first: should listening below throw (a signal look-alike whose
      // addEventListener does), the work's own outcome is still read, never left unhandled.
      settled.then(
        (value) => {
          stopListening?.();
          if (this.#unlink(wait)) resolve(value);
        },
        (error: unknown) => {
          stopListening?.();
          if (this.#unlink(wait)) reject(error);
        },
      );
      if (signal === undefined) return;
      // One listener per wait, only for a call that has a signal; removed when the work settles.
      try {
        stopListening = onAbort(signal, () => {
          if (this.#unlink(wait)) reject(signal.reason);
        });
      } catch (error) {
        if (this.#unlink(wait)) reject(error);
      }
    });
  }

  /** Rejects every wait with a `RouterClosedError` of its own, and every later one at once. */
  endAll(): void {
    this.#ended = true;
    const rejects: ((error: unknown) => void)[] = [];
    // Every link let go first: a rejection's handlers may start or end other waits.
    for (let wait = this.#first; wait !== undefined; ) {
      const next = wait.next;
      rejects.push(wait.reject!);
      wait.prev = undefined;
      wait.next = undefined;
      wait.reject = undefined;
      wait = next;
    }
    this.#first = undefined;
    for (const reject of rejects) reject(new RouterClosedError());
  }

  /** False when `endAll()` let go of `wait` already: its outcome is then dropped. */
  #unlink(wait: Wait): boolean {
    if (wait.reject === undefined) return false;
    wait.reject = undefined;
    if (wait.prev !== undefined) wait.prev.next = wait.next;
    else this.#first = wait.next;
    if (wait.next !== undefined) wait.next.prev = wait.prev;
    wait.prev = undefined;
    wait.next = undefined;
    return true;
  }
}
