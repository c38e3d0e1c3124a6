import { partialOf } from '../errors';
import type { CoreRequest, CoreResponse, Operation } from '../operation';
import type { Runtime } from '../runtime';
import type { Prepared } from '../stages/context';
import type { FinishReason, Usage } from '../types';
import { normalizeFailure } from './normalize';

/**
 * The shared fields of a fresh answer: attempts, client timings, then the reconcile step (the
 * server's counts against the estimate, the calibrator, the limiter, the price) and the
 * operation's own fields.
 */
export function finish<Request extends CoreRequest, Response extends CoreResponse>(
  rt: Runtime,
  op: Operation<Request, Response>,
  request: Request,
  prepared: Prepared,
  response: Response,
  client: { attempt: number; started: number; firstTokenMs: number | undefined; streamed: boolean },
): Response {
  response.attempts = client.attempt;
  response.timings.latencyMs = performance.now() - client.started;
  response.timings.queueWaitMs = prepared.queueWaitMs;
  // A buffered call read as a stream has a first token too, but only streams report one.
  if (client.streamed) response.timings.firstTokenMs = client.firstTokenMs;
  rt.usage.reconcile(op, request, prepared, response);
  op.finish?.(response, prepared, request);
  return response;
}

/** Counts a successful call and tells the `response` listeners (chat-like answers). */
export function succeeded(
  rt: Runtime,
  response: CoreResponse,
  model: string,
  started: number,
): void {
  const { stats } = rt;
  stats.successes++;
  stats.latency.record(performance.now() - started);
  const { usage, timings } = response;
  if (!response.cached) {
    if (usage.promptTokens !== undefined) stats.promptTokens += usage.promptTokens;
    if (usage.completionTokens !== undefined) stats.completionTokens += usage.completionTokens;
    if (timings.tokensPerSecond !== undefined)
      stats.tokensPerSecond.record(timings.tokensPerSecond);
  }
  const topic = rt.topics.response;
  if (topic.active && 'finishReason' in response) {
    const chat = response as CoreResponse & {
      model: string;
      finishReason: FinishReason | undefined;
      usage: Usage;
    };
    topic.emit({
      model: chat.model || model,
      cached: response.cached === true,
      attempts: response.attempts,
      latencyMs: timings.latencyMs,
      usage: chat.usage,
      finishReason: chat.finishReason,
      truncated: response.truncated === true,
    });
  }
}

/**
 * Counts a failed call and tells the `error` listeners (the message scrubbed of secrets). Returns
 * the error to throw: the provider's typed error for what a composed piece threw.
 */
export function failed(
  rt: Runtime,
  raw: unknown,
  model: string | undefined,
  endpoint: string,
  signal: AbortSignal | undefined,
): unknown {
  const error = normalizeFailure(rt, raw, signal);
  scrubPartial(rt, error);
  rt.stats.failure(error);
  const topic = rt.topics.error;
  if (topic.active) {
    topic.emit({
      model,
      endpoint,
      code: (error as { code?: string })?.code,
      name: (error as Error)?.name ?? 'Error',
      message: rt.redactor.redact((error as Error)?.message ?? String(error)),
    });
  }
  return error;
}

/**
 * What a failed stream had produced is model output, but a hostile server can echo a request's
 * key into it: the partial answer an error carries is scrubbed like any server text.
 */
function scrubPartial(rt: Runtime, error: unknown): void {
  const partial = partialOf(error);
  if (partial === undefined) return;
  const content = rt.redactor.redact(partial.content);
  const thinking = rt.redactor.redact(partial.thinking);
  if (content === partial.content && thinking === partial.thinking) return;
  Object.defineProperty(error, 'partial', {
    value: Object.freeze({ ...partial, content, thinking }),
    enumerable: true,
    writable: false,
    configurable: true,
  });
}
