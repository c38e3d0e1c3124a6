import { failSecret, holdsLogin, optionError, REDACTED } from '@x/internal';
import type { RequestHeaders } from '../credentials';
import type { Accumulator } from '../decode/accumulator';
import { LineTooLongError } from '../decode/lines';
import { isProviderErrorOfKind, partialOf } from '../errors';
import { BodyTooLargeError } from '../http/attempt';
import { type AttemptInit, tell, watch, wholeToolCallWait } from '../http/exchange';
import type { ErrorBodyLost, ExchangeObserver } from '../http/failures';
import { OneShot } from '../http/shared-timer';
import type { RequestBody } from '../http/transport';
import { CallSignal, joinEnding, type LightSignal, releaseSignal } from '../light-signal';
import type { ProviderProtocolError } from '../protocol-error';
import type { Runtime } from '../runtime';
import { scrubPromptEchoes } from '../scrub-echoes';
import { scrubPartial } from '../scrub-partial';
import { beginCall, type CallScope } from '../stages/call-scope';
import { expectModelLabel } from '../validate';

/** What a call sends on every attempt, decided once per call. */
export interface CallRequest {
  endpoint: string;
  method: AttemptInit['method'];
  headers: Record<string, string>;
  body: RequestBody | undefined;
  /** Error statuses read as answers (`AttemptInit.answers`). */
  answers?: readonly number[] | undefined;
  /** The model, to name it in a not-found error. */
  model: string | undefined;
  /**
   * The call's signal: the caller's, joined with the total deadline and the provider's `ending`
   * (`beginCall`, `joinEnding`).
   */
  signal: AbortSignal | undefined;
  /**
   * The caller's own signal: the breaker ignores what follows its abort, so it must not be given
   * the total deadline, which is the provider's own timeout and a failure of the server.
   */
  callerSignal: AbortSignal | undefined;
  redact: (text: string) => string;
  /** The bound of each wait between two chunks of the answer (`AttemptInit.idleMs`). */
  idleMs: number | undefined;
  /** The call's request: what an error quotes of it is replaced (`scrubPromptEchoes`). */
  echoed?: object | undefined;
}

/**
 * The bytes of a request that is not JSON (an upload), instead of a `payload`.
 *
 * A `Uint8Array` is sent again on a retry. An async iterable of `Uint8Array` chunks (a Node
 * `Readable` of a file, a generator) is read as the socket takes it, never buffered whole, and
 * cannot be read twice: a request with one makes a single attempt, never retried. The call owns
 * it: however the call ends, a source that has not ended is ended (`return()`, a `Readable`
 * destroyed), even one nothing read.
 */
export interface RawBody {
  /** The bytes, or their chunks. */
  data: Uint8Array | AsyncIterable<Uint8Array>;
  /**
   * The `content-type` header.
   * @default 'application/octet-stream'
   */
  contentType?: string | undefined;
  /**
   * The length of an iterable's bytes, sent as `content-length`; without it the body goes
   * chunked. A `Uint8Array`'s own length is sent (this must then be left out, or equal it). A
   * source that gives more or fewer bytes ends the call with a `RangeError` naming `body.length`.
   */
  length?: number | undefined;
  /**
   * What that `RangeError` calls `length` and `data`: the arguments of a call built on this one
   * (`pushBlob`'s `options.size` and `data`), so its caller reads the names they wrote.
   * @default { length: 'body.length', data: 'body.data' }
   */
  names?: { readonly length: string; readonly data: string } | undefined;
}

/** A call outside the answer path (metadata, model management): no cache, tokens or limiter. */
export interface PlainCallInit {
  endpoint: string;
  method: AttemptInit['method'];
  payload: unknown;
  /** Raw bytes instead of the JSON `payload` (never both). */
  body?: RawBody | undefined;
  /** Error statuses that are answers, not errors: `[404]` for a `HEAD` asking whether a thing exists. */
  answers?: readonly number[] | undefined;
  model: string | undefined;
  /**
   * The caller's signal. A call without `body` is bounded by `timeouts.totalMs` too; one with a
   * `body` (an upload, which may rightly take hours) only by its deadlines between chunks, this
   * signal, and `close()` (`plainSignals`).
   */
  signal: AbortSignal | undefined;
}

/** The signals of a call outside the answer path (`plainSignals`). */
export interface PlainSignals {
  /** The call's: every stage and attempt follows it. */
  readonly signal: AbortSignal;
  /**
   * The one the breaker is told is the caller's (what follows its abort is not the server's
   * doing), and whose abort reason the call keeps.
   */
  readonly caller: AbortSignal | undefined;
  /** Lets go of what was linked, and of the deadline. */
  release(): void;
}

/**
 * The signals of a call outside the answer path. A metadata call (no `body`) follows the caller's
 * signal, `destroy()` and the total deadline (`timeouts.totalMs`, retries included, ending it with
 * the same `timeout: 'total'` error as `complete()`'s); that deadline is the server's failure, so
 * the breaker is given the caller's own signal only. An upload (`body`) has no total deadline (a
 * large file may take hours; its deadlines between chunks and the caller's signal bound it) and
 * follows `close()` as a model transfer does (`messages`): close() would otherwise wait for the
 * whole file. Its source's own `'error'` (an `UploadSource`'s `failed`) ends it at once. What ends
 * an upload there (close(), its source) is not the server's doing: the breaker is told of it as of
 * the caller's abort.
 */
export function plainSignals(
  rt: Runtime,
  init: PlainCallInit,
  upload: { readonly failed: LightSignal } | undefined,
): PlainSignals {
  const caller = init.signal;
  if (init.body !== undefined) {
    const own = new CallSignal(rt.closing, caller);
    const failed = upload?.failed;
    const onFailed = () => own.abort(failed!.reason);
    if (failed?.aborted === true) onFailed();
    else failed?.addEventListener('abort', onFailed);
    return {
      signal: own as unknown as AbortSignal,
      caller: own.toAbortSignal(),
      release: () => {
        failed?.removeEventListener('abort', onFailed);
        own.release();
      },
    };
  }
  const totalMs = rt.timeouts.totalMs;
  if (totalMs === undefined) {
    const signal = joinEnding(rt.ending, caller);
    return { signal, caller, release: () => releaseSignal(signal) };
  }
  const own = new CallSignal(rt.ending, caller);
  const timer = new OneShot(totalMs, () => {
    own.abort(rt.kit.timeout({ timeout: 'total', timeoutMs: totalMs, retryable: false }));
  });
  return {
    signal: own as unknown as AbortSignal,
    caller,
    release: () => {
      timer.cancel();
      own.release();
    },
  };
}

/** A call's scope (stats, retry budget, deadline, ending); `own`: a signal of its own (a stream's). */
export function callScope(
  rt: Runtime,
  model: string,
  callerSignal: AbortSignal | undefined,
  own?: boolean,
): CallScope {
  return beginCall({
    stats: rt.stats,
    model,
    budget: rt.retry.budget,
    kit: rt.kit,
    totalMs: rt.timeouts.totalMs,
    callerSignal,
    ending: rt.ending,
    own,
  });
}

/**
 * The model a call names, refused when it cannot be a label (too long, the overflow label), holds
 * a configured secret (a key pasted where the model goes) or a login (a URL with its password,
 * `user:password@registry/...`): the model labels stats, metrics, spans, logs and errors as it is.
 * The secret check is once per name; the length is checked first, so a megabyte-long name is not
 * kept in its memo.
 */
export function modelOf(rt: Runtime, model: string): string {
  expectModelLabel('request.model', model);
  if (rt.redactor.holdsSecret(model)) {
    failSecret('request.model', 'a model name, not a credential', model, true);
  }
  if (holdsLogin(model)) {
    // Not shown, as a key is not: the right type, a value no label may hold (a `RangeError`).
    throw optionError(
      [
        'Expected `',
        'request.model',
        `\` to be a model name without credentials (never a URL with a password), got \`${REDACTED}\` (string)`,
      ],
      true,
    );
  }
  return model;
}

/**
 * What a call outside the answer path sends on every attempt: its headers, body and redactor.
 * `signal` is the call's (`joinEnding` of the caller's); the breaker is given the caller's own.
 * Its JSON payload is searched as an answer's request is when it fails (a create's `system`,
 * `messages` and `template`: `requestTexts`), for what the server's error quotes of it.
 */
export async function plainCall(
  rt: Runtime,
  init: PlainCallInit,
  accept: string,
  signal: AbortSignal,
  /** The call's own hold of an iterable `body.data` (`UploadSource`), sent in its place. */
  upload?: RequestBody | undefined,
  /** The signal the breaker is told is the caller's (`PlainSignals.caller`). */
  callerSignal: AbortSignal | undefined = init.signal,
): Promise<CallRequest> {
  const { endpoint } = init;
  const pendingHeaders = headersFor(rt, accept, signal);
  const { headers, key } =
    pendingHeaders instanceof Promise ? await pendingHeaders : pendingHeaders;
  const raw = init.body;
  return {
    endpoint,
    method: init.method,
    headers: raw === undefined ? headers : rawHeaders(headers, raw),
    body:
      raw !== undefined
        ? (upload ?? raw.data)
        : init.payload === undefined
          ? undefined
          : JSON.stringify(init.payload),
    answers: init.answers,
    model: init.model === undefined ? undefined : modelOf(rt, init.model),
    signal,
    callerSignal,
    redact: rt.redactor.redactFor(key, endpoint),
    idleMs: rt.timeouts.idleMs,
    echoed: typeof init.payload === 'object' && init.payload !== null ? init.payload : undefined,
  };
}

/** The headers of a raw body: a copy (the JSON headers are shared by every call), its type and length. */
function rawHeaders(headers: Record<string, string>, raw: RawBody): Record<string, string> {
  const out: Record<string, string> = { ...headers };
  out['content-type'] = raw.contentType ?? 'application/octet-stream';
  const length = raw.data instanceof Uint8Array ? raw.data.byteLength : raw.length;
  if (length !== undefined) out['content-length'] = String(length);
  return out;
}

/**
 * One attempt of `call`, from the runtime: the one place its transport inputs are gathered. It
 * follows the call's signal, plus the breaker's while the breaker probes (`breakerSignal`).
 */
export function attemptInit(
  rt: Runtime,
  call: CallRequest,
  stream: boolean,
  breakerSignal?: AbortSignal,
  /** An answer read whole: its whole answer's deadline (`AttemptInit.wholeWithinMs`). */
  whole = false,
  /** The attempt's accumulator, told the answer's headers when it asks (`Accumulator.headers`). */
  accumulator?: Accumulator<unknown, unknown>,
): AttemptInit {
  return {
    transport: rt.transport,
    kit: rt.kit,
    httpError: rt.httpError,
    baseUrl: rt.baseUrl,
    path: rt.basePath === '' ? call.endpoint : rt.basePath + call.endpoint,
    origin: rt.origin,
    endpoint: call.endpoint,
    method: call.method,
    headers: call.headers,
    body: call.body,
    answers: call.answers,
    model: call.model,
    stream,
    wholeWithinMs: whole ? rt.timeouts.firstTokenMs : undefined,
    timeouts: rt.timeouts,
    idleMs: call.idleMs,
    signals: breakerSignal === undefined ? [call.signal] : [call.signal, breakerSignal],
    redact: call.redact,
    observe: accumulator?.headers === undefined ? rt.observe : observing(rt, accumulator),
  };
}

/**
 * The exchange observer of an attempt whose accumulator reads the answer's headers: it is told
 * those of a success, then the provider's own observer all of them. The headers reach the
 * pipeline here only (the readers hand on the content type alone), once per attempt, over either
 * reader; what either throws is ignored, as an observer's is.
 */
function observing(rt: Runtime, accumulator: Accumulator<unknown, unknown>): ExchangeObserver {
  const observe = rt.observe;
  return (endpoint) => {
    const answered = observe === undefined ? undefined : watch(observe, endpoint);
    return (statusCode, headers) => {
      // What the provider's observer wants told if an error body is lost goes back to the reader.
      let lost: ErrorBodyLost | undefined;
      try {
        if (statusCode < 300) accumulator.headers!(headers);
      } finally {
        if (answered !== undefined) lost = tell(answered, statusCode, headers);
      }
      return lost;
    };
  };
}

/** The request headers of a call: built once without a key callback, fetched under the signal with one. */
export function headersFor(
  rt: Runtime,
  accept: string,
  signal: AbortSignal | undefined,
): RequestHeaders | Promise<RequestHeaders> {
  return rt.credentials.static
    ? rt.credentials.fixed(accept)
    : rt.credentials.fresh(accept, signal);
}

/**
 * Turns a size error into the provider's stream error and gives an error raised below the
 * accumulator the content that had arrived, scrubbed with `redact` (the call's own key too) when
 * given. What the error quotes of `echoed` (the call's request) is replaced (`scrub-echoes.ts`).
 */
export function withPartial(
  rt: Runtime,
  error: unknown,
  endpoint: string,
  accumulator: Accumulator<unknown, unknown> | undefined,
  redact?: (text: string) => string,
  echoed?: object,
): unknown {
  const out = partialFor(rt, error, endpoint, accumulator);
  if (redact !== undefined) scrubPartial(redact, out);
  if (echoed !== undefined) scrubPromptEchoes(out, echoed);
  return out;
}

function partialFor(
  rt: Runtime,
  error: unknown,
  endpoint: string,
  accumulator: Accumulator<unknown, unknown> | undefined,
): unknown {
  const partial = accumulator?.partial();
  if (error instanceof BodyTooLargeError || error instanceof LineTooLongError) {
    return rt.kit.stream({
      reason: 'line-too-long',
      message: `${rt.identity.label}'s ${endpoint} answer exceeded maxLineBytes (${error.limit})`,
      partial: partial ?? { content: '', thinking: '', toolCalls: [], chunks: 0 },
      cause: error,
    });
  }
  if (partial === undefined) return error;
  // Cut short (an incomplete stream) or broken midway (`bodyFailure`'s protocol error): the error
  // gets what had arrived.
  const cut = isProviderErrorOfKind(error, 'incomplete-stream');
  if (cut || isProviderErrorOfKind(error, 'protocol')) {
    const had = partialOf(error);
    if (had === undefined || had.chunks >= partial.chunks) return error;
    if (cut) return rt.kit.incomplete({ partial, cause: error.cause });
    const { causeCode } = error as ProviderProtocolError;
    return rt.kit.protocol({ origin: rt.origin, causeCode, partial, cause: error.cause });
  }
  if (accumulator!.chunks === 0) return error;
  if (isProviderErrorOfKind(error, 'timeout') && partialOf(error) === undefined) {
    const timeout = error as unknown as { timeout: 'idle'; timeoutMs: number };
    const raised = wholeToolCallWait(rt.timeouts, timeout.timeout, timeout.timeoutMs);
    return rt.kit.timeout({
      timeout: timeout.timeout,
      timeoutMs: timeout.timeoutMs,
      retryable: false,
      partial,
      cause: error.cause,
      waitedFor: raised?.waitedFor,
      option: raised?.option,
    });
  }
  return error;
}

/** Parses a whole JSON answer; anything else (an HTML page of another service) is a typed error. */
export function parseJson(rt: Runtime, text: string, endpoint: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // No SyntaxError as cause: its message quotes the body unredacted.
    throw rt.kit.stream({
      reason: 'invalid-json',
      message: `${rt.identity.label}'s ${endpoint} answer is not JSON: ${rt.redactor.redact(text.trim()).slice(0, 80)}`,
      partial: { content: '', thinking: '', toolCalls: [], chunks: 0 },
    });
  }
}
