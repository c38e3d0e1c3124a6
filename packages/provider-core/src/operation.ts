import type { Accumulator } from './decode/accumulator';
import type { Framing } from './decode/decoder';
import type { CacheInput } from './stages/cache';
import type { ContextInput, Prepared } from './stages/context';
import type { StreamChunk } from './types';

/** How a streamed answer is framed and accepted. */
export interface StreamFormat {
  framing: Framing;
  /** The `accept` header of a streamed request. */
  accept: string;
}

/** The fields of an answer the shared stages fill in. */
export interface CoreResponse {
  attempts: number;
  usage: { promptTokens?: number | undefined; completionTokens?: number | undefined };
  timings: {
    latencyMs: number | undefined;
    queueWaitMs?: number | undefined;
    firstTokenMs?: number | undefined;
    tokensPerSecond?: number | undefined;
  };
  cached?: boolean | undefined;
  truncated?: boolean | undefined;
  estimatedPromptTokens?: number | undefined;
  costUsd?: number | undefined;
}

/** The parts of a request the shared stages read. */
export interface CoreRequest {
  signal?: AbortSignal | undefined;
  cache?: 'default' | 'bypass' | 'refresh' | undefined;
}

/**
 * One endpoint of a provider's wire: how a request becomes a body and how an answer is read. The
 * shared stages (cache, tokens, rate limit, retry, breaker, deadlines, reconcile, stats) run
 * around it; an operation holds no state.
 */
export interface Operation<Request extends CoreRequest, Response extends CoreResponse>
  extends ContextInput<Request>,
    CacheInput<Request> {
  /** `chat`, `generate`, `embed`: named in stats and events. */
  readonly name: string;
  /** The path, such as `/api/chat`. */
  readonly endpoint: string;
  /**
   * How the endpoint streams, when it can. A buffered call of such an operation is read as a
   * stream too (nothing reaches the caller until the end): the first-token and idle deadlines then
   * bound it, where a `stream: false` answer sends nothing until it is complete.
   */
  readonly stream?: StreamFormat | undefined;
  /**
   * True when the server sends this request's tool calls only whole, nothing while the model
   * writes one (Ollama parses the call before sending it): each wait between two chunks may then
   * last as long as the wait for the first, the larger of `timeouts.idleMs` and
   * `timeouts.firstTokenMs` (either off: no bound). Asked once per call.
   */
  readonly sendsToolCallsWhole?: ((request: Request) => boolean) | undefined;
  /**
   * The JSON body of an attempt; `prepared` holds what the tokens step decided. A string is the
   * body's JSON text, written by the operation (`jsonQuote`, `jsonValue`, `jsonObject`); anything
   * else is given to `JSON.stringify`.
   */
  body(request: Request, stream: boolean, prepared: Prepared): unknown;
  /** A fresh accumulator for one attempt's answer; `redact` scrubs server text. */
  accumulator(redact: (text: string) => string): Accumulator<StreamChunk<Response>, Response>;
  /** Fills what only this provider's answer has, after the shared fields. */
  finish?(response: Response, prepared: Prepared, request: Request): void;
}
