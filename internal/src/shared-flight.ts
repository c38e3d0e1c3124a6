import { raceAbort } from './abort';

function ignore(): void {}

/**
 * One piece of work (a lookup, a request) shared by every caller that waits for it, and cancelled
 * once none does. A waiter whose signal aborts stops waiting alone (it rejects with its signal's
 * reason); when the last one leaves before the work settled, the work's signal aborts with that
 * waiter's reason and `onAbandoned` runs, for the owner to forget the flight: a later caller
 * starts afresh rather than joining a cancelled one. Kept running for nobody, the work would hold
 * what it holds (a pooled socket, a queue slot) against a slow or hung server until its own
 * deadline. A waiter without a signal cannot leave: it keeps the work to its end.
 */
export class SharedFlight<T> {
  /** Settles as the work does (what the owner hooks its own bookkeeping on). */
  readonly promise: Promise<T>;
  readonly #controller = new AbortController();
  readonly #onAbandoned: (() => void) | undefined;
  #waiters = 0;
  #settled = false;

  constructor(work: (signal: AbortSignal) => Promise<T>, onAbandoned?: () => void) {
    this.#onAbandoned = onAbandoned;
    let started: Promise<T>;
    try {
      started = work(this.#controller.signal);
    } catch (error) {
      started = Promise.reject(error);
    }
    // Marked settled before any waiter's reaction runs: a waiter aborting after the answer came
    // must not abandon (and make its owner forget) work that is already done.
    this.promise = started.finally(() => {
      this.#settled = true;
    });
    // Each waiter reads the outcome; this keeps one nobody waits for from being unhandled.
    this.promise.then(undefined, ignore);
  }

  /** Whether the last waiter left before the work settled (its signal is aborted). */
  get abandoned(): boolean {
    return this.#controller.signal.aborted;
  }

  /** The work's outcome, or `signal.reason` once `signal` aborts (this waiter then leaves). */
  wait(signal: AbortSignal | undefined): Promise<T> {
    this.#waiters++;
    if (signal === undefined) return this.promise;
    return raceAbort(this.promise, signal, () => this.#leave(signal.reason));
  }

  #leave(reason: unknown): void {
    if (--this.#waiters > 0 || this.#settled || this.abandoned) return;
    // Forgotten first: what the abort sets off (the work failing) may ask again, and must start a
    // new flight.
    this.#onAbandoned?.();
    this.#controller.abort(reason);
  }
}
