import type { Dispatcher } from 'undici';
import { errors as undiciErrors } from 'undici';
import { scrubRequestError } from './scrub';

type Handler = Dispatcher.DispatchHandler;
/** undici's handler methods of the style its Client calls (after unwrapping new-style handlers). */
interface LegacyHandler {
  onConnect(abort: (error?: Error) => void, context?: unknown): void;
  onHeaders(status: number, raw: Buffer[], resume: () => void, text: string): boolean;
  onData(chunk: Buffer): boolean;
  onComplete(trailers: Buffer[] | string[] | null): void;
  onError(error: Error): void;
  onUpgrade?(status: number, raw: Buffer[] | string[] | null, socket: unknown): void;
  onBodySent?(chunk: unknown): void;
  onRequestSent?(): void;
  onResponseStarted?(): void;
}

/**
 * Wraps a request's handler (`pool.request`'s, `pool.fetch`'s, an undici `request` through
 * `pool.dispatcher`) for two things undici leaves open:
 * - undici restarts its headers timer on every `1xx`, so a server sending `103 Early Hints`
 *   forever never times out. Here the headers deadline runs from the request's start on its
 *   socket (`onConnect`) to its final status, whatever `1xx` arrive. undici's own timer covers the
 *   wait up to the first `1xx`, so a timer of ours is armed only then: a request with no `1xx`,
 *   nearly all of them, costs one `Date.now()` and arms nothing.
 * - undici's errors quote server bytes (a parser error's `data`) in which a hostile server may
 *   echo the request's key: scrubbed before the caller sees them (`scrubRequestError`).
 */
class GuardedHandler implements LegacyHandler {
  readonly #handler: LegacyHandler;
  readonly #opts: Dispatcher.DispatchOptions;
  readonly #timeoutMs: number;
  #abort: ((error?: Error) => void) | undefined = undefined;
  #startedAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(handler: LegacyHandler, opts: Dispatcher.DispatchOptions, timeoutMs: number) {
    this.#handler = handler;
    this.#opts = opts;
    this.#timeoutMs = timeoutMs;
  }

  onConnect(abort: (error?: Error) => void, context?: unknown): void {
    this.#abort = abort;
    if (this.#timeoutMs > 0) this.#startedAt = Date.now();
    this.#handler.onConnect(abort, context);
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void, text: string): boolean {
    if (status >= 200) this.#clear();
    else if (this.#timer === undefined && this.#timeoutMs > 0) this.#arm();
    return this.#handler.onHeaders(status, raw, resume, text);
  }

  onData(chunk: Buffer): boolean {
    return this.#handler.onData(chunk);
  }

  onComplete(trailers: Buffer[] | string[] | null): void {
    this.#clear();
    this.#handler.onComplete(trailers);
  }

  onError(error: Error): void {
    this.#clear();
    this.#handler.onError(scrubRequestError(error, this.#opts));
  }

  onUpgrade(status: number, raw: Buffer[] | string[] | null, socket: unknown): void {
    this.#clear();
    this.#handler.onUpgrade?.(status, raw, socket);
  }

  onBodySent(chunk: unknown): void {
    this.#handler.onBodySent?.(chunk);
  }

  onRequestSent(): void {
    this.#handler.onRequestSent?.();
  }

  onResponseStarted(): void {
    this.#handler.onResponseStarted?.();
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
    // undici fails the request with this error (its `onError`) and discards the socket.
    this.#abort?.(new undiciErrors.HeadersTimeoutError());
  }

  #clear(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }
}

/**
 * `handler` guarded (see {@link GuardedHandler}) when it is of the style undici's Client calls;
 * a new-style handler (`onRequestStart`...) or one undici will refuse is handed on as it is.
 */
export function guardHandler(
  handler: Handler,
  opts: Dispatcher.DispatchOptions,
  headersTimeoutMs: number,
): Handler {
  const h = handler as Partial<LegacyHandler> & { onRequestStart?: unknown };
  if (
    typeof h.onConnect !== 'function' ||
    typeof h.onHeaders !== 'function' ||
    typeof h.onData !== 'function' ||
    typeof h.onComplete !== 'function' ||
    typeof h.onError !== 'function' ||
    h.onRequestStart !== undefined ||
    ((opts as { upgrade?: unknown }).upgrade != null && typeof h.onUpgrade !== 'function')
  ) {
    return handler;
  }
  const own = (opts as { headersTimeout?: unknown }).headersTimeout;
  const timeoutMs = typeof own === 'number' ? own : headersTimeoutMs;
  return new GuardedHandler(h as LegacyHandler, opts, timeoutMs) as unknown as Handler;
}
