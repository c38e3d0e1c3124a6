import type { Fixture } from './fixtures';

/**
 * A latency amount: fixed milliseconds, a uniform range, or a seeded distribution.
 *
 * @example
 * ```ts
 * const fixed: LatencySpec = 250;
 * const range: LatencySpec = { min: 50, max: 500 };
 * const tail: LatencySpec = { distribution: 'exponential', mean: 100 };
 * const normal: LatencySpec = { distribution: 'normal', mean: 100, stddev: 20 };
 * ```
 */
export type LatencySpec =
  | number
  | { readonly min: number; readonly max: number }
  | { readonly distribution: 'exponential'; readonly mean: number }
  | { readonly distribution: 'normal'; readonly mean: number; readonly stddev: number };

/** Added latency before the request is handled at all (before queueing and loading). */
export interface LatencyFault {
  readonly kind: 'latency';
  readonly ms: LatencySpec;
}

/** The status line and headers are held back `ms` after the answer is ready (headers-timeout tests). */
export interface SlowHeadersFault {
  readonly kind: 'slow-headers';
  readonly ms: number;
}

/** An HTTP error before any streaming starts: `{"error":...}` JSON, as Ollama answers. */
export interface StatusFault {
  readonly kind: 'status';
  /** HTTP status, e.g. 500, 503, 429, 502. */
  readonly status: number;
  /** The `error` text. @default Ollama's text for that status (500: runner stopped, 503: server busy…) */
  readonly error?: string | undefined;
  /** A raw body that replaces the JSON (with `contentType`). */
  readonly body?: string | undefined;
  /** @default 'application/json; charset=utf-8' */
  readonly contentType?: string | undefined;
}

/**
 * A 429 as a hosted OpenAI-compatible service sends it: `x-ratelimit-limit/remaining/reset-requests`
 * and `-tokens` headers (resets written like `1s`, `6m0s`, `20ms`), `retry-after` (seconds) and
 * `retry-after-ms`, and OpenAI's error body. On the native routes the body is `{"error":"..."}`.
 *
 * @example
 * ```ts
 * const fault: RateLimitFault = { kind: 'rate-limit', limit: 'tokens', retryAfterMs: 20_000 };
 * const billing: RateLimitFault = { kind: 'rate-limit', code: 'insufficient_quota' };
 * ```
 */
export interface RateLimitFault {
  readonly kind: 'rate-limit';
  /**
   * `'rate_limit_exceeded'` (error `type` `requests` or `tokens`: retry after the wait) or
   * `'insufficient_quota'` (error `type` and `code` `insufficient_quota`: no credit left, retrying
   * does not help).
   * @default 'rate_limit_exceeded'
   */
  readonly code?: 'rate_limit_exceeded' | 'insufficient_quota' | undefined;
  /** The limit that ran out: its remaining header says 0 and its reset is `retryAfterMs`. @default 'requests' */
  readonly limit?: 'requests' | 'tokens' | undefined;
  /** `retry-after-ms`; `retry-after` is it in whole seconds, rounded up. @default 1000 */
  readonly retryAfterMs?: number | undefined;
  /** `x-ratelimit-limit-requests`. @default 60 */
  readonly limitRequests?: number | undefined;
  /** `x-ratelimit-limit-tokens`. @default 150000 */
  readonly limitTokens?: number | undefined;
  /** The error `message`. @default OpenAI's text for the code */
  readonly message?: string | undefined;
}

/**
 * An `{"error":"..."}` NDJSON line in a 200 stream, after which the server closes the stream.
 * Non-streaming: a 500. On `/v1` a stream gets what Ollama sends there: an ordinary chunk with an
 * empty delta and `"model":""` (its OpenAI writer reads the error line as an empty answer), then
 * the end, without finish chunk, `[DONE]` or the error text; `style: 'openai'` sends an OpenAI
 * error event instead.
 */
export interface ErrorLineFault {
  readonly kind: 'error-line';
  /** Body chunks (NDJSON lines, SSE events) written before the error. @default all but the final chunk */
  readonly afterChunks?: number | undefined;
  /** @default 'an error was encountered while running the model: unexpected EOF' */
  readonly error?: string | undefined;
  /**
   * How a `/v1` stream carries it: `'ollama'`, Ollama's bytes (the text is lost); `'openai'`, an
   * event `data: {"error":{"message",...}}` as other OpenAI-compatible servers send (the official
   * client raises it as an `APIError`), not something Ollama sends. Native routes ignore it.
   * @default 'ollama'
   */
  readonly style?: 'ollama' | 'openai' | undefined;
}

/**
 * The model's runner (llama-server) died: the request is scheduled as usual (the model loads),
 * then Ollama finds the process gone before it asks the runner anything and answers as its
 * handler does: chat and generate 500 (before any line of a stream), `/api/embed` 400, the legacy
 * `/api/embeddings` 500, `/v1` the status of the native route it is rewritten to. The text is
 * llm/llama_server.go's `llama-server process no longer running: exit status 1 ` (chat and
 * generate keep the space its empty last error leaves; the embed handlers trim it). A request
 * that never reaches a runner (a route without one, an empty prompt or input) is not affected.
 * The dead runner is gone afterwards: the next request loads the model again.
 *
 * @example
 * ```ts
 * const fault: RunnerCrashFault = { kind: 'runner-crash', lastError: 'CUDA error: out of memory' };
 * ```
 */
export interface RunnerCrashFault {
  readonly kind: 'runner-crash';
  /** The process's exit code, -1 to 255 (`-1`: killed by a signal, written `unknown`; `0`: `OK`). @default 1 */
  readonly exitStatus?: number | undefined;
  /** The last error line llama-server printed, appended after the status. @default '' */
  readonly lastError?: string | undefined;
}

/** The TCP connection is destroyed (no clean end). */
export interface DestroyFault {
  readonly kind: 'destroy';
  /** Body chunks written first; `0` destroys before the headers. @default all but the final chunk */
  readonly afterChunks?: number | undefined;
}

/** The stream ends cleanly (chunked terminator) but without the `done:true` chunk; non-streaming: half a JSON body. */
export interface EndWithoutDoneFault {
  readonly kind: 'end-without-done';
  /** Body chunks written before ending. @default all but the final chunk */
  readonly afterChunks?: number | undefined;
}

/** A pause of `ms` before a chunk. */
export interface StallFault {
  readonly kind: 'stall';
  readonly ms: number;
  /** Index of the chunk that is delayed (chunks written before it). @default 1 */
  readonly afterChunks?: number | undefined;
  /** Stall before every chunk after the first instead of one. @default false */
  readonly everyChunk?: boolean | undefined;
}

/** Body bytes written as separate socket writes split at these offsets (may fall inside a UTF-8 character). */
export interface SplitFault {
  readonly kind: 'split';
  /** Absolute byte offsets in the response body where a write ends. */
  readonly at?: readonly number[] | undefined;
  /** Or: split every N bytes. */
  readonly every?: number | undefined;
  /** Pause between the pieces so they leave as separate TCP segments. @default 2 */
  readonly gapMs?: number | undefined;
}

/** The current connection is destroyed and the server stops listening for `ms`, then listens again on the same port. */
export interface RefuseFault {
  readonly kind: 'refuse';
  readonly ms: number;
}

/** Answers with a recorded fixture, byte for byte. */
export interface ReplayFault {
  readonly kind: 'replay';
  readonly fixture: Fixture;
}

/** One injectable fault. */
export type Fault =
  | LatencyFault
  | SlowHeadersFault
  | StatusFault
  | RateLimitFault
  | ErrorLineFault
  | RunnerCrashFault
  | DestroyFault
  | EndWithoutDoneFault
  | StallFault
  | SplitFault
  | RefuseFault
  | ReplayFault;

/** The kinds of {@link Fault}. */
export type FaultKind = Fault['kind'];

/**
 * A rule choosing faults for matching requests: either a scripted `sequence` (the n-th matching
 * request gets entry n; `null` means no fault) or one `fault` with a seeded `probability`.
 *
 * @example
 * ```ts
 * const rules: FaultRule[] = [
 *   { route: '/api/chat', sequence: [{ kind: 'status', status: 503 }, null] },
 *   { route: '*', fault: { kind: 'latency', ms: { min: 5, max: 50 } }, probability: 0.2 },
 * ];
 * ```
 */
export interface FaultRule {
  /**
   * Path(s) the rule applies to, matched exactly: a served path (`'/api/chat'`,
   * `'/v1/models/llama3.2'`), a route's pattern (`'/api/blobs/:digest'`, `'/v1/models/:model'`), or
   * `'*'`. A path the simulator does not serve is a `RangeError` naming the closest route.
   * @default '*'
   */
  readonly route?: string | readonly string[] | undefined;
  /** Only requests for this model name (as sent, compared case-insensitively, `:latest` implied). */
  readonly model?: string | undefined;
  /** Scripted faults, one entry per matching request. */
  readonly sequence?: readonly (Fault | readonly Fault[] | null)[] | undefined;
  /** Restart the sequence when it runs out. @default false */
  readonly repeat?: boolean | undefined;
  /** A fault (or several) applied with `probability`. */
  readonly fault?: Fault | readonly Fault[] | undefined;
  /** Chance in [0, 1] that `fault` applies, drawn from the seeded generator. @default 1 */
  readonly probability?: number | undefined;
  /** Stop after this many applications. @default Infinity */
  readonly times?: number | undefined;
}

/** A fault plan: rules plus the seed for probabilistic ones. A bare array of rules is accepted too. */
export interface FaultPlan {
  readonly rules: readonly FaultRule[];
  /** Seed of the probability and latency-distribution draws. @default the simulator's `seed` */
  readonly seed?: number | undefined;
}
