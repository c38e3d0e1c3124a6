import type { Accumulator } from '../decode/accumulator';
import type { WireMessage } from '../decode/decoder';
import { NdjsonDecoder } from '../decode/ndjson';
import { SseDecoder } from '../decode/sse';
import { readAttempt } from '../http/attempt';
import { within } from '../observe/telemetry';
import type { CoreRequest, CoreResponse, Operation, StreamFormat } from '../operation';
import type { Runtime } from '../runtime';
import { throughBreaker } from '../stages/breaker-gate';
import { beginCall } from '../stages/call-scope';
import { type RetryTarget, withRetries } from '../stages/retry';
import type { StreamChunk } from '../types';
import { answerShape } from './answer-type';
import { normalizeFailure } from './normalize';
import { ended, finish, succeeded } from './outcome';
import { Progress, tooLarge } from './progress';
import { planSend, type SendPlan } from './send-plan';
import {
  attemptInit,
  type CallRequest,
  type PlainCallInit,
  plainCall,
  withPartial,
} from './shared';
import { droppingPageKept, PAGE_KEPT, readWhole, WebPage } from './web-page';

/**
 * A buffered call through the whole request path: cache, tokens, rate limit,
 * retry(breaker(attempt)), decode, reconcile, store, stats and events.
 */
export async function complete<Request extends CoreRequest, Response extends CoreResponse>(
  rt: Runtime,
  op: Operation<Request, Response>,
  request: Request,
): Promise<Response> {
  if (rt.closed) throw rt.kit.closed();
  const model = op.model(request);
  const scope = beginCall({
    stats: rt.stats,
    model,
    budget: rt.retry.budget,
    kit: rt.kit,
    totalMs: rt.timeouts.totalMs,
    callerSignal: request.signal,
  });
  if (op.name === 'embed') rt.stats.embeddings++;
  const call = rt.telemetry?.start(op.name, model, request, false);
  try {
    const plan = rt.cache.plan(op, request, request.cache);
    const run = (): Promise<Response> =>
      plan.use === 'read-through'
        ? rt.cache.readThrough(plan.key, model, scope.signal, scope.started, (signal) =>
            fresh(rt, op, request, signal, scope.started),
          )
        : fresh(rt, op, request, scope.signal, scope.started);
    const response = await within(call, run);
    if (plan.use === 'refresh') rt.cache.store(plan.key, { response });
    succeeded(rt, response, model, scope.started, call);
    return response;
  } catch (error) {
    throw ended(rt, error, model, op.endpoint, request.signal, call);
  } finally {
    scope.end();
  }
}

/**
 * The request path after the cache: a fresh answer. An operation that can stream is read as a
 * stream (nothing reaches the caller until the end), so its first-token and idle deadlines apply
 * and it ends at its final message; the others are one JSON document read whole. Two functions,
 * not one with a branch per attempt: each allocates only what its own reading needs.
 */
function fresh<Request extends CoreRequest, Response extends CoreResponse>(
  rt: Runtime,
  op: Operation<Request, Response>,
  request: Request,
  signal: AbortSignal | undefined,
  started: number,
): Promise<Response> {
  return op.stream === undefined
    ? freshWhole(rt, op, request, signal, started)
    : freshStreamed(rt, op, op.stream, request, signal, started);
}

/**
 * What every attempt of a fresh call sends, the call's retry target as well: it carries the
 * endpoint, the model, the signal and the rate limit a retry goes through again.
 */
function callOf(
  rt: Runtime,
  op: { endpoint: string },
  send: SendPlan,
  model: string,
  signal: AbortSignal | undefined,
  callerSignal: AbortSignal | undefined,
): CallRequest & RetryTarget {
  return {
    endpoint: op.endpoint,
    method: 'POST',
    headers: send.headers,
    body: send.body,
    model,
    signal,
    callerSignal,
    redact: send.redact,
    limit: rt.limit,
  };
}

/** A fresh answer read as one JSON document (`stream: false`). */
async function freshWhole<Request extends CoreRequest, Response extends CoreResponse>(
  rt: Runtime,
  op: Operation<Request, Response>,
  request: Request,
  signal: AbortSignal | undefined,
  started: number,
): Promise<Response> {
  const send = await planSend(rt, op, request, signal, false, 'application/json');
  const call = callOf(rt, op, send, op.model(request), signal, request.signal);
  // The concurrency slot is held through every attempt and given back however the call ends.
  // (`await` in a `try`, not `.finally()` on the returned promise: two promises and hops fewer.)
  try {
    return await withRetries(rt.retry, call, (attempt) => {
      const accumulator = op.accumulator(send.redact);
      return readWhole(rt, call, (body) => accumulator.addWhole(body.toString('utf8'))).then(
        () => answerOf(rt, op, request, send, accumulator, attempt, started),
        (error: unknown) => {
          throw withPartial(rt, error, op.endpoint, accumulator);
        },
      );
    });
  } finally {
    send.release();
  }
}

/** The answer of a finished attempt, or the incomplete-stream error when it never got its end. */
function answerOf<Request extends CoreRequest, Response extends CoreResponse>(
  rt: Runtime,
  op: Operation<Request, Response>,
  request: Request,
  send: SendPlan,
  accumulator: Accumulator<StreamChunk<Response>, Response>,
  attempt: number,
  started: number,
): Response {
  if (!accumulator.done) throw rt.kit.incomplete({ partial: accumulator.partial() });
  return finish(rt, op, request, send.prepared, accumulator.build(), {
    attempt,
    started,
    firstTokenMs: undefined,
    streamed: false,
  });
}

/** A fresh answer read as the stream it was asked as, whole before it returns. */
async function freshStreamed<Request extends CoreRequest, Response extends CoreResponse>(
  rt: Runtime,
  op: Operation<Request, Response>,
  format: StreamFormat,
  request: Request,
  signal: AbortSignal | undefined,
  started: number,
): Promise<Response> {
  const send = await planSend(rt, op, request, signal, true, format.accept);
  const call = callOf(rt, op, send, op.model(request), signal, request.signal);
  try {
    return await withRetries(rt.retry, call, async (attempt) => {
      const accumulator = op.accumulator(send.redact);
      // Read as a stream, without generator hops: messages fold as they arrive, and the read
      // stops at the final one.
      const decoder =
        format.framing === 'sse' ? new SseDecoder(rt.maxBytes) : new NdjsonDecoder(rt.maxBytes);
      const onMessage = (message: WireMessage) => {
        accumulator.add(message);
      };
      const progress = new Progress(rt);
      // A server (or a proxy) may answer one JSON document although a stream was asked for.
      let whole: Buffer[] | undefined;
      let page: WebPage | undefined;
      try {
        await throughBreaker(rt.breaker, call.callerSignal, (breakerSignal) =>
          readAttempt(
            attemptInit(rt, call, true, breakerSignal),
            rt.maxAnswerBytes,
            (chunk) => {
              if (whole !== undefined) {
                whole.push(chunk);
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
            if (whole !== undefined) accumulator.addWhole(Buffer.concat(whole).toString('utf8'));
            else if (!accumulator.done) decoder.end(onMessage);
          }, droppingPageKept),
        );
        // After the breaker: a page where the API should be is a wrong address, not an outage.
        if (page !== undefined) throw page.error(rt, op.endpoint, format.accept, send.redact);
      } catch (error) {
        throw withPartial(rt, error, op.endpoint, accumulator);
      }
      return answerOf(rt, op, request, send, accumulator, attempt, started);
    });
  } finally {
    send.release();
  }
}

/**
 * A buffered exchange with retries and the breaker, without cache, tokens or rate limit: server
 * metadata (model lists, model details, versions). Returns the body and the attempts made.
 */
export async function request(
  rt: Runtime,
  init: PlainCallInit,
): Promise<{ text: string; attempts: number }> {
  if (rt.closed) throw rt.kit.closed();
  const { endpoint, model, signal } = init;
  const call = await plainCall(rt, init, 'application/json');
  return withRetries(rt.retry, { endpoint, model, signal }, async (attempt) => {
    try {
      const buffer = await readWhole(rt, call);
      return { text: buffer.toString('utf8'), attempts: attempt };
    } catch (error) {
      throw withPartial(rt, error, endpoint, undefined);
    }
  }).catch((error: unknown) => {
    throw normalizeFailure(rt, error, signal);
  });
}
