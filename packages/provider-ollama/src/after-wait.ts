/**
 * A stream that may start only once `wait` settles (the server's version or the model's info is
 * being looked up first), as a plain iterator rather than an `async function*`: an async generator
 * queues `return()` behind a pending `next()`, so a caller who gave up during the wait, or while
 * the first chunk is awaited, would keep the request until a deadline. Here `return()` during the
 * wait ends the stream at once (the stream is then never started), and after it goes straight to
 * the started stream's own iterator, which ends a pending read itself (`@x/provider-core`).
 */
const DONE: IteratorResult<never, void> = Object.freeze({ done: true, value: undefined });

export class AfterWait<T> implements AsyncGenerator<T, void, undefined> {
  readonly #wait: Promise<void>;
  readonly #start: () => AsyncGenerator<T, void, undefined>;
  #started: Promise<AsyncGenerator<T, void, undefined> | undefined> | undefined;
  #inner: AsyncGenerator<T, void, undefined> | undefined;
  #left = false;
  /** Settles the reads pending during the wait when the caller leaves. */
  #leaving: Promise<IteratorResult<T, void>> | undefined;
  #leave: ((done: IteratorResult<T, void>) => void) | undefined;

  constructor(wait: Promise<void>, start: () => AsyncGenerator<T, void, undefined>) {
    this.#wait = wait;
    this.#start = start;
  }

  next(): Promise<IteratorResult<T, void>> {
    if (this.#inner !== undefined) return this.#inner.next();
    this.#started ??= this.#wait.then(() => {
      if (this.#left) return undefined;
      this.#inner = this.#start();
      return this.#inner;
    });
    const read = this.#started.then((inner) => (inner === undefined ? DONE : inner.next()));
    this.#leaving ??= new Promise((resolve) => {
      this.#leave = resolve;
    });
    return Promise.race([read, this.#leaving]);
  }

  return(): Promise<IteratorResult<T, void>> {
    if (this.#inner !== undefined) return this.#inner.return(undefined);
    this.#stop();
    return Promise.resolve(DONE);
  }

  throw(error?: unknown): Promise<IteratorResult<T, void>> {
    if (this.#inner !== undefined) return this.#inner.throw(error);
    this.#stop();
    return Promise.reject(error);
  }

  /** Leaves before the start: it never happens, a pending read ends done, a late failure of the wait concerns no one. */
  #stop(): void {
    this.#left = true;
    this.#leave?.(DONE);
    // Caught once, whether a read started waiting or not: unobserved, a failed lookup would be
    // an unhandled rejection.
    this.#wait.catch(() => {});
    this.#started?.catch(() => {});
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
