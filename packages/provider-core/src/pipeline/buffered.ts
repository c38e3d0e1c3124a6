import type { Accumulator } from '../decode/accumulator';
import type { WireMessage } from '../decode/decoder';
import { wholeText } from '../decode/lines';
import { NdjsonDecoder } from '../decode/ndjson';
import { SseDecoder } from '../decode/sse';
import { readAttempt } from '../http/attempt';
import { UploadSource } from '../http/upload';
import { type CallTelemetry, within } from '../observe/telemetry';
import type { CoreRequest, CoreResponse, Operation, StreamFormat } from '../operation';
import type { Runtime } from '../runtime';
import { throughBreaker } from '../stages/breaker-gate';
import type { CachePlan } from '../stages/cache';
import type { CallScope } from '../stages/call-scope';
import { type RetryTarget, singleAttempt, withRetries } from '../stages/retry';
import { NO_SLOT } from '../stages/slot';
import type { StreamChunk } from '../types';
import { withPartial } from './answer-failures';
import { answerShape } from './answer-type';
import { attemptInit, type CallRequest, callScope, modelOf } from './call-request';
import { normalizeFailure } from './normalize';
import { ended, finish, succeeded } from './outcome';
import { type PlainCallInit, plainCall, plainSignals } from './plain-call';
import { Progress, tooLarge } from './progress';
import { planSend, type SendPlan } from './send-plan';
import { droppingPageKeptOf, PAGE_KEPT, readWhole, WebPage } from './web-page';

/**
 * A buffered call through the whole request path: cache, tokens, rate limit,
 * retry(breaker(attempt)), decode, reconcile, store, stats and events. Never throws: a failure
 * before anything is sent rejects, as an `async` function's would. Not one: its frame, promise
 * and await cost every call more than one `then` on the answer (`fresh` and `planSend` likewise).
 */
export function complete<Request extends CoreRequest, Response extends CoreResponse>(
  rt: Runtime,
  op: Operation<Request, Response>,
  request: Request,
): Promise<Response> {
  let model: string;
  let scope: CallScope;
  let call: CallTelemetry | undefined;
  try {
    if (rt.closed) throw rt.kit.closed();
    model = modelOf(rt, op.model(request));
    scope = callScope(rt, model, request.signal);
    if (op.name === 'embed') rt.stats.embeddings++;
    call = rt.telemetry?.start(op.name, model, request, false);
  } catch (error) {
    return Promise.reject(error);
  }
  /** The error the call ends with, counted and told; the call's scope ended. */
  const endWith = (error: unknown): unknown => {
    const out = ended(rt, error, model, op.endpoint, request.signal, call);
    scope.end();
    return out;
  };
  let plan: CachePlan;
  let answer: Promise<Response>;
  try {
    plan = rt.cache.plan(op, request, request.cache);
    const run = (): Promise<Response> =>
      plan.use === 'read-through'
        ? rt.cache.readThrough(plan.key, model, scope.signal, scope.started, (signal, callers) =>
            fresh(rt, op, request, signal, scope.started, callers),
          )
        : fresh(rt, op, request, scope.signal, scope.started, request.signal);
    answer = within(call, run);
  } catch (error) {
    return Promise.reject(endWith(error));
  }
  return answer.then(
    (response) => {
      try {
        if (plan.use === 'refresh') rt.cache.store(plan.key, { response });
        succeeded(rt, response, model, scope.started, call);
      } catch (error) {
        throw endWith(error);
      }
      scope.end();
      return response;
    },
    (error: unknown) => {
      throw endWith(error);
    },
  );
}

/**
 * The request path after the cache: a fresh answer. An operation that can stream is read as a
 * stream (nothing reaches the caller until the end), so its first-token and idle deadlines apply
 * and it ends at its final message; the others are one JSON document read whole. Each reading is
 * an attempt function of its own, not one branching per attempt: V8's feedback for one does not
 * mix with the other's in a process that uses both, and each allocates only what it reads with.
 * Never throws: a failure rejects.
 */
function fresh<Request extends CoreRequest, Response extends CoreResponse>(
  rt: Runtime,
  op: Operation<Request, Response>,
  request: Request,
  signal: AbortSignal | undefined,
  started: number,
  /** The signal of whoever waits for this answer: the caller's, or a shared load's (the cache's). */
  callerSignal: AbortSignal | undefined,
): Promise<Response> {
  const format = op.stream;
  let send: SendPlan | Promise<SendPlan>;
  try {
    send = planSend(
      rt,
      op,
      request,
      signal,
      format !== undefined,
      format?.accept ?? 'application/json',
    );
  } catch (error) {
    return Promise.reject(error);
  }
  return send instanceof Promise
    ? send.then((plan) => attempts(rt, op, request, signal, started, callerSignal, plan))
    : attempts(rt, op, request, signal, started, callerSignal, send);
}

/** The attempts of a fresh call, once its plan is made. Never throws: a failure rejects. */
function attempts<Request extends CoreRequest, Response extends CoreResponse>(
  rt: Runtime,
  op: Operation<Request, Response>,
  request: Request,
  signal: AbortSignal | undefined,
  started: number,
  callerSignal: AbortSignal | undefined,
  send: SendPlan,
): Promise<Response> {
  const format = op.stream;
  // What every attempt sends, and the call's retry target as well: the endpoint, the model, the
  // signal and the rate limit a retry goes through again.
  const call: CallRequest & RetryTarget = {
    endpoint: op.endpoint,
    method: 'POST',
    headers: send.headers,
    body: send.body,
    model: op.model(request),
    signal,
    callerSignal,
    redact: send.redact,
    idleMs: send.idleMs,
    limit: rt.limit,
    echoed: request,
    keyAskedAt: send.keyAskedAt,
  };
  const shared = { rt, op, request, send, call, started };
  // The concurrency slot is held through every attempt and given back however the call ends.
  let answer: Promise<Response>;
  try {
    answer = withRetries(
      rt.retry,
      call,
      format === undefined ? wholeAttempt(shared) : streamedAttempt(shared, format),
    );
  } catch (error) {
    send.release();
    return Promise.reject(error);
  }
  // Without a concurrency limit there is no slot to give back: no `then` for it.
  if (send.release === NO_SLOT) return answer;
  return answer.then(
    (response) => {
      send.release();
      return response;
    },
    (error: unknown) => {
      send.release();
      throw error;
    },
  );
}

/** What the attempts of one fresh call share. */
interface FreshCall<Request extends CoreRequest, Response extends CoreResponse> {
  rt: Runtime;
  op: Operation<Request, Response>;
  request: Request;
  send: SendPlan;
  call: CallRequest;
  started: number;
}

/** An attempt reading one JSON document (`stream: false`). */
function wholeAttempt<Request extends CoreRequest, Response extends CoreResponse>(
  fresh: FreshCall<Request, Response>,
): (attempt: number) => Promise<Response> {
  const { rt, op, send, call } = fresh;
  return (attempt) => {
    if (attempt > 1) call.keyAskedAt = undefined;
    const accumulator = op.accumulator(send.redact);
    return readWhole(
      rt,
      call,
      (body) => accumulator.addWhole(wholeText(body)),
      undefined,
      accumulator,
    ).then(
      () => answerOf(fresh, accumulator, attempt),
      (error: unknown) => {
        throw withPartial(rt, error, op.endpoint, accumulator, send.redact, fresh.request);
      },
    );
  };
}

/** The answer of a finished attempt, or the incomplete-stream error when it never got its end. */
function answerOf<Request extends CoreRequest, Response extends CoreResponse>(
  fresh: FreshCall<Request, Response>,
  accumulator: Accumulator<StreamChunk<Response>, Response>,
  attempt: number,
): Response {
  const { rt, op, request, send, started } = fresh;
  if (!accumulator.done) throw rt.kit.incomplete({ partial: accumulator.partial() });
  return finish(rt, op, request, send, accumulator.build(), {
    attempt,
    started,
    firstTokenMs: undefined,
    streamed: false,
  });
}

/** An attempt reading the stream it asked for, whole before it returns. */
function streamedAttempt<Request extends CoreRequest, Response extends CoreResponse>(
  fresh: FreshCall<Request, Response>,
  format: StreamFormat,
): (attempt: number) => Promise<Response> {
  const { rt, op, send, call } = fresh;
  return async (attempt) => {
    // Only the first attempt's first token counts from the key callback (`keyClock`).
    if (attempt > 1) call.keyAskedAt = undefined;
    const accumulator = op.accumulator(send.redact);
    // Read as a stream, without generator hops: messages fold as they arrive, and the read
    // stops at the final one.
    const decoder =
      format.framing === 'sse' ? new SseDecoder(rt.maxBytes) : new NdjsonDecoder(rt.maxBytes);
    const onMessage = (message: WireMessage) => {
      // Lines after the final one in the same read (a server that keeps writing, or a custom
      // transport whose body joins reads) are not part of the answer.
      if (!accumulator.done) accumulator.add(message);
    };
    const progress = new Progress(rt, call.idleMs, call.keyAskedAt);
    // A server (or a proxy) may answer one JSON document although a stream was asked for.
    let whole: Buffer[] | undefined;
    let page: WebPage | undefined;
    try {
      await throughBreaker(
        rt,
        call.callerSignal,
        (breakerSignal) =>
          readAttempt(
            attemptInit(rt, call, true, breakerSignal, false, accumulator),
            rt.maxAnswerBytes,
            (chunk) => {
              if (whole !== undefined) {
                whole.push(chunk);
                // Nothing of one document counts until all of it is there: it arrives within the
                // first-token deadline, or a trickle of whitespace holds the call open for ever.
                const stalled = progress.check(accumulator);
                if (stalled !== undefined) throw stalled;
                return false;
              }
              if (page?.keep(chunk) === true) throw PAGE_KEPT;
              if (page !== undefined) return false;
              decoder.push(chunk, onMessage);
              const stalled = progress.check(accumulator);
              if (stalled !== undefined) throw stalled;
              return accumulator.done;
            },
            () => tooLarge(rt, op.endpoint, accumulator),
            (contentType) => {
              const shape = answerShape(contentType, format.framing);
              if (shape === 'page') page = new WebPage(contentType!);
              else if (shape === 'document') whole = [];
            },
          ).then(() => {
            // The last line (a body that ended without its newline), or the one document: read
            // inside the breaker's call, so an unreadable answer counts against the server.
            if (page !== undefined) return;
            if (whole !== undefined) accumulator.addWhole(wholeText(Buffer.concat(whole)));
            else if (!accumulator.done) decoder.end(onMessage);
          }, droppingPageKeptOf(call.echoed)),
        call.redact,
      );
      // After the breaker: a page where the API should be is a wrong address, not an outage.
      if (page !== undefined) throw page.error(rt, op.endpoint, format.accept, send.redact);
    } catch (error) {
      throw withPartial(rt, error, op.endpoint, accumulator, send.redact, fresh.request);
    }
    return answerOf(fresh, accumulator, attempt);
  };
}

/**
 * A buffered exchange with retries and the breaker, without cache, tokens or rate limit: server
 * metadata (model lists, model details, versions) and uploads. Returns the body and the attempts
 * made. A metadata call is bounded by `timeouts.totalMs`, retries included; an upload is not
 * (`plainSignals`).
 */
export async function request(
  rt: Runtime,
  init: PlainCallInit,
): Promise<{ text: string; attempts: number; status: number }> {
  // An iterable body is the call's from now on: ended however the call ends, and listened to for
  // its own 'error' at once (`UploadSource`).
  const data = init.body?.data;
  const upload =
    data === undefined || data instanceof Uint8Array
      ? undefined
      : new UploadSource(data, init.body?.names);
  if (rt.closed) {
    upload?.close();
    throw rt.kit.closed();
  }
  const { endpoint, model } = init;
  const signals = plainSignals(rt, init, upload);
  const { signal } = signals;
  try {
    // A source that already failed (a file that could not be opened) ends the call unsent.
    signal.throwIfAborted();
    const call = await plainCall(rt, init, 'application/json', signal, upload, signals.caller);
    const attempt = async (attempts: number) => {
      if (attempts > 1) call.keyAskedAt = undefined;
      let status = 200;
      try {
        const buffer = await readWhole(rt, call, undefined, (code) => {
          status = code;
        });
        return { text: wholeText(buffer), attempts, status };
      } catch (error) {
        throw withPartial(rt, error, endpoint, undefined, undefined, call.echoed);
      }
    };
    // An iterable body is consumed by its one attempt: nothing could be sent again.
    const target = { endpoint, model, signal };
    return await (upload !== undefined
      ? singleAttempt(rt.retry, target, attempt)
      : withRetries(rt.retry, target, attempt)
    ).catch((error: unknown) => {
      throw normalizeFailure(rt, error, signals.caller);
    });
  } finally {
    signals.release();
    upload?.close();
  }
}
