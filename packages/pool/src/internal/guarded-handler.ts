import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import { HeadersDeadline } from './headers-deadline';
import { RequestSocket, SocketController } from './request-socket';
import { scrubRequestError } from './scrub';

type Handler = Dispatcher.DispatchHandler;
type Controller = Dispatcher.DispatchController;
type Headers = Record<string, string | string[] | undefined>;

/** What is told each response status of a handler's dispatch (the redirect guard's `Hop`). */
export interface StatusWatch {
  saw(status: number): void;
}

/** undici's handler methods of the legacy style, which its Client calls. */
export interface LegacyHandler {
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
 * undici's handler methods of the newer style (`compose()` interceptors, `Dispatcher.compose`,
 * undici's own newer handlers), which its Client calls through its `UnwrapHandler`.
 */
export interface NewStyleHandler {
  onRequestStart?(controller: Controller, context: unknown): void;
  onRequestUpgrade?(controller: Controller, status: number, headers: Headers, socket: Duplex): void;
  onResponseStart?(controller: Controller, status: number, headers: Headers, text?: string): void;
  onResponseData?(controller: Controller, chunk: Buffer): void;
  onResponseEnd?(controller: Controller, trailers: Headers): void;
  onResponseError?(controller: Controller, error: Error): void;
  onResponseStarted?(): void;
}

/**
 * Wraps a legacy-style handler (`pool.request`'s, `pool.fetch`'s, an undici `request` through
 * `pool.dispatcher`) for three things undici leaves open: the headers deadline despite endless
 * `1xx` ({@link HeadersDeadline}), the socket of a request aborted or failed mid-exchange closed
 * without a spare one opened ({@link RequestSocket}), and undici's errors quoting server bytes (a
 * parser error's `data`) in which a hostile server may echo the request's key, scrubbed before
 * the caller sees them (`scrubRequestError`).
 */
class GuardedHandler implements LegacyHandler {
  readonly #handler: LegacyHandler;
  readonly #opts: Dispatcher.DispatchOptions;
  readonly deadline: HeadersDeadline;
  readonly socket = new RequestSocket();

  constructor(handler: LegacyHandler, opts: Dispatcher.DispatchOptions, timeoutMs: number) {
    this.#handler = handler;
    this.#opts = opts;
    this.deadline = new HeadersDeadline(timeoutMs);
  }

  onConnect(abort: (error?: Error) => void, context?: unknown): void {
    this.socket.start(abort);
    this.deadline.start(this.socket.abort);
    // The handler aborts (its signal, its body destroyed) through the socket's guard.
    this.#handler.onConnect((error) => this.socket.abort(error), context);
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void, text: string): boolean {
    this.deadline.status(status);
    return this.#handler.onHeaders(status, raw, resume, text);
  }

  onData(chunk: Buffer): boolean {
    return this.#handler.onData(chunk);
  }

  onComplete(trailers: Buffer[] | string[] | null): void {
    this.deadline.clear();
    this.socket.end();
    this.#handler.onComplete(trailers);
  }

  onError(error: Error): void {
    this.deadline.clear();
    this.socket.failed();
    this.#handler.onError(scrubRequestError(error, this.#opts));
  }

  onUpgrade(status: number, raw: Buffer[] | string[] | null, socket: unknown): void {
    this.deadline.clear();
    this.socket.end();
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
}

/**
 * The same guard for a handler of undici's newer style. It stays of that style (undici tells the
 * styles apart by `onRequestStart`), so undici's Client unwraps it as it would the handler, and
 * the handler gets undici's controller, to pause, resume or abort with (its abort closing the
 * request's socket first, see {@link RequestSocket}).
 */
class GuardedNewStyleHandler implements NewStyleHandler {
  readonly #handler: NewStyleHandler;
  readonly #opts: Dispatcher.DispatchOptions;
  readonly deadline: HeadersDeadline;
  readonly socket = new RequestSocket();
  /** undici's controller of the request as the handler gets it, once it started on its socket. */
  #controller: SocketController | undefined = undefined;
  /** Told each response status, to know whether the next dispatch follows a redirect. */
  hop: StatusWatch | undefined = undefined;

  constructor(handler: NewStyleHandler, opts: Dispatcher.DispatchOptions, timeoutMs: number) {
    this.#handler = handler;
    this.#opts = opts;
    this.deadline = new HeadersDeadline(timeoutMs);
  }

  onRequestStart(controller: Controller, context: unknown): void {
    // undici's own abort fills in a missing reason, as the legacy one does.
    this.socket.start((error) => controller.abort(error as Error));
    this.deadline.start(this.socket.abort);
    this.#controller = new SocketController(controller, this.socket);
    this.#handler.onRequestStart?.(this.#controller, context);
  }

  onResponseStarted(): void {
    this.#handler.onResponseStarted?.();
  }

  onRequestUpgrade(controller: Controller, status: number, headers: Headers, socket: Duplex): void {
    this.deadline.clear();
    this.socket.end();
    this.#handler.onRequestUpgrade?.(this.#controller ?? controller, status, headers, socket);
  }

  onResponseStart(controller: Controller, status: number, headers: Headers, text?: string): void {
    this.deadline.status(status);
    this.hop?.saw(status);
    this.#handler.onResponseStart?.(this.#controller ?? controller, status, headers, text);
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    this.#handler.onResponseData?.(this.#controller ?? controller, chunk);
  }

  onResponseEnd(controller: Controller, trailers: Headers): void {
    this.deadline.clear();
    this.socket.end();
    this.#handler.onResponseEnd?.(this.#controller ?? controller, trailers);
  }

  onResponseError(controller: Controller, error: Error): void {
    this.deadline.clear();
    this.socket.failed();
    this.#handler.onResponseError?.(
      this.#controller ?? controller,
      scrubRequestError(error, this.#opts),
    );
  }
}

function timeoutOf(opts: Dispatcher.DispatchOptions, headersTimeoutMs: number): number {
  const own = (opts as { headersTimeout?: unknown }).headersTimeout;
  return typeof own === 'number' ? own : headersTimeoutMs;
}

/**
 * `handler` guarded (see {@link GuardedHandler}), of either style. Told apart as undici does
 * (its `UnwrapHandler.unwrap`): a truthy `onRequestStart` makes a handler of the newer style. A
 * handler undici will refuse (no `onResponseError`, a legacy method missing) is handed on as it
 * is, for undici to refuse in its own words.
 */
export function guardHandler(
  handler: Handler,
  opts: Dispatcher.DispatchOptions,
  headersTimeoutMs: number,
): Handler {
  const h = handler as Partial<LegacyHandler> & NewStyleHandler;
  if (h.onRequestStart) {
    if (typeof h.onResponseError !== 'function') return handler;
    const timeoutMs = timeoutOf(opts, headersTimeoutMs);
    return new GuardedNewStyleHandler(h, opts, timeoutMs) as unknown as Handler;
  }
  if (!isLegacyHandler(h, opts)) return handler;
  const timeoutMs = timeoutOf(opts, headersTimeoutMs);
  return new GuardedHandler(h, opts, timeoutMs) as unknown as Handler;
}

/**
 * True for a handler of the legacy style with every method undici calls for `opts`: one the pool
 * may wrap in a handler that has them all, without hiding one undici would refuse it for.
 */
export function isLegacyHandler(
  handler: unknown,
  opts: Dispatcher.DispatchOptions,
): handler is LegacyHandler {
  const h = handler as Partial<LegacyHandler>;
  return (
    typeof h.onConnect === 'function' &&
    typeof h.onHeaders === 'function' &&
    typeof h.onData === 'function' &&
    typeof h.onComplete === 'function' &&
    typeof h.onError === 'function' &&
    ((opts as { upgrade?: unknown }).upgrade == null || typeof h.onUpgrade === 'function')
  );
}

/**
 * Tells a guarded handler what holds the socket its request runs on (its slot, whose `socket` is
 * read when the request starts on it, see {@link RequestSocket}): the dispatcher calls it when it
 * hands the request to a slot.
 */
export function bindSocket(handler: Handler, on: { readonly socket: Duplex | undefined }): void {
  if (handler instanceof GuardedHandler || handler instanceof GuardedNewStyleHandler) {
    handler.socket.on = on;
  }
}

/** Makes a guarded new-style handler tell `hop` the response statuses it sees. */
export function watchStatus(handler: Handler, hop: StatusWatch): void {
  if (handler instanceof GuardedNewStyleHandler) handler.hop = hop;
}
