import { sharedTimer, Timed } from '../http/shared-timer';
import { LightSignal } from '../light-signal';
import type { Runtime } from '../runtime';

/**
 * Bounds how long a caller may hold a streamed chunk without reading the next one
 * (`timeouts.consumerMs`). A caller that drops its iterator after one chunk would otherwise hold
 * the socket, the breaker's probe slot and an in-flight slot forever: the stream's code is
 * suspended and nothing else can release them. When the bound passes, `onAbandon` releases them;
 * a later read rejects with a `consumer` timeout. On the process's shared timer: handing a chunk
 * over only moves a deadline.
 *
 * The call's own signal ending while the caller holds a chunk (`destroy()`, the caller's abort,
 * `totalMs`) releases them too, at once, and a later read rejects with its reason (`reason`).
 */
export class ConsumerWatch extends Timed {
  readonly #rt: Runtime;
  readonly #ms: number | undefined;
  readonly #onAbandon: () => void;
  readonly #signal: LightSignal | undefined;
  #follower: HeldCallEnd | undefined;
  #deadline = 0;
  #holding = false;
  abandoned = false;
  /** Why the call ended while held: the signal's reason; undefined for the consumer bound. */
  reason: unknown;

  constructor(rt: Runtime, onAbandon: () => void, signal?: AbortSignal) {
    super();
    this.#rt = rt;
    this.#ms = rt.timeouts.consumerMs;
    this.#onAbandon = onAbandon;
    this.#signal = signal instanceof LightSignal ? signal : undefined;
  }

  /** A chunk goes to the caller: the clock runs until the caller asks for the next one. */
  handOver(): void {
    this.#holding = true;
    // Linked once, at the first chunk, until stop(): a few writes, no listener.
    if (this.#follower === undefined && this.#signal !== undefined) {
      this.#follower = new HeldCallEnd(this);
      this.#follower.follow(this.#signal);
    }
    const ms = this.#ms;
    if (ms === undefined) return;
    this.#deadline = performance.now() + ms;
    if (this.timerSlot === -1) sharedTimer.watch(this, this.#deadline);
  }

  /**
   * The caller asked for the next chunk. `complete`: everything was read already, so an
   * abandonment cost nothing and the caller may have the rest.
   */
  resumed(complete = false): void {
    this.#holding = false;
    if (this.abandoned && !complete) throw this.error();
  }

  stop(): void {
    sharedTimer.unwatch(this);
    this.#follower?.unfollow();
  }

  error(): unknown {
    if (this.reason !== undefined) return this.reason;
    return this.#rt.kit.timeout({
      timeout: 'consumer',
      timeoutMs: this.#ms ?? 0,
      retryable: false,
    });
  }

  check(now: number): number | undefined {
    if (this.#holding && this.#deadline - now >= 1) return this.#deadline;
    // Not holding a chunk: nothing to watch until the next one is handed over.
    sharedTimer.unwatch(this);
    if (this.#holding) this.#abandon(undefined);
    return undefined;
  }

  /** The call's signal aborted: only a held call is ended here (a read in progress rejects). */
  callEnded(reason: unknown): void {
    if (this.#holding) this.#abandon(reason);
  }

  #abandon(reason: unknown): void {
    if (this.abandoned) return;
    this.abandoned = true;
    this.reason = reason;
    // A dropped iterator never reaches stop(): let go of the signal here, or a call running under
    // the provider's `ending` would stay linked to it (and hold all it read) until destroy().
    this.stop();
    this.#onAbandon();
  }
}

/** Follows a streamed call's signal and tells its watch when it aborts. */
class HeldCallEnd extends LightSignal {
  readonly #watch: ConsumerWatch;

  constructor(watch: ConsumerWatch) {
    super();
    this.#watch = watch;
  }

  override abort(reason: unknown): void {
    super.abort(reason);
    this.#watch.callEnded(this.reason);
  }
}
