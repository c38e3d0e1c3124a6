import type { TimeoutKind } from '../timeout-error';
import { sharedTimer, Timed } from './shared-timer';

/**
 * One deadline at a time of one attempt, on the process's shared timer. `touch()` only moves the
 * deadline: the shared timer re-checks it when it wakes, so a fast stream costs no timer churn.
 */
export class Watchdog extends Timed {
  #deadline = 0;
  #kind: TimeoutKind = 'idle';
  #ms = 0;
  #paused = false;
  /** What the armed deadline waits for, when not what its kind names (see `exchange.ts`). */
  #waitedFor: string | undefined;
  readonly #onFire: (kind: TimeoutKind, ms: number, waitedFor: string | undefined) => void;

  constructor(onFire: (kind: TimeoutKind, ms: number, waitedFor: string | undefined) => void) {
    super();
    this.#onFire = onFire;
  }

  /**
   * Starts a deadline `ms` from now. `wakeWithin` wakes the shared timer earlier (it re-checks
   * then): arming the next deadline before that wake-up then moves no timer, as when the idle
   * deadline follows the first token. `waitedFor` is what its timeout error says it waited for.
   */
  arm(kind: TimeoutKind, ms: number, wakeWithin = ms, waitedFor?: string): void {
    this.#kind = kind;
    this.#ms = ms;
    this.#waitedFor = waitedFor;
    const now = performance.now();
    this.#deadline = now + ms;
    sharedTimer.watch(this, now + Math.min(ms, wakeWithin));
  }

  /** Arms `kind` `ms` from now, unless the deadline already armed comes sooner. */
  armSooner(kind: TimeoutKind, ms: number, waitedFor?: string): void {
    if (this.timerSlot !== -1 && this.#deadline <= performance.now() + ms) return;
    this.arm(kind, ms, ms, waitedFor);
  }

  touch(): void {
    this.#deadline = performance.now() + this.#ms;
  }

  /** While paused (the consumer holds a chunk), silence is not the server's: the deadline waits. */
  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#deadline = performance.now() + this.#ms;
  }

  stop(): void {
    sharedTimer.unwatch(this);
  }

  /** What the armed deadline waits for, when it says (see {@link arm}). */
  get waitedFor(): string | undefined {
    return this.#waitedFor;
  }

  /** Stops the deadline and forgets it: unpaused, no longer waiting for anything. */
  disarm(): void {
    sharedTimer.unwatch(this);
    this.#paused = false;
    this.#waitedFor = undefined;
  }

  check(now: number): number | undefined {
    if (this.#paused) return now + this.#ms;
    // Within a millisecond counts as due: Node's timers have millisecond resolution.
    if (this.#deadline - now >= 1) return this.#deadline;
    // Left before it fires: what it fires may arm it again.
    sharedTimer.unwatch(this);
    this.#onFire(this.#kind, this.#ms, this.#waitedFor);
    return undefined;
  }
}
