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
