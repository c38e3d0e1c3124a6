import { brand, hasBrand, mark } from './brand';

/** The brand of a {@link LeavableIterator}: shared by the copy bundled into each package. */
const LEAVABLE = brand('internal', 'LeavableIterator');

/**
 * What `ProviderCore.stream()` and `messages()` (and the router's `stream()`) return: a generator behind a thin
 * iterator whose `return()` and `throw()` can end a pending read. An async generator queues both
 * behind a pending `next()`: a caller who gives up while the stream waits for a chunk (a
 * framework's cancel, a router's `destroy()`, manual iterator use) would hold the socket until a
 * deadline passed (the first-token or idle deadline; none at all for a model transfer), and
 * `close()` with it. Here they first end the call through `leave`, which the generator sets while
 * it runs (a read is pending) and clears at each `yield`, so the pending read settles at once;
 * then they go to the generator as before. `next()` hands on the generator's own promise: a chunk
 * costs no extra promise nor allocation, and `return()` between reads (a `break`) is what it was.
 */
export class LeavableIterator<T> implements AsyncGenerator<T, void, undefined> {
  static {
    // On the prototype: no property per stream.
    mark(LeavableIterator.prototype, LEAVABLE);
  }

  #generator: AsyncGenerator<T, void, undefined> | undefined;
  /** Set by the generator while it runs: ends the call for a caller who left mid-read. */
  leave: (() => void) | undefined = undefined;

  /** Runs `generator`, made with this iterator as its `leave` hook. */
  of(generator: AsyncGenerator<T, void, undefined>): this {
    this.#generator = generator;
    return this;
  }

  next(): Promise<IteratorResult<T, void>> {
    return this.#generator!.next();
  }

  return(value?: undefined): Promise<IteratorResult<T, void>> {
    this.#leave();
    return this.#generator!.return(value);
  }

  /**
   * The same for `throw()`, also queued behind a pending read by a generator: the call ends at
   * once, and the error reaches the (then finished) generator, which rejects with it. Between
   * reads it is a consumer leaving with an error of its own (Node's `Readable.from()` destroyed
   * with one: a `pipeline()` to a response whose client went away), not a failure of the call:
   * thrown into the generator at its `yield`, it was counted as one and told to `onError`. It
   * ends the call as `return()` does (cancelled, the slot and socket freed), then rejects with
   * that error.
   */
  throw(error?: unknown): Promise<IteratorResult<T, void>> {
    if (this.leave === undefined) {
      return this.#generator!.return(undefined).then(() => Promise.reject(error));
    }
    this.#leave();
    return this.#generator!.throw(error);
  }

  #leave(): void {
    const leave = this.leave;
    if (leave !== undefined) {
      this.leave = undefined;
      leave();
    }
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * True for a {@link LeavableIterator} of any package (each bundles its own copy, so `instanceof`
 * fails across them). Its `return()` during a pending `next()` ends the call behind it (a
 * provider's stream aborts its request), so that read settles without waiting for the server: a
 * consumer waiting on it needs no wake-up of its own per read.
 */
export function isLeavable(iterator: unknown): boolean {
  return hasBrand(iterator, LEAVABLE);
}

/** The hook a generator behind a {@link LeavableIterator} sets and clears. */
export interface LeaveHook {
  leave: (() => void) | undefined;
}
