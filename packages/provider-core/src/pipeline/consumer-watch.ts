import type { Runtime } from '../runtime';

/**
 * Bounds how long a caller may hold a streamed chunk without reading the next one
 * (`timeouts.consumerMs`). A caller that drops its iterator after one chunk would otherwise hold
 * the socket, the breaker's probe slot and an in-flight slot forever: the stream's code is
 * suspended and nothing else can release them. When the bound passes, `onAbandon` releases them;
 * a later read rejects with a `consumer` timeout. One unref'd timer, re-armed lazily: handing a
 * chunk over only moves a deadline.
 */
export class ConsumerWatch {
  readonly #rt: Runtime;
  readonly #ms: number | undefined;
  readonly #onAbandon: () => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #deadline = 0;
  #holding = false;
  abandoned = false;

  constructor(rt: Runtime, onAbandon: () => void) {
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
    if (this.#timer === undefined) this.#arm(ms);
  }

  /** The caller asked for the next chunk. */
  resumed(): void {
    this.#holding = false;
    if (this.abandoned) throw this.error();
  }

  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  error(): unknown {
    return this.#rt.kit.timeout({
      timeout: 'consumer',
      timeoutMs: this.#ms ?? 0,
      retryable: false,
    });
  }

  #arm(ms: number): void {
    const timer = setTimeout(this.#fire, Math.max(1, Math.ceil(ms)));
    timer.unref?.();
    this.#timer = timer;
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    if (!this.#holding) return;
    const left = this.#deadline - performance.now();
    if (left >= 1) {
      this.#arm(left);
      return;
    }
    this.abandoned = true;
    this.#onAbandon();
  };
}
