import { isProviderErrorOfKind } from '../errors';
import type { CallTelemetry } from '../observe/telemetry';
import type { CoreRequest, CoreResponse, Operation } from '../operation';
import type { Runtime } from '../runtime';
import { scrubPartial } from '../scrub-partial';
import type { FinishReason, Usage } from '../types';
import { scrubAnswer, shownAnswer } from './answer-fields';
import { normalizeFailure } from './normalize';
import type { SendPlan } from './send-plan';

/**
 * The shared fields of a fresh answer: attempts, client timings, then the reconcile step (the
 * server's counts against the estimate, the calibrator, the limiter, the price) and the
 * operation's own fields; last, what the server worded (`model`, finish reason) is scrubbed with
 * the call's redactor, as its error messages are.
 */
export function finish<Request extends CoreRequest, Response extends CoreResponse>(
  rt: Runtime,
  op: Operation<Request, Response>,
  request: Request,
  send: SendPlan,
  response: Response,
  client: { attempt: number; started: number; firstTokenMs: number | undefined; streamed: boolean },
): Response {
  const { prepared } = send;
  response.attempts = client.attempt;
  response.timings.latencyMs = performance.now() - client.started;
  response.timings.queueWaitMs = prepared.queueWaitMs;
  // A buffered call read as a stream has a first token too, but only streams report one.
  if (client.streamed) response.timings.firstTokenMs = client.firstTokenMs;
  rt.usage.reconcile(op, request, prepared, response);
  op.finish?.(response, prepared, request);
  // After `op.finish`, which may set the model from the server's words.
  scrubAnswer(response, send.redact, op.model(request));
  return response;
}

/**
 * Counts a successful call and tells its span and metrics, and the `response` listeners
 * (chat-like answers), what the server said of it: its model and finish reason as they may be
 * shown (`shownAnswer`). The event's model is the request's when the answer names none.
 */
export function succeeded(
  rt: Runtime,
  response: CoreResponse,
  model: string,
  started: number,
  call?: CallTelemetry,
): void {
  const { usage, timings } = response;
  rt.stats.succeeded(
    model,
    performance.now() - started,
    usage,
    timings.tokensPerSecond,
    response.cached === true,
  );
  const topic = rt.topics.response;
  const told = topic.active && 'finishReason' in response;
  // Nobody to tell: nothing to read.
  if (call === undefined && !told) return;
  const shown = shownAnswer(rt, response);
  call?.succeeded(response, shown);
  if (told) {
    const chat = response as CoreResponse & { usage: Usage; finishReason: unknown };
    topic.emit({
      model: shown.model ?? model,
      cached: response.cached === true,
      attempts: response.attempts,
      latencyMs: timings.latencyMs,
      usage: chat.usage,
      finishReason: shown.finishReason as FinishReason | undefined,
      truncated: response.truncated === true,
    });
  }
}

/**
 * Ends a call that has no answer. One its caller aborted, in any phase (queued, waiting for the
 * answer, reading it), is cancelled: the caller's choice is no failure of the provider, so it
 * must not show as one in the failure counts, alerts and error logs that track the server. So is
 * one that `destroy()` or `close()` ended: the owner's choice. Any other end failed. Returns the
 * error to throw.
 */
export function ended(
  rt: Runtime,
  raw: unknown,
  model: string,
  endpoint: string,
  callerSignal: AbortSignal | undefined,
  call?: CallTelemetry,
): unknown {
  const error = normalizeFailure(rt, raw, callerSignal);
  // After close(), a call ends with the closed error only where it was not yet sent: waiting out
  // a backoff, or queued for a limit (the provider's own limiter, closed with it, or one it was
  // given, which refuses it when its turn comes).
  const ownerEnded = rt.ending.aborted || (rt.closed && isProviderErrorOfKind(error, 'closed'));
  if (callerSignal?.aborted !== true && !ownerEnded) {
    return failed(rt, error, model, endpoint, callerSignal, call);
  }
  cancelled(rt, model, call);
  return error;
}

/** Counts a call the caller cancelled: neither a success nor a failure; its span is marked. */
export function cancelled(rt: Runtime, model: string, call?: CallTelemetry): void {
  rt.stats.cancel(model);
  call?.cancelled();
}

/**
 * Counts a failed call and tells the `error` listeners (the message scrubbed of secrets). Returns
 * the error to throw: the provider's typed error for what a composed piece threw.
 */
function failed(
  rt: Runtime,
  raw: unknown,
  model: string | undefined,
  endpoint: string,
  signal: AbortSignal | undefined,
  call?: CallTelemetry,
): unknown {
  const error = normalizeFailure(rt, raw, signal);
  // an error that did not pass the breaker's gate (no breaker, a refusal before it): a partial
  // the gate scrubbed is not looked at again
  scrubPartial((text) => rt.redactor.redactAt(text, endpoint), error);
  rt.stats.failed(model, error);
  call?.failed(error);
  const topic = rt.topics.error;
  if (topic.active) {
    topic.emit({
      model,
      endpoint,
      code: (error as { code?: string | undefined })?.code,
      name: (error as Error)?.name ?? 'Error',
      message: rt.redactor.redactAt((error as Error)?.message ?? String(error), endpoint),
    });
  }
  return error;
}
