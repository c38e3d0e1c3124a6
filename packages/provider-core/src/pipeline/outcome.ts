import type { CoreResponse } from '../operation';
import type { Runtime } from '../runtime';
import type { FinishReason, Usage } from '../types';
import { normalizeFailure } from './normalize';

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
