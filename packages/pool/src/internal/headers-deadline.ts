import type { Duplex } from 'node:stream';
import { errors as undiciErrors } from 'undici';

/**
 * The headers deadline of one request, whatever `1xx` arrive. undici restarts its headers timer
 * on every `1xx`, so a server sending `103 Early Hints` forever never times out. This deadline
 * runs from the request's start on its socket to its final status. undici's own timer covers the
 * wait up to the first `1xx`, so a timer of ours is armed only then: a request with no `1xx`,
 * nearly all of them, costs one `Date.now()` and arms nothing.
 */
export class HeadersDeadline {
  readonly #timeoutMs: number;
  /** How the request fails once the deadline passed (set when it starts on its socket). */
  #abort: ((error: Error) => void) | undefined = undefined;
  #startedAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  /**
   * What holds the socket the request runs on (its slot), set by the dispatcher when it hands
   * the request to a slot.
   * Ending the request with undici's abort leaves the unfinished exchange queued in its client,
   * which then opens a new socket only to drop it (one spare idle socket): the socket is
   * destroyed with the timeout error instead, as undici's own headers timer does, and undici
   * fails the request with it and opens nothing.
   */
  on: { readonly socket: Duplex | undefined } | undefined = undefined;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  /** The request started on its socket; `abort` fails it. */
  start(abort: (error: Error) => void): void {
    this.#abort = abort;
    if (this.#timeoutMs > 0) this.#startedAt = Date.now();
  }

  /** A response status arrived: a final one ends the deadline, the first `1xx` arms its timer. */
  status(code: number): void {
    if (code >= 200) this.clear();
    else if (this.#timer === undefined && this.#timeoutMs > 0) this.#arm();
  }

  clear(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  #arm(): void {
    const left = this.#startedAt + this.#timeoutMs - Date.now();
    if (left <= 0) {
      this.#expire();
      return;
    }
    // Ref'd, as undici's own: it bounds a request a caller awaits.
    this.#timer = setTimeout(() => this.#expire(), left);
  }

  #expire(): void {
    this.#timer = undefined;
    const error = new undiciErrors.HeadersTimeoutError();
    const socket = this.on?.socket;
    if (socket !== undefined && !socket.destroyed) socket.destroy(error);
    else this.#abort?.(error);
  }
}
