import { ProviderTimeoutError } from '@x/provider-core';
import { ROUTER_ORIGIN } from './errors';

/** A routed stream while its caller holds a chunk: `end` lets go of it, once. */
export interface HeldStream {
  /** When the caller was handed the chunk it holds (`performance.now()`). */
  since: number;
  end(error: unknown): void;
}

/**
 * The routed streams whose caller holds a chunk. A stream's code is suspended while its caller
 * holds a chunk, so a caller that drops the iterator would keep its deployment's in-flight count
 * (which `least-in-flight` and `maxConcurrent` read) and the router's own (which `close()` waits
 * for) forever. Past `consumerMs` such a stream is ended here: its provider's stream is returned
 * and the counts given back; `endAll()` does it at once for `destroy()`.
 *
 * One unref'd interval while any stream is held (stopped by the first sweep that finds none),
 * none per stream or per chunk; a stream ends between `consumerMs` and a quarter of it (at most
 * 1 s) later.
 */
export class HeldStreams {
  readonly #ms: number | undefined;
  readonly #held = new Set<HeldStream>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(consumerMs: number | undefined) {
    this.#ms = consumerMs;
  }

  hold(stream: HeldStream): void {
    stream.since = performance.now();
    this.#held.add(stream);
    const ms = this.#ms;
    if (ms === undefined || this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#sweep(ms), Math.max(5, Math.min(1000, ms / 4)));
    this.#timer.unref();
  }

  /**
   * The caller asked for the next chunk (or the stream ended): true when it was held. The
   * interval is left to the next sweep, which stops it when nothing is held: a stream handing
   * over chunk after chunk does not start and stop a timer each time.
   */
  release(stream: HeldStream): boolean {
    return this.#held.delete(stream);
  }

  /** The router has no call in flight, so nothing is held: the interval stops now. */
  idle(): void {
    if (this.#held.size === 0) this.#stop();
  }

  /** Ends every held stream with `error` (what its caller's next read rejects with). */
  endAll(error: unknown): void {
    const held = [...this.#held];
    this.#held.clear();
    this.#stop();
    for (const stream of held) endQuietly(stream, error);
  }

  #sweep(ms: number): void {
    const now = performance.now();
    for (const stream of [...this.#held]) {
      if (now - stream.since < ms) continue;
      this.#held.delete(stream);
      endQuietly(
        stream,
        new ProviderTimeoutError({
          origin: ROUTER_ORIGIN,
          timeout: 'consumer',
          timeoutMs: ms,
          retryable: false,
        }),
      );
    }
    if (this.#held.size === 0) this.#stop();
  }

  #stop(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

/**
 * Ends one stream; a failure there (a provider's `return()` that throws) is dropped: it must
 * neither reach the interval (an uncaught exception) nor keep `destroy()` from ending the others.
 */
function endQuietly(stream: HeldStream, error: unknown): void {
  try {
    stream.end(error);
  } catch {
    // The stream's own code gives its counts back before it returns its provider's stream.
  }
}
