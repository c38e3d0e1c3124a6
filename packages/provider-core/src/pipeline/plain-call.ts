import type { AttemptInit } from '../http/exchange';
import { metadataWait, noteMetadataWait } from '../http/metadata-wait';
import { OneShot } from '../http/shared-timer';
import type { RequestBody } from '../http/transport';
import { CallSignal, joinEnding, type LightSignal, releaseSignal } from '../light-signal';
import type { Runtime } from '../runtime';
import { type CallRequest, headersFor, modelOf } from './call-request';

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
   * What the call asks for, named in its timeout error after its method and path
   * (`the details of model "llama3.2"`).
   */
  purpose?: string | undefined;
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
    // Named by its request, as its whole answer's deadline is: "the whole request" would read as
    // the request a lookup was made for.
    const waitedFor = answeringOf(rt, init);
    own.abort(
      noteMetadataWait(
        rt.kit.timeout({ timeout: 'total', timeoutMs: totalMs, retryable: false, waitedFor }),
        waitedFor,
      ),
    );
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
  const { headers, key, askedAt } =
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
    answering: answeringOf(rt, init),
    // An upload's answer deadline runs from its last byte, which the key's wait is not next to.
    keyAskedAt: raw === undefined ? askedAt : undefined,
  };
}

/**
 * What a deadline of a call outside the answer path waits for: the server's answer to the request
 * it sends (`the server to answer POST /api/show (the details of model "llama3.2")`).
 */
function answeringOf(rt: Runtime, init: PlainCallInit): string {
  return metadataWait(init.method, rt.basePath + init.endpoint, init.purpose);
}

/** The headers of a raw body: a copy (the JSON headers are shared by every call), its type and length. */
function rawHeaders(headers: Record<string, string>, raw: RawBody): Record<string, string> {
  const out: Record<string, string> = { ...headers };
  out['content-type'] = raw.contentType ?? 'application/octet-stream';
  const length = raw.data instanceof Uint8Array ? raw.data.byteLength : raw.length;
  if (length !== undefined) out['content-length'] = String(length);
  return out;
}
