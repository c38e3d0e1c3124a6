import { raceAbort } from '@x/internal';

/**
 * One in-flight load shared by every caller that missed the same key. The load is aborted only
 * when every waiter has gone; one waiter leaving rejects that waiter alone.
 */
export class Flight<T> {
  readonly controller = new AbortController();
  readonly promise: Promise<T>;
  settled = false;
  #waiters = 0;
  readonly #onAllGone: () => void;

  constructor(run: (signal: AbortSignal) => Promise<T>, onAllGone: () => void) {
    this.#onAllGone = onAllGone;
    this.promise = run(this.controller.signal).finally(() => {
      this.settled = true;
    });
    // Waiters attach their own handlers; this one keeps an abandoned failure from being unhandled.
    this.promise.catch(() => {});
  }

  /** Resolves with the shared result, or rejects with `signal.reason` when this waiter aborts. */
  join(signal: AbortSignal | undefined): Promise<T> {
    this.#waiters++;
    if (signal === undefined) return this.promise;
    return raceAbort(this.promise, signal, () => this.#leave(signal.reason));
  }

  #leave(reason: unknown): void {
    this.#waiters--;
    if (this.#waiters === 0 && !this.settled) {
      this.#onAllGone();
      this.controller.abort(reason);
    }
  }
}

/** The loads in flight, one per key: a caller that misses a key being loaded joins its load. */
export class Flights<T> {
  readonly #flights = new Map<string, Flight<T>>();

  /** Loads in flight now. */
  get size(): number {
    return this.#flights.size;
  }

  /** The load of `key` in flight, if any. */
  get(key: string): Flight<T> | undefined {
    return this.#flights.get(key);
  }

  /**
   * Starts loading `key` with `run`. The flight is forgotten once it settled or every waiter left,
   * so the next caller starts a new load rather than joining an aborted one.
   */
  start(key: string, run: (signal: AbortSignal) => Promise<T>): Flight<T> {
    const land = (): void => {
      if (this.#flights.get(key) === flight) this.#flights.delete(key);
    };
    const flight: Flight<T> = new Flight(run, land);
    this.#flights.set(key, flight);
    flight.promise.then(land, land);
    return flight;
  }

  /** Resolves once every load in flight now has settled, whatever its outcome. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#flights.values()].map((flight) => flight.promise));
  }
}
