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
  /**
   * How the request fails once the deadline passed (set when it starts on its socket): its
   * `RequestSocket`'s abort, which also closes its socket with the timeout error, as
   * undici's own headers timer does.
   */
  #abort: ((error: Error, socketError: Error) => void) | undefined = undefined;
  #startedAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  /** The request started on its socket; `abort` fails it. */
  start(abort: (error: Error, socketError: Error) => void): void {
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
    this.#abort?.(error, error);
  }
}
