/**
 * Hysteresis for a Redis slower than `commandTimeoutMs`. Each command of a slow Redis times out
 * (the state goes unavailable) and is then answered late; read as "Redis works again", every late
 * reply ended the outage and the next timeout began another: 8 to 12 pairs of
 * `state-unavailable`/`state-recovered` events in 2.5 s. Once a command timed out, the state is
 * declared recovered only after {@link ON_TIME_ANSWERS} commands in a row were answered in time;
 * while it waits, a probe (a script that returns 1) goes out, one at a time, spaced by
 * `commandTimeoutMs` while they answer in time and twice as far apart after each that does not,
 * up to {@link MAX_PROBE_GAP_MS}.
 */

/** Commands answered in time, in a row, that end an outage begun by a timeout. */
export const ON_TIME_ANSWERS = 3;
/** The longest wait between two probes of a slow Redis. */
export const MAX_PROBE_GAP_MS = 10_000;
/** The shortest: a `commandTimeoutMs` of 1 ms must not make the probes a busy loop. */
const MIN_PROBE_GAP_MS = 50;

export class SlowRedisGate {
  readonly #baseMs: number;
  readonly #probe: () => Promise<unknown>;
  /** A command timed out since the state was last declared available. */
  #gated = false;
  #onTime = 0;
  #gapMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #probing = false;
  #closed = false;

  /**
   * `probe` sends one command through the binding's own path (its reply comes back here) and
   * resolves `undefined` when it failed or timed out; it never rejects (`RedisCommands.run`).
   */
  constructor(timeoutMs: number, probe: () => Promise<unknown>) {
    this.#baseMs = Math.min(MAX_PROBE_GAP_MS, Math.max(MIN_PROBE_GAP_MS, timeoutMs));
    this.#gapMs = this.#baseMs;
    this.#probe = probe;
  }

  /** True while an outage waits for answers in time: nothing else may end it. */
  get gated(): boolean {
    return this.#gated;
  }

  /** A command got no reply within `commandTimeoutMs`. */
  timedOut(): void {
    if (this.#closed) return;
    this.#gated = true;
    this.#onTime = 0;
    this.#schedule();
  }

  /**
   * Redis replied, `onTime` or late. True when that may end the outage: no timeout is pending, or
   * this was the last of the answers in time it waited for.
   */
  answered(onTime: boolean): boolean {
    if (!this.#gated) return true;
    if (!onTime) return false;
    if (this.#gapMs !== this.#baseMs) {
      this.#gapMs = this.#baseMs;
      // The probe already waiting was spaced for a Redis that did not answer (up to
      // MAX_PROBE_GAP_MS): it would hold the recovery back that long.
      if (this.#timer !== undefined) {
        this.#clear();
        this.#schedule();
      }
    }
    if (++this.#onTime < ON_TIME_ANSWERS) return false;
    this.#gated = false;
    this.#onTime = 0;
    this.#clear();
    return true;
  }

  close(): void {
    this.#closed = true;
    this.#clear();
  }

  #clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#closed || !this.#gated || this.#probing || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#probing = true;
      void this.#probe().then((reply) => {
        // Timed out or refused (an answer in time has set the gap back already).
        if (reply === undefined) this.#gapMs = Math.min(MAX_PROBE_GAP_MS, this.#gapMs * 2);
        this.#probing = false;
        this.#schedule();
      });
    }, this.#gapMs);
    this.#timer.unref?.();
  }
}
