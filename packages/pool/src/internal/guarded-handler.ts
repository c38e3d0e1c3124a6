import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import {
  LegacyForwarder,
  type LegacyHandler,
  NewStyleForwarder,
  type NewStyleHandler,
} from './forwarding-handlers';
import { HeadersDeadline } from './headers-deadline';
import { RequestSocket, SocketController } from './request-socket';
import { scrubRequestError } from './scrub';

type Handler = Dispatcher.DispatchHandler;
type Controller = Dispatcher.DispatchController;
type Headers = Record<string, string | string[] | undefined>;

/**
 * What a guarded legacy-style handler tells of each status its dispatch to `key` is answered
 * with, `given` being the handler it guards (the pool's `RedirectHops`).
 */
export interface RedirectWatch {
  answered(given: object, key: string, status: number): void;
}

/**
 * Wraps a legacy-style handler (`pool.request`'s, `pool.fetch`'s, an undici `request` through
 * `pool.dispatcher`) for three things undici leaves open: the headers deadline despite endless
 * `1xx` ({@link HeadersDeadline}), the socket of a request aborted or failed mid-exchange closed
 * without a spare one opened ({@link RequestSocket}), and undici's errors quoting server bytes (a
 * parser error's `data`) in which a hostile server may echo the request's key, scrubbed before
 * the caller sees them (`scrubRequestError`). The rest is forwarded by {@link LegacyForwarder}.
 */
class GuardedHandler extends LegacyForwarder {
  readonly #opts: Dispatcher.DispatchOptions;
  readonly deadline: HeadersDeadline;
  readonly socket = new RequestSocket();
  /** Told each response status, to know whether the handler's next dispatch follows a redirect. */
  redirects: RedirectWatch | undefined = undefined;
  /** The origin of this dispatch, for {@link redirects}. */
  key = '';

  constructor(handler: LegacyHandler, opts: Dispatcher.DispatchOptions, timeoutMs: number) {
    super(handler);
    this.#opts = opts;
    this.deadline = new HeadersDeadline(timeoutMs);
  }

  override onConnect(abort: (error?: Error) => void, context?: unknown): void {
    this.socket.start(abort);
    this.deadline.start(this.socket.abort);
    // The handler aborts (its signal, its body destroyed) through the socket's guard.
    super.onConnect((error) => this.socket.abort(error), context);
  }

  override onHeaders(status: number, raw: Buffer[], resume: () => void, text: string): boolean {
    this.deadline.status(status);
    this.redirects?.answered(this.handler, this.key, status);
    return super.onHeaders(status, raw, resume, text);
  }

  override onComplete(trailers: Buffer[] | string[] | null): void {
    this.deadline.clear();
    this.socket.end();
    super.onComplete(trailers);
  }

  override onError(error: Error): void {
    this.deadline.clear();
    this.socket.failed();
    super.onError(scrubRequestError(error, this.#opts));
  }

  override onUpgrade(status: number, raw: Buffer[] | string[] | null, socket: unknown): void {
    this.deadline.clear();
    this.socket.end();
    super.onUpgrade(status, raw, socket);
  }
}

/**
 * The same guard for a handler of undici's newer style. It stays of that style (undici tells the
 * styles apart by `onRequestStart`), so undici's Client unwraps it as it would the handler, and
 * the handler gets undici's controller, to pause, resume or abort with (its abort closing the
 * request's socket first, see {@link RequestSocket}).
 */
class GuardedNewStyleHandler extends NewStyleForwarder {
  readonly #opts: Dispatcher.DispatchOptions;
  readonly deadline: HeadersDeadline;
  readonly socket = new RequestSocket();
  /** The handler guarded, as the caller gave it: what {@link redirects} knows it by. */
  readonly given: NewStyleHandler;
  /** Told each response status, to know whether the handler's next dispatch follows a redirect. */
  redirects: RedirectWatch | undefined = undefined;
  /** The origin of this dispatch, for {@link redirects}. */
  key = '';

  constructor(handler: NewStyleHandler, opts: Dispatcher.DispatchOptions, timeoutMs: number) {
    super(handler);
    this.given = handler;
    this.#opts = opts;
    this.deadline = new HeadersDeadline(timeoutMs);
  }

  override onRequestStart(controller: Controller, context: unknown): void {
    // undici's own abort fills in a missing reason, as the legacy one does.
    this.socket.start((error) => controller.abort(error as Error));
    this.deadline.start(this.socket.abort);
    // What the handler is given from now on, in place of undici's controller.
    this.controller = new SocketController(controller, this.socket);
    super.onRequestStart(controller, context);
  }

  override onRequestUpgrade(
    controller: Controller,
    status: number,
    headers: Headers,
    socket: Duplex,
  ): void {
    this.deadline.clear();
    this.socket.end();
    super.onRequestUpgrade(controller, status, headers, socket);
  }

  override onResponseStart(
    controller: Controller,
    status: number,
    headers: Headers,
    text?: string,
  ): void {
    this.deadline.status(status);
    this.redirects?.answered(this.given, this.key, status);
    super.onResponseStart(controller, status, headers, text);
  }

  override onResponseEnd(controller: Controller, trailers: Headers): void {
    this.deadline.clear();
    this.socket.end();
    super.onResponseEnd(controller, trailers);
  }

  override onResponseError(controller: Controller, error: Error): void {
    this.deadline.clear();
    this.socket.failed();
    super.onResponseError(controller, scrubRequestError(error, this.#opts));
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

/**
 * Makes a guarded handler, dispatched to `key`, tell `redirects` the response
 * statuses it sees, with the handler it guards.
 */
export function watchRedirects(handler: Handler, redirects: RedirectWatch, key: string): void {
  if (handler instanceof GuardedHandler || handler instanceof GuardedNewStyleHandler) {
    handler.redirects = redirects;
    handler.key = key;
  }
}
