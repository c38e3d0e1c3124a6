import { anySignal } from '@x/internal';

/**
 * The streams in flight of one provider, for `abortAll()`: each stream runs under its own
 * controller joined with the caller's signal, and leaves the set when it ends however it ends.
 * The iterator is wrapped by hand (not a second generator) so a chunk costs no extra hop.
 */
export class InFlightStreams {
  readonly #controllers = new Set<AbortController>();

  /** Starts `start` under a signal that `abortAll()` also aborts. */
  track<T>(
    signal: AbortSignal | undefined,
    start: (signal: AbortSignal | undefined) => AsyncGenerator<T, void, undefined>,
  ): AsyncIterator<T, void, undefined> {
    const controller = new AbortController();
    this.#controllers.add(controller);
    const release = () => this.#controllers.delete(controller);
    let inner: AsyncGenerator<T, void, undefined>;
    try {
      inner = start(anySignal(signal, controller.signal));
    } catch (error) {
      release();
      throw error;
    }
    const settle = async (
      step: Promise<IteratorResult<T, void>>,
    ): Promise<IteratorResult<T, void>> => {
      try {
        const result = await step;
        if (result.done === true) release();
        return result;
      } catch (error) {
        release();
        throw error;
      }
    };
    return {
      next: () => settle(inner.next()),
      return: () => settle(inner.return(undefined)),
      throw: (error?: unknown) => settle(inner.throw(error)),
    };
  }

  /** A stream that `abortAll()` can abort, started lazily when iterated. */
  iterable<R extends { signal?: AbortSignal }, T>(
    request: R,
    start: (request: R) => AsyncGenerator<T, void, undefined>,
  ): AsyncIterable<T> {
    return {
      [Symbol.asyncIterator]: () =>
        this.track(request.signal, (signal) => start({ ...request, signal })),
    };
  }

  /** Aborts every stream in flight; each rejects with `reason` (an `AbortError`). */
  abortAll(reason: unknown): void {
    for (const controller of this.#controllers) controller.abort(reason);
    this.#controllers.clear();
  }

  get size(): number {
    return this.#controllers.size;
  }
}
