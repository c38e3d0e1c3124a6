import type { TimeoutKind } from '../errors';

/**
 * One deadline at a time on one global, unref'd timer. `touch()` only moves the deadline; the
 * timer re-arms itself for the rest when it fires early, so a fast stream costs no timer churn.
 */
export class Watchdog {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #deadline = 0;
  #kind: TimeoutKind = 'idle';
  #ms = 0;
  #paused = false;
  readonly #onFire: (kind: TimeoutKind, ms: number) => void;

  constructor(onFire: (kind: TimeoutKind, ms: number) => void) {
    this.#onFire = onFire;
  }

  arm(kind: TimeoutKind, ms: number): void {
    this.#kind = kind;
    this.#ms = ms;
    this.#deadline = performance.now() + ms;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#schedule(ms);
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
    const timer = setTimeout(this.#fire, Math.max(0, Math.ceil(ms)));
    timer.unref?.();
    this.#timer = timer;
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    const left = this.#deadline - performance.now();
    if (this.#paused) this.#schedule(this.#ms);
    else if (left >= 1) this.#schedule(left);
    else this.#onFire(this.#kind, this.#ms);
  };
}
