/** Something with a deadline on the shared timer. */
export abstract class Timed {
  /** Its place in the shared timer's list; -1 while not watched. */
  timerSlot = -1;

  /**
   * Called when the shared timer wakes: returns when to be checked again (a `performance.now()`
   * time), or leaves the timer and returns `undefined` (its deadline passed and it fired, or it
   * has nothing left to watch).
   */
  abstract check(now: number): number | undefined;
}

/**
 * The deadlines of every attempt in the process on one unref'd timer, as undici does for its own
 * timeouts. A Node timer per attempt costs a `Timeout`, a timer list created and deleted for its
 * duration and a native call or two to start and stop it, on every call, for a deadline that
 * almost never fires: together about a tenth of a fast call's overhead
 * (`packages/provider-ollama/profile/phases.ts`).
 *
 * Here arming a deadline later than the next wake-up (the common case: every call of a provider
 * has the same deadlines) only adds it to a list, and a finished attempt only leaves it (a swap
 * with the last entry: no hashing, nothing allocated). The timer is never stopped: it wakes when
 * it was set for, checks what is still watched and sleeps again until the earliest deadline, or
 * not at all when nothing is left.
 */
class SharedTimer {
  readonly #watched: Timed[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The `setTimeout` that made the timer: tests switch to fake timers and back. */
  #madeBy: typeof setTimeout | undefined;
  #wakeAt = 0;

  /** Watches `timed` and wakes for it at `at` at the latest. */
  watch(timed: Timed, at: number): void {
    if (timed.timerSlot === -1) {
      timed.timerSlot = this.#watched.length;
      this.#watched.push(timed);
    }
    if (this.#timer !== undefined && this.#madeBy === setTimeout && this.#wakeAt <= at) return;
    this.#wake(at);
  }

  unwatch(timed: Timed): void {
    const slot = timed.timerSlot;
    if (slot === -1) return;
    timed.timerSlot = -1;
    const watched = this.#watched;
    const last = watched.pop()!;
    if (last !== timed) {
      watched[slot] = last;
      last.timerSlot = slot;
    }
  }

  #wake(at: number): void {
    if (this.#timer !== undefined && this.#madeBy === setTimeout) clearTimeout(this.#timer);
    const now = performance.now();
    const delay = Math.max(0, Math.ceil(at - now));
    const timer = setTimeout(this.#fire, delay);
    timer.unref?.();
    this.#timer = timer;
    this.#madeBy = setTimeout;
    this.#wakeAt = now + delay;
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    // A copy: what fires may arm or stop other deadlines. One armed meanwhile sets the timer.
    for (const timed of this.#watched.slice()) {
      if (timed.timerSlot === -1) continue;
      const at = timed.check(now);
      if (at !== undefined && at < next) next = at;
    }
    if (next === Number.POSITIVE_INFINITY) return;
    // A deadline armed meanwhile may have set the timer already, possibly later than `next`.
    if (this.#timer === undefined || this.#wakeAt > next) this.#wake(next);
  };
}

/** The process's one shared timer. */
export const sharedTimer = new SharedTimer();

/** Runs `expire` once, `ms` from now, on the shared timer, unless cancelled first. */
export class OneShot extends Timed {
  readonly #at: number;
  readonly #expire: () => void;

  constructor(ms: number, expire: () => void) {
    super();
    this.#at = performance.now() + ms;
    this.#expire = expire;
    sharedTimer.watch(this, this.#at);
  }

  cancel(): void {
    sharedTimer.unwatch(this);
  }

  check(now: number): number | undefined {
    if (this.#at - now >= 1) return this.#at;
    sharedTimer.unwatch(this);
    this.#expire();
    return undefined;
  }
}
