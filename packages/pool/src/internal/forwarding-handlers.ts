import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';

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
 * A legacy-style handler passed on in place of `handler`, calling each of its methods on it (so
 * `this` in them is the handler itself), and telling `hop` each response status. The one place
 * every legacy method is forwarded: a `compose()` layer passes one on as it is, the pool's guard
 * (`GuardedHandler`) extends it and overrides only what it adds, calling `super` to forward. The optional methods are always present and forward
 * only where the handler has them: a handler undici would refuse for a missing one (`onUpgrade`
 * for an upgrade) is never wrapped (`isLegacyHandler`).
 */
export class LegacyForwarder implements LegacyHandler {
  protected readonly handler: LegacyHandler;
  /** Told each response status (a `compose()` layer's watch of a redirect follower). */
  readonly #hop: StatusWatch | undefined;

  constructor(handler: LegacyHandler, hop?: StatusWatch | undefined) {
    this.handler = handler;
    this.#hop = hop;
  }

  onConnect(abort: (error?: Error) => void, context?: unknown): void {
    this.handler.onConnect(abort, context);
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void, text: string): boolean {
    this.#hop?.saw(status);
    return this.handler.onHeaders(status, raw, resume, text);
  }

  onData(chunk: Buffer): boolean {
    return this.handler.onData(chunk);
  }

  onComplete(trailers: Buffer[] | string[] | null): void {
    this.handler.onComplete(trailers);
  }

  onError(error: Error): void {
    this.handler.onError(error);
  }

  onUpgrade(status: number, raw: Buffer[] | string[] | null, socket: unknown): void {
    this.handler.onUpgrade?.(status, raw, socket);
  }

  onBodySent(chunk: unknown): void {
    this.handler.onBodySent?.(chunk);
  }

  onRequestSent(): void {
    this.handler.onRequestSent?.();
  }

  onResponseStarted(): void {
    this.handler.onResponseStarted?.();
  }
}

/**
 * The same for a handler of undici's newer style. It stays of that style (undici tells the styles
 * apart by `onRequestStart`). The handler gets `controller` in place of undici's once a subclass
 * set it (the guard's, which closes the request's socket on an abort), else undici's own; `hop`,
 * given here or set later (the pool's dispatch), is told each response status.
 */
export class NewStyleForwarder implements NewStyleHandler {
  readonly #handler: NewStyleHandler;
  /** What the handler is given as the request's controller; undici's own while undefined. */
  protected controller: Controller | undefined = undefined;
  /** Told each response status, to know whether the handler's next dispatch follows a redirect. */
  hop: StatusWatch | undefined;

  constructor(handler: NewStyleHandler, hop?: StatusWatch | undefined) {
    this.#handler = handler;
    this.hop = hop;
  }

  onRequestStart(controller: Controller, context: unknown): void {
    this.#handler.onRequestStart?.(this.controller ?? controller, context);
  }

  onRequestUpgrade(controller: Controller, status: number, headers: Headers, socket: Duplex): void {
    this.#handler.onRequestUpgrade?.(this.controller ?? controller, status, headers, socket);
  }

  onResponseStarted(): void {
    this.#handler.onResponseStarted?.();
  }

  onResponseStart(controller: Controller, status: number, headers: Headers, text?: string): void {
    this.hop?.saw(status);
    this.#handler.onResponseStart?.(this.controller ?? controller, status, headers, text);
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    this.#handler.onResponseData?.(this.controller ?? controller, chunk);
  }

  onResponseEnd(controller: Controller, trailers: Headers): void {
    this.#handler.onResponseEnd?.(this.controller ?? controller, trailers);
  }

  onResponseError(controller: Controller, error: Error): void {
    this.#handler.onResponseError?.(this.controller ?? controller, error);
  }
}
