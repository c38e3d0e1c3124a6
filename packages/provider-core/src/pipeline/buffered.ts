import { bufferedAttempt } from '../http/attempt';
import type { CoreRequest, CoreResponse, Operation } from '../operation';
import type { Runtime } from '../runtime';
import { admit, readmit } from '../stages/admit';
import { throughBreaker } from '../stages/breaker-gate';
import { beginCall } from '../stages/call-scope';
import { withRetries } from '../stages/retry';
import { failed, succeeded } from './outcome';
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
  const scope = beginCall({
    stats: rt.stats,
    budget: rt.retry.budget,
    kit: rt.kit,
    totalMs: rt.timeouts.totalMs,
    callerSignal: request.signal,
  });
  if (op.name === 'embed') rt.stats.embeddings++;
  const model = op.model(request);
  try {
    const plan = rt.cache.plan(op, request, request.cache);
    let response: Response;
    if (plan.use === 'read-through') {
      response = await rt.cache.readThrough(
        plan.key,
        model,
        scope.signal,
        scope.started,
        (signal) => fresh(rt, op, request, signal, scope.started),
      );
    } else {
      response = await fresh(rt, op, request, scope.signal, scope.started);
      if (plan.use === 'refresh') rt.cache.store(plan.key, { response });
    }
    succeeded(rt, response, model, scope.started);
    return response;
  } catch (error) {
    failed(rt, error, model, op.endpoint);
    throw error;
  } finally {
    scope.end();
  }
}

/** The request path after the cache: a fresh answer from the server. */
async function fresh<Request extends CoreRequest, Response extends CoreResponse>(
  rt: Runtime,
  op: Operation<Request, Response>,
  request: Request,
  signal: AbortSignal | undefined,
  started: number,
): Promise<Response> {
  const pending = rt.context.prepare(op, request, signal, rt.limit?.tokensCapacity !== undefined);
  const prepared = pending instanceof Promise ? await pending : pending;
  await admit(rt.limit, rt.stats, prepared, signal);
  const body = JSON.stringify(op.body(request, false, prepared));
  const pendingHeaders = headersFor(rt, 'application/json', signal);
  const { headers, key } =
    pendingHeaders instanceof Promise ? await pendingHeaders : pendingHeaders;
  const redact = rt.redactor.redactFor(key);
  const model = op.model(request);
  const target = { endpoint: op.endpoint, model, signal, readmit: readmitter(rt) };
  return withRetries(rt.retry, target, async (attempt) => {
    const accumulator = op.accumulator(redact);
    try {
      const buffer = await throughBreaker(rt.breaker, signal, (breakerSignal) =>
        bufferedAttempt(
          attemptInit(rt, {
            endpoint: op.endpoint,
            method: 'POST',
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
      accumulator.addWhole(buffer.toString('utf8'));
      if (!accumulator.done) throw rt.kit.incomplete({ partial: accumulator.partial() });
      const response = accumulator.build();
      response.attempts = attempt;
      response.timings.latencyMs = performance.now() - started;
      response.timings.queueWaitMs = prepared.queueWaitMs;
      rt.usage.reconcile(op, request, prepared, response);
      op.finish?.(response, prepared, request);
      return response;
    } catch (error) {
      throw withPartial(rt, error, op.endpoint, accumulator);
    }
  });
}

/** How a retry of a call enters the rate limiter again (undefined without a limiter). */
export function readmitter(
  rt: Runtime,
): ((signal: AbortSignal | undefined) => Promise<void>) | undefined {
  const { limit, stats } = rt;
  return limit === undefined ? undefined : (signal) => readmit(limit, stats, signal);
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
  const redact = rt.redactor.redactFor(key);
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
  });
}
