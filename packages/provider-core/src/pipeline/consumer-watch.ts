import { sharedTimer, Timed } from '../http/shared-timer';
import type { Runtime } from '../runtime';

/**
 * Bounds how long a caller may hold a streamed chunk without reading the next one
 * (`timeouts.consumerMs`). A caller that drops its iterator after one chunk would otherwise hold
 * the socket, the breaker's probe slot and an in-flight slot forever: the stream's code is
 * suspended and nothing else can release them. When the bound passes, `onAbandon` releases them;
 * a later read rejects with a `consumer` timeout. On the process's shared timer: handing a chunk
 * over only moves a deadline.
 */
export class ConsumerWatch extends Timed {
  readonly #rt: Runtime;
  readonly #ms: number | undefined;
  readonly #onAbandon: () => void;
  #deadline = 0;
  #holding = false;
  abandoned = false;

  constructor(rt: Runtime, onAbandon: () => void) {
    super();
    this.#rt = rt;
    this.#ms = rt.timeouts.consumerMs;
    this.#onAbandon = onAbandon;
  }

  /** A chunk goes to the caller: the clock runs until the caller asks for the next one. */
  handOver(): void {
    const ms = this.#ms;
    if (ms === undefined) return;
    this.#holding = true;
    this.#deadline = performance.now() + ms;
    if (this.timerSlot === -1) sharedTimer.watch(this, this.#deadline);
  }

  /** The caller asked for the next chunk. */
  resumed(): void {
    this.#holding = false;
    if (this.abandoned) throw this.error();
  }

  stop(): void {
    sharedTimer.unwatch(this);
  }

  error(): unknown {
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
    if (!this.#holding) return undefined;
    this.abandoned = true;
    this.#onAbandon();
    return undefined;
  }
}
