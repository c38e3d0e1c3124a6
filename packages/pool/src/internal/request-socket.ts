import type { Duplex } from 'node:stream';
import { type Dispatcher, errors as undiciErrors } from 'undici';

/**
 * The socket one request runs on, closed by the pool when the request is aborted or fails before
 * its exchange is over: by the caller's `signal` (waiting for headers or reading the body), by the
 * body consumer destroying the body early, by the headers deadline ({@link HeadersDeadline}), by
 * its request body stream erroring or its handler throwing ({@link RequestSocket.failed}).
 *
 * Why: undici's abort of a running request destroys its socket with an `InformationalError`, which
 * its client reads as "no request failed": the aborted request stays queued in the client, which
 * connects a new socket only to find the request aborted and drop it, and keeps that socket idle
 * (the server sees two connections for one request). Destroyed here first, with an error of
 * undici's own, the socket takes the request with it and undici opens nothing; the caller still
 * gets the abort's own error, which undici's abort hands the handler.
 */
export class RequestSocket {
  /**
   * What holds the socket (the request's slot), set by the dispatcher when it hands the request
   * to a slot; read when the request starts on its socket.
   */
  on: { readonly socket: Duplex | undefined } | undefined = undefined;
  #socket: Duplex | undefined = undefined;
  #abort: ((error?: Error) => void) | undefined = undefined;

  /** The request started on its socket; `abort` is undici's, to fail it. */
  start(abort: (error?: Error) => void): void {
    this.#abort = abort;
    this.#socket = this.on?.socket;
  }

  /**
   * The exchange is over (answered, failed, upgraded): the socket is no longer the request's to
   * close, and may already carry the next request.
   */
  end(): void {
    this.#socket = undefined;
  }

  /** Fails the request with `error`, closing its socket with `socketError` if still running. */
  readonly abort = (error?: Error, socketError?: Error): void => {
    this.#close(socketError);
    this.#abort?.(error);
  };

  /**
   * The request failed before its exchange was over. When undici's own abort failed it (its body
   * stream errored, its handler threw in `onHeaders` or `onData`, which undici catches), that abort
   * hands the handler the error first and closes the socket with an `InformationalError` after:
   * the same spare socket as above. Closed here first; a socket undici closed itself, with an
   * error of its own (reset, timeouts), is already destroyed and left as it is.
   */
  failed(): void {
    this.#close(undefined);
  }

  #close(socketError: Error | undefined): void {
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket !== undefined && !socket.destroyed) {
      socket.destroy(socketError ?? new undiciErrors.RequestAbortedError());
    }
  }
}

type Controller = Dispatcher.DispatchController;

/**
 * undici's controller of a new-style handler's request, as the handler gets it: the same in all
 * but `abort`, which closes the request's socket first ({@link RequestSocket}).
 */
export class SocketController implements Controller {
  readonly #controller: Controller;
  readonly #socket: RequestSocket;

  constructor(controller: Controller, socket: RequestSocket) {
    this.#controller = controller;
    this.#socket = socket;
  }

  abort(reason: Error): void {
    this.#socket.abort(reason);
  }

  pause(): void {
    this.#controller.pause();
  }

  resume(): void {
    this.#controller.resume();
  }

  get aborted(): boolean {
    return this.#controller.aborted;
  }

  get paused(): boolean {
    return this.#controller.paused;
  }

  get reason(): Error | null {
    return this.#controller.reason;
  }

  get rawHeaders(): Controller['rawHeaders'] {
    return this.#controller.rawHeaders;
  }

  get rawTrailers(): Controller['rawTrailers'] {
    return this.#controller.rawTrailers;
  }
}
