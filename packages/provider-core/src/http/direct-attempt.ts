import type { Dispatcher } from 'undici';
import { gatherScrubs, tellScrubs } from '../secrets';
import { AttemptSignal } from './attempt-signal';
import {
  type AttemptInit,
  armAtChunk,
  armAtErrorHeaders,
  armAtHeaders,
  deadlineBeforeHeaders,
  encodedAnswerError,
  GRACE_MS,
  httpErrorOf,
  isAnswer,
  MAX_ERROR_BODY_BYTES,
  tell,
  tellLost,
  watch,
  watchdogFor,
} from './exchange';
import {
  bodyFailure,
  type ErrorBodyLost,
  type ExchangeAnswered,
  mapTransportError,
} from './failures';
import { sharedTimer, Timed } from './shared-timer';
import type { StreamedExchange } from './streamed-exchange';
import { type DirectDispatch, header, type TransportResponse } from './transport';
import { bodyToSend } from './upload';
import type { Watchdog } from './watchdog';

type Controller = Dispatcher.DispatchController;
type Headers = TransportResponse['headers'];

/** Where an exchange is. */
enum Phase {
  /** Sent, no answer yet. */
  Sending,
  /** An error status: its body is read, up to a cap, for the error. */
  ErrorBody,
  /** The answer's body, chunk by chunk, to the sink. */
  Reading,
  /** The sink has the whole answer; the body has still to end (or is given up). */
  Complete,
  /** Settled otherwise: whatever still arrives is ignored. */
  Done,
}

/**
 * {@link readAttempt} through undici's `dispatch`, for the built-in transports: the handler gets
 * the status, headers and chunks as undici parses them, skipping `request()`'s promise, async
 * resource and `Readable` (about a tenth of the client's CPU per call: `profile/overhead.ts`).
 * Same contract as the `request()` path custom transports take. A streamed answer read at the
 * consumer's pace passes `opened`, which gets the exchange at once (to hold its deadlines, pause
 * it, cancel it). The promise settles when `sink` has the whole answer (or the body ends), or
 * with the attempt's typed error; the answer's scrubs are told first, once, as one total.
 */
export function directAttempt(
  init: AttemptInit,
  dispatch: DirectDispatch,
  maxBytes: number,
  sink: (chunk: Buffer) => boolean,
  onTooLarge: () => unknown,
  onContentType: ((contentType: string | undefined, statusCode: number) => void) | undefined,
  opened?: (exchange: StreamedExchange) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const exchange = new DirectExchange(
      init,
      maxBytes,
      sink,
      onTooLarge,
      onContentType,
      resolve,
      reject,
    );
    opened?.(exchange);
    exchange.send(dispatch);
  });
}

/** One exchange, as undici's handler (its methods are called by undici, in order). */
class DirectExchange extends Timed implements Dispatcher.DispatchHandler, StreamedExchange {
  readonly #init: AttemptInit;
  readonly #maxBytes: number;
  readonly #sink: (chunk: Buffer) => boolean;
  readonly #onTooLarge: () => unknown;
  readonly #onContentType: ((type: string | undefined, statusCode: number) => void) | undefined;
  /** The attempt's promise: settled through {@link #resolve} and {@link #reject} only. */
  readonly #resolvePromise: () => void;
  readonly #rejectPromise: (error: unknown) => void;
  readonly #control: AttemptSignal;
  readonly #watchdog: Watchdog | undefined;
  #phase = Phase.Sending;
  #controller: Controller | undefined;
  /** Why the exchange was cut before undici handed over its controller. */
  #cutBefore: Error | undefined;
  #answered: ExchangeAnswered | undefined;
  /** What the observer wants told if this error answer's body is lost. */
  #lost: ErrorBodyLost | undefined;
  #gotBytes = false;
  #size = 0;
  #statusCode = 0;
  #headers: Headers = {};
  #errorParts: Buffer[] | undefined;
  /** When a complete answer's body is given up if it has not ended (on the shared timer). */
  #graceUntil = 0;
  /** Held, paused by the consumer (see {@link StreamedExchange}). */
  #held = false;
  #paused = false;

  constructor(
    init: AttemptInit,
    maxBytes: number,
    sink: (chunk: Buffer) => boolean,
    onTooLarge: () => unknown,
    onContentType: ((contentType: string | undefined, statusCode: number) => void) | undefined,
    resolve: () => void,
    reject: (error: unknown) => void,
  ) {
    super();
    this.#init = init;
    this.#maxBytes = maxBytes;
    this.#sink = sink;
    this.#onTooLarge = onTooLarge;
    this.#onContentType = onContentType;
    this.#resolvePromise = resolve;
    this.#rejectPromise = reject;
    // A deadline before the headers aborts the signal the pool sees, so that a request still
    // waiting in its queue leaves it. Throws an aborted signal's reason, which rejects the attempt.
    this.#control = new AttemptSignal(init.signals, deadlineBeforeHeaders(init), true);
    this.#watchdog = watchdogFor(init, this.#control, () => this.#gotBytes, this.#cut);
  }

  send(dispatch: DirectDispatch): void {
    const init = this.#init;
    const body = bodyToSend(init, this.#control, this.#watchdog);
    if (init.observe !== undefined) this.#answered = watch(init.observe, init.endpoint);
    this.#control.signal?.addEventListener('abort', this.#onAbort);
    // What the answer's headers, error body and chunks scrub is told once, as one total, when
    // the attempt settles (by #resolve or #reject: no wrapper closures for it per attempt).
    gatherScrubs(init.redact);
    try {
      dispatch(
        init.path,
        {
          method: init.method,
          headers: init.headers,
          body,
          signal: this.#control.signal,
        },
        this,
      );
    } catch (error) {
      // undici reports a refused request to the handler; anything thrown here is ours to end.
      if (this.#phase !== Phase.Done) this.#fail(error);
    }
  }

  onRequestStart(controller: Controller): void {
    this.#controller = controller;
    if (this.#cutBefore !== undefined) controller.abort(this.#cutBefore);
  }

  onResponseStart(_controller: Controller, statusCode: number, headers: Headers): void {
    // An informational answer (100 Continue) is followed by the real one.
    if (this.#phase !== Phase.Sending || statusCode < 200) return;
    if (this.#answered !== undefined) this.#lost = tell(this.#answered, statusCode, headers);
    const encoded = encodedAnswerError(this.#init, statusCode, headers);
    if (encoded !== undefined) {
      // Refused before its body: the exchange is cut, which closes the socket.
      this.#fail(encoded);
      return;
    }
    if (!isAnswer(this.#init, statusCode)) {
      this.#phase = Phase.ErrorBody;
      this.#statusCode = statusCode;
      this.#headers = headers;
      this.#errorParts = [];
      armAtErrorHeaders(this.#init, this.#watchdog);
      return;
    }
    this.#phase = Phase.Reading;
    try {
      this.#onContentType?.(header(headers, 'content-type'), statusCode);
    } catch (error) {
      this.#fail(error);
      return;
    }
    armAtHeaders(this.#init, this.#watchdog);
  }

  onResponseData(_controller: Controller, chunk: Buffer): void {
    switch (this.#phase) {
      case Phase.Reading:
        this.#read(chunk);
        return;
      case Phase.ErrorBody:
        this.#readError(chunk);
        return;
      case Phase.Complete:
        // More after the final message (lines, an error): not read, the socket is closed.
        this.#giveUp();
        return;
      default:
    }
  }

  onResponseEnd(): void {
    switch (this.#phase) {
      case Phase.Reading:
        // Ended before the final message: the caller sees the answer is incomplete.
        this.#settle();
        this.#resolve();
        return;
      case Phase.ErrorBody:
        this.#settle();
        this.#reject(this.#httpError());
        return;
      case Phase.Complete:
        this.#phase = Phase.Done;
        sharedTimer.unwatch(this);
        return;
      default:
    }
  }

  onResponseError(_controller: Controller | undefined, error: Error): void {
    const phase = this.#phase;
    if (phase === Phase.Complete) {
      this.#phase = Phase.Done;
      sharedTimer.unwatch(this);
      return;
    }
    if (phase === Phase.Done) return;
    this.#settle();
    if (phase === Phase.ErrorBody) {
      tellLost(this.#lost, Buffer.concat(this.#errorParts ?? []).toString('utf8'));
    }
    const init = this.#init;
    const cut = this.#control.reason();
    if (cut !== undefined) this.#reject(cut);
    else if (phase === Phase.Reading) {
      this.#reject(bodyFailure(error, init));
    } else {
      this.#reject(mapTransportError(error, init, phase === Phase.ErrorBody));
    }
  }

  #read(chunk: Buffer): void {
    armAtChunk(this.#init, this.#watchdog, !this.#gotBytes);
    this.#gotBytes = true;
    this.#size += chunk.length;
    if (this.#size > this.#maxBytes) {
      this.#fail(this.#onTooLarge());
      return;
    }
    let complete: boolean;
    try {
      complete = this.#sink(chunk);
    } catch (error) {
      this.#fail(error);
      return;
    }
    if (!complete) return;
    this.#settle();
    // Usually the body's end is already in this chunk, and follows at once.
    this.#phase = Phase.Complete;
    this.#graceUntil = performance.now() + GRACE_MS;
    sharedTimer.watch(this, this.#graceUntil);
    this.#resolve();
  }

  #readError(chunk: Buffer): void {
    const parts = this.#errorParts!;
    const room = MAX_ERROR_BODY_BYTES - this.#size;
    if (chunk.length < room) {
      parts.push(chunk);
      this.#size += chunk.length;
      return;
    }
    // Enough to say what went wrong: the rest is not read, the socket is closed.
    parts.push(chunk.subarray(0, room));
    this.#settle();
    this.#abortExchange(new Error('error body cap reached'));
    this.#reject(this.#httpError());
  }

  #httpError(): Error {
    const text = Buffer.concat(this.#errorParts ?? []).toString('utf8');
    return httpErrorOf(this.#init, this.#statusCode, this.#headers, text);
  }

  /** Ends the exchange with `error`, the socket closed. */
  #fail(error: unknown): void {
    this.#settle();
    this.#abortExchange(error instanceof Error ? error : new Error(String(error)));
    this.#reject(error);
  }

  hold(): void {
    if (this.#held || this.#phase !== Phase.Reading) return;
    this.#held = true;
    this.#watchdog?.pause();
  }

  pause(): void {
    if (this.#paused || this.#phase !== Phase.Reading) return;
    this.#paused = true;
    this.#controller?.pause();
  }

  resume(): void {
    const reading = this.#phase === Phase.Reading;
    if (this.#held) {
      this.#held = false;
      if (reading) this.#watchdog?.resume();
    }
    if (this.#paused) {
      this.#paused = false;
      if (reading) this.#controller?.resume();
    }
  }

  cancel(reason: Error): void {
    if (this.#phase >= Phase.Complete) return;
    this.#stop(reason);
  }

  /** A deadline fired (the watchdog has set the timeout error the attempt rejects with). */
  readonly #cut = (error: Error): void => {
    this.#stop(error);
  };

  /** The caller's, the total or the breaker's signal aborted. */
  readonly #onAbort = (): void => {
    const reason = this.#control.reason();
    this.#stop(reason instanceof Error ? reason : new Error('aborted'));
  };

  /**
   * Cuts the exchange; undici then reports the abort, and the attempt rejects with why it was cut.
   * A request still waiting in the pool's queue reports nothing until it leaves it: the caller
   * does not wait for that.
   */
  #stop(reason: Error): void {
    this.#abortExchange(reason);
    if (this.#phase === Phase.Sending && this.#controller === undefined) {
      this.#settle();
      this.#reject(this.#control.reason() ?? reason);
    }
  }

  /** The grace of a complete answer's body (the only deadline the exchange itself keeps). */
  check(now: number): number | undefined {
    if (this.#phase !== Phase.Complete) {
      sharedTimer.unwatch(this);
      return undefined;
    }
    if (this.#graceUntil - now >= 1) return this.#graceUntil;
    this.#giveUp();
    return undefined;
  }

  /** The answer is complete but its body goes on, or does not end: the socket is closed. */
  #giveUp(): void {
    this.#phase = Phase.Done;
    sharedTimer.unwatch(this);
    this.#abortExchange(new Error('the answer was complete'));
  }

  #abortExchange(reason: Error): void {
    const controller = this.#controller;
    if (controller === undefined) this.#cutBefore ??= reason;
    else if (!controller.aborted) controller.abort(reason);
  }

  /** Tells the answer's scrubs, then resolves the attempt. */
  #resolve(): void {
    tellScrubs(this.#init.redact);
    this.#resolvePromise();
  }

  /** Tells the answer's scrubs (an error body's: `error` is built by now), then rejects. */
  #reject(error: unknown): void {
    tellScrubs(this.#init.redact);
    this.#rejectPromise(error);
  }

  /** Stops the deadlines and the signal listeners: the attempt has its outcome. */
  #settle(): void {
    this.#phase = Phase.Done;
    this.#watchdog?.stop();
    this.#control.signal?.removeEventListener('abort', this.#onAbort);
    this.#control.release();
    this.#control.upload?.end();
  }
}
