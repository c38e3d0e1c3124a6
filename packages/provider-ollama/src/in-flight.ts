import { LazyIterable, onAbort } from '@x/internal';
import { type LightSignal, lightSignal } from '@x/provider-core';

/** A stream in flight: a link of the list `abortAll()` walks. */
interface Tracked {
  readonly signal: LightSignal;
  prev: Tracked | undefined;
  next: Tracked | undefined;
}

/**
 * The streams in flight of one provider, for `abortAll()`: each stream runs under a light signal
 * of its own (no `AbortController`: in Node 20 one, and a listener on it, cost microseconds per
 * stream) that follows the caller's signal, and leaves the list when it ends however it ends. The
 * iterator is wrapped by hand, with handlers made once per stream: a chunk costs one `then`, no
 * second generator and no async function.
 *
 * A linked list, not a `Set`: adding a stream to a long-lived `Set` and deleting it again
 * reallocates the set's table each time in Node 20 (~500 ns a stream); a link costs two writes.
 */
export class InFlightStreams {
  #first: Tracked | undefined;
  #size = 0;

  /**
   * Starts `start` under a signal that `abortAll()` also aborts. `start` gets the function that
   * lets go of the stream, for the core to call when the call is over while its iterator never
   * settles (a dropped iterator, `destroy()` while the caller holds a chunk): without it, such a
   * stream would stay in the list and listening to the caller's signal.
   */
  track<T>(
    callerSignal: AbortSignal | undefined,
    start: (signal: AbortSignal, ended: () => void) => AsyncGenerator<T, void, undefined>,
  ): AsyncIterator<T, void, undefined> {
    const signal = lightSignal();
    let stopFollowing: (() => void) | undefined;
    if (callerSignal?.aborted) signal.abort(callerSignal.reason);
    else if (callerSignal !== undefined) {
      stopFollowing = onAbort(callerSignal, () => signal.abort(callerSignal.reason));
    }
    const tracked = this.#link(signal);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.#unlink(tracked);
      stopFollowing?.();
    };
    let inner: AsyncGenerator<T, void, undefined>;
    try {
      inner = start(signal, release);
    } catch (error) {
      release();
      throw error;
    }
    const onStep = (result: IteratorResult<T, void>): IteratorResult<T, void> => {
      if (result.done === true) release();
      return result;
    };
    const onError = (error: unknown): never => {
      release();
      throw error;
    };
    return {
      next: () => inner.next().then(onStep, onError),
      return: () => inner.return(undefined).then(onStep, onError),
      throw: (error?: unknown) => inner.throw(error).then(onStep, onError),
    };
  }

  /** A stream that `abortAll()` can abort, started lazily when iterated. */
  iterable<R extends { signal?: AbortSignal | undefined }, T>(
    request: R,
    start: (request: R, ended: () => void) => AsyncGenerator<T, void, undefined>,
  ): AsyncIterable<T> {
    return new LazyIterable(() =>
      this.track(request.signal, (signal, ended) => start(withSignal(request, signal), ended)),
    );
  }

  /** Aborts every stream in flight; each rejects with `reason` (an `AbortError`). */
  abortAll(reason: unknown): void {
    // every link let go first: an abort's handlers may start or end other streams
    const signals: LightSignal[] = [];
    let tracked = this.#first;
    this.#first = undefined;
    this.#size = 0;
    while (tracked !== undefined) {
      const next = tracked.next;
      tracked.prev = undefined;
      tracked.next = undefined;
      signals.push(tracked.signal);
      tracked = next;
    }
    for (const signal of signals) signal.abort(reason);
  }

  get size(): number {
    return this.#size;
  }

  #link(signal: LightSignal): Tracked {
    const tracked: Tracked = { signal, prev: undefined, next: this.#first };
    if (this.#first !== undefined) this.#first.prev = tracked;
    this.#first = tracked;
    this.#size++;
    return tracked;
  }

  #unlink(tracked: Tracked): void {
    // already let go by abortAll(): neither in the list nor counted
    if (tracked.prev === undefined && this.#first !== tracked) return;
    if (tracked.prev !== undefined) tracked.prev.next = tracked.next;
    else this.#first = tracked.next;
    if (tracked.next !== undefined) tracked.next.prev = tracked.prev;
    tracked.prev = undefined;
    tracked.next = undefined;
    this.#size--;
  }
}

/**
 * `request` under `signal`. Written `{ signal, ...request }` and then set, not
 * `{ ...request, signal }`: in Node 20 an object built by a spread followed by more keys takes
 * V8's slow path, both when it is built and whenever the request path reads one of its fields
 * (about 1.3 µs per stream, against 60 ns this way: `profile/object-shapes.ts`).
 */
function withSignal<R extends { signal?: AbortSignal | undefined }>(
  request: R,
  signal: AbortSignal,
): R {
  const tracked = { signal, ...request };
  tracked.signal = signal;
  return tracked;
}
