import type { TimeoutKind } from '../errors';

/**
 * One deadline at a time on one global, unref'd timer. `touch()` only moves the deadline; the
 * timer re-arms itself for the rest when it fires early, so a fast stream costs no timer churn.
 */
export class Watchdog {
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the pending timer fires. */
  #wakeAt = 0;
  #deadline = 0;
  #kind: TimeoutKind = 'idle';
  #ms = 0;
  #paused = false;
  readonly #onFire: (kind: TimeoutKind, ms: number) => void;

  constructor(onFire: (kind: TimeoutKind, ms: number) => void) {
    this.#onFire = onFire;
  }

  /**
   * Starts a deadline `ms` from now. `wakeWithin` wakes the timer earlier (it re-arms itself for
   * the rest): arming the next deadline before that wake-up then needs no new timer, as when the
   * idle deadline follows the first token.
   */
  arm(kind: TimeoutKind, ms: number, wakeWithin = ms): void {
    this.#kind = kind;
    this.#ms = ms;
    this.#deadline = performance.now() + ms;
    if (this.#timer !== undefined) {
      if (this.#wakeAt <= this.#deadline) return;
      clearTimeout(this.#timer);
    }
    this.#schedule(Math.min(ms, wakeWithin));
  }

  touch(): void {
    this.#deadline = performance.now() + this.#ms;
  }

  /** While paused (the consumer holds a chunk), silence is not the server's: the timer waits. */
  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#deadline = performance.now() + this.#ms;
  }

  stop(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  #schedule(ms: number): void {
    const delay = Math.max(0, Math.ceil(ms));
    const timer = setTimeout(this.#fire, delay);
    timer.unref?.();
    this.#timer = timer;
    this.#wakeAt = performance.now() + delay;
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    const left = this.#deadline - performance.now();
    if (this.#paused) this.#schedule(this.#ms);
    else if (left >= 1) this.#schedule(left);
    else this.#onFire(this.#kind, this.#ms);
  };
}
