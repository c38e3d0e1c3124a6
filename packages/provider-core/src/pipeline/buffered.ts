import { bufferedAttempt } from '../http/attempt';
import { within } from '../observe/telemetry';
import type { CoreRequest, CoreResponse, Operation } from '../operation';
import type { Runtime } from '../runtime';
import { throughBreaker } from '../stages/breaker-gate';
import { beginCall } from '../stages/call-scope';
import { withRetries } from '../stages/retry';
import { normalizeFailure } from './normalize';
import { failed, finish, succeeded } from './outcome';
import { AnswerReader } from './reader';
import { planSend } from './send-plan';
import { attemptInit, headersFor, signalsOf, withPartial } from './shared';

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
    throw failed(rt, error, model, op.endpoint, request.signal, call);
  } finally {
    scope.end();
  }
}

/**
 * The request path after the cache: a fresh answer. An operation that can stream is read as a
 * stream (nothing reaches the caller until the end), so its first-token and idle deadlines apply
 * and it ends at its final message; the others are one JSON document read whole.
 */
async function fresh<Request extends CoreRequest, Response extends CoreResponse>(
  rt: Runtime,
  op: Operation<Request, Response>,
  request: Request,
  signal: AbortSignal | undefined,
  started: number,
): Promise<Response> {
  const format = op.stream;
  const send = await planSend(
    rt,
    op,
    request,
    signal,
    format !== undefined,
    format?.accept ?? 'application/json',
  );
  const model = op.model(request);
  return withRetries(rt.retry, { endpoint: op.endpoint, model, signal }, async (attempt) => {
    const accumulator = op.accumulator(send.redact);
    let firstTokenMs: number | undefined;
    if (format !== undefined) {
      const reader = new AnswerReader(rt, attempt, accumulator, {
        endpoint: op.endpoint,
        headers: send.headers,
        body: send.body,
        model,
        framing: format.framing,
        signal,
        redact: send.redact,
        recordsFirstToken: false,
      });
      try {
        await reader.readAll();
      } catch (error) {
        throw withPartial(rt, error, op.endpoint, accumulator);
      } finally {
        await reader.release();
      }
      firstTokenMs = reader.firstTokenMs;
    } else {
      try {
        const buffer = await throughBreaker(rt.breaker, signal, (breakerSignal) =>
          bufferedAttempt(
            attemptInit(rt, {
              endpoint: op.endpoint,
              method: 'POST',
              headers: send.headers,
              body: send.body,
              model,
              stream: false,
              signals: signalsOf(signal, breakerSignal),
              redact: send.redact,
            }),
            rt.maxBytes,
          ),
        );
        accumulator.addWhole(buffer.toString('utf8'));
      } catch (error) {
        throw withPartial(rt, error, op.endpoint, accumulator);
      }
    }
    if (!accumulator.done) throw rt.kit.incomplete({ partial: accumulator.partial() });
    return finish(rt, op, request, send.prepared, accumulator.build(), {
      attempt,
      started,
      firstTokenMs,
      streamed: false,
    });
  });
}

/**
 * A buffered exchange with retries and the breaker, without cache, tokens or rate limit: server
 * metadata (model lists, model details, versions). Returns the body and the attempts made.
 */
export async function request(
  rt: Runtime,
  init: {
    endpoint: string;
    method: 'GET' | 'POST' | 'DELETE';
    payload: unknown;
    model: string | undefined;
    signal: AbortSignal | undefined;
  },
): Promise<{ text: string; attempts: number }> {
  if (rt.closed) throw rt.kit.closed();
  const { endpoint, model, signal } = init;
  const pendingHeaders = headersFor(rt, 'application/json', signal);
  const { headers, key } =
    pendingHeaders instanceof Promise ? await pendingHeaders : pendingHeaders;
  const redact = rt.redactor.redactFor(key, endpoint);
  const body = init.payload === undefined ? undefined : JSON.stringify(init.payload);
  return withRetries(rt.retry, { endpoint, model, signal }, async (attempt) => {
    try {
      const buffer = await throughBreaker(rt.breaker, signal, (breakerSignal) =>
        bufferedAttempt(
          attemptInit(rt, {
            endpoint,
            method: init.method,
            headers,
            body,
            model,
            stream: false,
            signals: signalsOf(signal, breakerSignal),
            redact,
          }),
          rt.maxBytes,
        ),
      );
      return { text: buffer.toString('utf8'), attempts: attempt };
    } catch (error) {
      throw withPartial(rt, error, endpoint, undefined);
    }
  }).catch((error: unknown) => {
    throw normalizeFailure(rt, error, signal);
  });
}
