import type { Accumulator } from '../decode/accumulator';
import type { Framing, StreamDecoder, WireMessage } from '../decode/decoder';
import { wholeText } from '../decode/lines';
import { NdjsonDecoder } from '../decode/ndjson';
import { SseDecoder } from '../decode/sse';
import { streamAttempt } from '../http/attempt';
import { directAttempt } from '../http/direct-attempt';
import type { StreamedExchange } from '../http/streamed-exchange';
import { directDispatch } from '../http/transport';
import type { Runtime } from '../runtime';
import { CONSUMER_LEFT, streamThroughBreaker, throughBreaker } from '../stages/breaker-gate';
import type { StreamChunk, ToolCallOf } from '../types';
import { answerShape } from './answer-type';
import { attemptInit, type CallRequest } from './call-request';
import { Progress, progressOf, tooLarge } from './progress';
import { droppingPageKeptOf, PAGE_KEPT, WebPage } from './web-page';

/** What one streamed attempt sends, and how its answer is read. */
export interface StreamedAttempt extends CallRequest {
  model: string;
  framing: Framing;
  /** The `accept` header sent: what the answer should have been. */
  accept: string;
  /** Record the time to the first chunk in the stats (a stream the caller reads). */
  recordsFirstToken: boolean;
}

/**
 * Decoded chunks waiting for the caller beyond which the socket is paused: the server is then held
 * back by TCP instead of filling this process's memory. (One read may decode more than this: the
 * overshoot is bounded by the size of a read.)
 */
const HIGH_WATER = 64;

/** Why an exchange is cut when its reader leaves before the answer is complete. */

/**
 * One attempt's streamed answer, read message by message: the chunks decoded and not yet handed
 * on, a failure decoded with them, and the bytes read, capped at `maxAnswerBytes` (an endless
 * stream ends with a typed error carrying what arrived, never with the process out of memory).
 * The answer ends at its final message: what a server sends after it is not read.
 *
 * Over the built-in transports the answer is pushed: undici hands each chunk to a dispatch
 * handler, which decodes it at once, and the socket is paused while {@link HIGH_WATER} chunks wait
 * for the caller. A custom transport's body is pulled, one chunk per read, through the breaker's
 * stream gate. The breaker's call stays open until the answer is complete (pushed) or read to its
 * end (pulled); a failure in the answer counts against the server, a caller who leaves early
 * does not.
 */
export class AnswerReader<Response> {
  readonly attempt: number;
  readonly accumulator: Accumulator<StreamChunk<Response>, Response>;
  readonly #decoder: StreamDecoder;
  readonly #rt: Runtime;
  readonly #endpoint: string;
  readonly #recordsFirstToken: boolean;
  readonly #model: string;
  readonly #init: StreamedAttempt;
  /** Decoded, not yet handed to the caller. */
  readonly pending: StreamChunk<Response>[] = [];
  /** A failure decoded from the same read as `pending`: thrown once they reached the caller. */
  failure: unknown;
  /** The body ended, or the answer is complete. */
  ended = false;
  #bytes = 0;
  readonly #progress: Progress;
  /** When the attempt was sent: the first-token time counts from here. */
  readonly #sentAt = performance.now();
  firstTokenMs: number | undefined;
  readonly #onMessage = (message: WireMessage): void => {
    // As the buffered read: nothing after the final message, even within the same read.
    if (this.accumulator.done) return;
    const chunk = this.accumulator.add(message);
    if (chunk !== undefined) this.pending.push(chunk);
  };
  /** Pulled: the custom transport's body, through the breaker (created at the first read). */
  #body: AsyncGenerator<Uint8Array, void, undefined> | undefined;
  /** Pushed: the exchange, once sent, and how its breaker call settled. */
  #exchange: StreamedExchange | undefined;
  #outcome: Promise<void> | undefined;
  /** The caller holds the chunks of the last read (until it reads again). */
  #held = false;
  #left = false;
  /** A read waiting for the next push. */
  #wake: (() => void) | undefined;
  /** A web page answered instead of the stream: its start is kept, then it fails the attempt. */
  #page: WebPage | undefined;
  /** One JSON document answered instead of events: read whole, handed on as one chunk. */
  #whole: Buffer[] | undefined;
  readonly #onContentType = (contentType: string | undefined): void => {
    const shape = answerShape(contentType, this.#init.framing);
    if (shape === 'page') this.#page = new WebPage(contentType!);
    else if (shape === 'document') this.#whole = [];
  };

  constructor(
    rt: Runtime,
    attempt: number,
    accumulator: Accumulator<StreamChunk<Response>, Response>,
    init: StreamedAttempt,
  ) {
    this.#rt = rt;
    this.#init = init;
    this.#endpoint = init.endpoint;
    this.#recordsFirstToken = init.recordsFirstToken;
    this.#progress = new Progress(rt, init.idleMs, init.keyAskedAt);
    this.#model = init.model;
    this.attempt = attempt;
    this.accumulator = accumulator;
    this.#decoder =
      init.framing === 'sse' ? new SseDecoder(rt.maxBytes) : new NdjsonDecoder(rt.maxBytes);
  }

  /** Reads until something is pending, a failure was decoded, or the answer ended. */
  async fill(): Promise<void> {
    const { accumulator } = this;
    this.#progress.resume();
    if (this.#body === undefined && this.#outcome === undefined) this.#open();
    this.#held = false;
    this.#exchange?.resume();
    while (this.pending.length === 0 && this.failure === undefined && !this.ended) {
      if (accumulator.done) {
        this.ended = true;
        break;
      }
      if (this.#body === undefined) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        continue;
      }
      const next = await this.#body.next();
      const page = this.#page;
      if (page !== undefined) {
        if (next.done === true || page.keep(next.value)) this.failure = this.#pageError(page);
        continue;
      }
      if (next.done === true) {
        // What the body held last was read inside the breaker's gate (`thenFlush`).
        this.ended = true;
        break;
      }
      this.#bytes += next.value.byteLength;
      try {
        if (this.#bytes > this.#rt.maxAnswerBytes) {
          throw tooLarge(this.#rt, this.#endpoint, accumulator);
        }
        this.#take(next.value);
      } catch (error) {
        this.failure = error;
        // Through the breaker's gate, which then counts it as the server's failure (as the pushed
        // answer's exchange does) and closes the socket.
        this.#body.throw(error).catch(() => {});
      }
    }
    // What is pending is the caller's now: until it asks for more, silence is not the server's.
    this.#held = true;
    this.#progress.hold();
    this.#exchange?.hold();
  }

  /**
   * Releases the socket and the breaker's call if the answer was not read to its end. A complete
   * answer's body is let end, and its connection kept.
   */
  release(): Promise<unknown> {
    if (this.#body !== undefined) return this.#body.return(undefined).catch(() => {});
    if (this.#outcome === undefined) return Promise.resolve();
    this.#left = true;
    this.#exchange?.cancel(CONSUMER_LEFT);
    return this.#outcome.catch(() => {});
  }

  /** Decodes one read: messages into `pending`; throws a stall (the answer made no progress). */
  #take(chunk: Uint8Array): void {
    const { accumulator } = this;
    if (this.#whole !== undefined) {
      this.#whole.push(Buffer.from(chunk));
      // One document: nothing counts until all of it is there (see `Progress`), and nothing of
      // it was handed to the caller, so no time is held.
      const stalled = this.#progress.check(accumulator);
      if (stalled !== undefined) throw stalled;
      return;
    }
    try {
      this.#decoder.push(chunk, this.#onMessage);
      // Pushed while the caller holds chunks: not a time the server is answerable for.
      const stalled = this.#held ? undefined : this.#progress.check(accumulator);
      if (stalled !== undefined) throw stalled;
    } finally {
      // The first message that moved the answer on: an empty delta first is no token.
      if (this.firstTokenMs === undefined && progressOf(accumulator) > 0) {
        this.firstTokenMs = performance.now() - this.#sentAt;
        if (this.#recordsFirstToken) this.#rt.stats.firstTokenAfter(this.#model, this.firstTokenMs);
      }
    }
  }

  /** Sends the attempt: pushed over a built-in transport, pulled over a custom one. */
  #open(): void {
    const rt = this.#rt;
    const init = this.#init;
    const request = (breakerSignal: AbortSignal | undefined) =>
      attemptInit(rt, init, true, breakerSignal, false, this.accumulator);
    const dispatch = directDispatch(rt.transport);
    if (dispatch === undefined) {
      this.#body = streamThroughBreaker(
        rt,
        init.callerSignal,
        (breakerSignal) =>
          thenFlush(
            // Released once the final message arrived: the body may end, the socket is kept.
            streamAttempt(request(breakerSignal), () => this.accumulator.done, this.#onContentType),
            this.#flush,
          ),
        init.redact,
        () => this.accumulator.done,
        init.echoed,
      );
      return;
    }
    this.#outcome = throughBreaker(
      rt,
      init.callerSignal,
      (breakerSignal) =>
        directAttempt(
          request(breakerSignal),
          dispatch,
          rt.maxAnswerBytes,
          this.#push,
          () => tooLarge(rt, this.#endpoint, this.accumulator),
          this.#onContentType,
          (exchange) => {
            this.#exchange = exchange;
          },
        ).then(this.#flush, (error: unknown) => {
          // A caller who left is not the server's failure, nor its success: the breaker ignores
          // the call (a probe must not close it on an answer nobody saw end).
          if (this.#left) {
            if (this.accumulator.done) return;
            throw CONSUMER_LEFT;
          }
          // Before the breaker publishes the failure: no hop of the gate's for it.
          droppingPageKeptOf(init.echoed)(error);
        }),
      init.redact,
    );
    this.#outcome.then(this.#ended, this.#failed);
  }

  /**
   * The body ended: the decoder's last line (one without its newline), or the one JSON document,
   * read inside the breaker's call, so that an unreadable answer counts against the server.
   */
  readonly #flush = (): void => {
    if (this.#page !== undefined) return;
    if (this.#whole !== undefined) this.#end();
    else if (!this.accumulator.done) this.#decoder.end(this.#onMessage);
  };

  /** A pushed chunk: decoded at once; true when the answer is complete. */
  readonly #push = (chunk: Buffer): boolean => {
    // Enough of the page is kept: the exchange is cut, and `#ended` fails the attempt.
    if (this.#page?.keep(chunk) === true) throw PAGE_KEPT;
    if (this.#page !== undefined) return false;
    this.#take(chunk);
    if (this.pending.length >= HIGH_WATER && !this.accumulator.done) this.#exchange?.pause();
    if (this.pending.length > 0) this.#wakeUp();
    return this.accumulator.done;
  };

  readonly #ended = (): void => {
    if (this.#page !== undefined) {
      this.#failed(this.#pageError(this.#page));
      return;
    }
    // What the body held last was read inside the breaker's call (`#flush`).
    this.ended = true;
    this.#wakeUp();
  };

  readonly #failed = (error: unknown): void => {
    this.failure = error;
    this.#wakeUp();
  };

  /**
   * The body ended: the JSON document read whole, whose typed error is thrown before anything
   * reached the caller, or whose answer is handed on as one chunk.
   */
  #end(): void {
    const whole = this.#whole;
    if (whole === undefined) return;
    this.#whole = undefined;
    const { accumulator } = this;
    accumulator.addWhole(wholeText(Buffer.concat(whole)));
    const { content, thinking, toolCalls } = accumulator.partial();
    this.pending.push({
      content,
      thinking: thinking.length > 0 ? thinking : undefined,
      // The accumulator made these calls, of its provider's own type.
      toolCalls: toolCalls.length > 0 ? ([...toolCalls] as ToolCallOf<Response>[]) : undefined,
      done: false,
      response: undefined,
    });
  }

  /** Scrubs the secrets this call carried (its own key included) from server text. */
  get redact(): (text: string) => string {
    return this.#init.redact;
  }

  #pageError(page: WebPage): unknown {
    return page.error(this.#rt, this.#endpoint, this.#init.accept, this.#init.redact);
  }

  #wakeUp(): void {
    const wake = this.#wake;
    if (wake === undefined) return;
    this.#wake = undefined;
    wake();
  }
}

/** The body's chunks, then `flush` once it ended, still inside the breaker's stream gate. */
async function* thenFlush(
  body: AsyncGenerator<Uint8Array, void, undefined>,
  flush: () => void,
): AsyncGenerator<Uint8Array, void, undefined> {
  yield* body;
  flush();
}
