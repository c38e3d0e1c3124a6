import { onAbort } from '@x/internal';

/**
 * What undici's request handler gets in place of the caller's `signal` (`pool.request`): a
 * stand-in that listens through {@link onAbort}, so a signal shared by many requests has one
 * listener from the pool however many requests wait under it.
 *
 * Why: undici's `request` adds a listener of its own to the signal for every request, and Node
 * 20's `addEventListener` scans a signal's listeners on every add: 32,000 requests queued under
 * one signal spent 18 s adding them, the event loop blocked. undici accepts any object with
 * `aborted`, `reason` and `addEventListener`/`removeEventListener` (it checks a signal by its
 * shape), and its handler then does what it does for a real signal (refuses it aborted, aborts
 * the request on its socket, destroys a body being read, which frees the socket), with the
 * signal's own `reason`. The pool's dispatcher reads the caller's signal back from
 * {@link SignalRelay.signal} (see `requestSignal`).
 */
export class SignalRelay {
  readonly signal: AbortSignal;
  #stop: (() => void) | undefined;

  constructor(signal: AbortSignal) {
    this.signal = signal;
  }

  get aborted(): boolean {
    return this.signal.aborted;
  }

  get reason(): unknown {
    return this.signal.reason;
  }

  /** undici's handler adds one 'abort' listener, once, and removes it when the request ends. */
  addEventListener(type: string, listener: () => void): void {
    if (type !== 'abort') return;
    this.#stop?.();
    this.#stop = onAbort(this.signal, listener);
  }

  removeEventListener(type: string): void {
    if (type !== 'abort') return;
    const stop = this.#stop;
    this.#stop = undefined;
    stop?.();
  }
}
