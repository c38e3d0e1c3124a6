import type { Accumulator } from '../decode/accumulator';
import type { Framing, StreamDecoder, WireMessage } from '../decode/decoder';
import { NdjsonDecoder } from '../decode/ndjson';
import { SseDecoder } from '../decode/sse';
import { streamAttempt } from '../http/attempt';
import type { Runtime } from '../runtime';
import { streamThroughBreaker } from '../stages/breaker-gate';
import type { StreamChunk } from '../types';
import { Progress, tooLarge } from './progress';
import { attemptInit, signalsOf } from './shared';

/** What one streamed attempt sends. */
export interface StreamedAttempt {
  endpoint: string;
  headers: Record<string, string>;
  body: string;
  model: string;
  framing: Framing;
  signal: AbortSignal | undefined;
  redact: (text: string) => string;
  /** Record the time to the first chunk in the stats (a stream the caller reads). */
  recordsFirstToken: boolean;
}

/**
 * One attempt's streamed answer, read message by message: the chunks decoded and not yet handed
 * on, a failure decoded with them, and the bytes read, capped at `maxAnswerBytes` (an endless
 * stream ends with a typed error carrying what arrived, never with the process out of memory).
 * The answer ends at its final message: what a server sends after it is not read.
 */
export class AnswerReader<Response> {
  readonly attempt: number;
  readonly accumulator: Accumulator<StreamChunk<Response>, Response>;
  readonly #decoder: StreamDecoder;
  readonly #body: AsyncGenerator<Uint8Array, void, undefined>;
  readonly #rt: Runtime;
  readonly #endpoint: string;
  readonly #recordsFirstToken: boolean;
  readonly #model: string;
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
    const chunk = this.accumulator.add(message);
    if (chunk !== undefined) this.pending.push(chunk);
  };

  constructor(
    rt: Runtime,
    attempt: number,
    accumulator: Accumulator<StreamChunk<Response>, Response>,
    init: StreamedAttempt,
  ) {
    this.#rt = rt;
    this.#endpoint = init.endpoint;
    this.#recordsFirstToken = init.recordsFirstToken;
    this.#progress = new Progress(rt);
    this.#model = init.model;
    this.attempt = attempt;
    this.accumulator = accumulator;
    this.#decoder =
      init.framing === 'sse' ? new SseDecoder(rt.maxBytes) : new NdjsonDecoder(rt.maxBytes);
    this.#body = streamThroughBreaker(rt.breaker, init.signal, (breakerSignal) =>
      streamAttempt(
        attemptInit(rt, {
          endpoint: init.endpoint,
          method: 'POST',
          headers: init.headers,
          body: init.body,
          model: init.model,
          stream: true,
          signals: signalsOf(init.signal, breakerSignal),
          redact: init.redact,
        }),
        // Released once the final message arrived: the body may end, the socket is kept.
        () => this.accumulator.done,
      ),
    );
  }

  /** Reads until something is pending, a failure was decoded, or the answer ended. */
  async fill(): Promise<void> {
    const { accumulator } = this;
    this.#progress.resume(accumulator.chunks);
    while (this.pending.length === 0 && this.failure === undefined && !this.ended) {
      if (accumulator.done) {
        this.ended = true;
        break;
      }
      const next = await this.#body.next();
      if (next.done === true) {
        this.#decoder.end(this.#onMessage);
        this.ended = true;
        break;
      }
      this.#bytes += next.value.byteLength;
      try {
        if (this.#bytes > this.#rt.maxAnswerBytes) {
          throw tooLarge(this.#rt, this.#endpoint, accumulator);
        }
        this.#decoder.push(next.value, this.#onMessage);
        const stalled = this.#progress.check(accumulator);
        if (stalled !== undefined) throw stalled;
      } catch (error) {
        this.failure = error;
      }
      if (this.firstTokenMs === undefined && accumulator.chunks > 0) {
        this.firstTokenMs = performance.now() - this.#sentAt;
        if (this.#recordsFirstToken) this.#rt.stats.firstTokenAfter(this.#model, this.firstTokenMs);
      }
    }
  }

  /** Releases the socket and the breaker's call if the body was not read to its end. */
  release(): Promise<unknown> {
    return this.#body.return(undefined).catch(() => {});
  }
}
