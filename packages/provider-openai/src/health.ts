import { anySignal, expectDuration } from '@x/internal';
import { isProviderErrorOfKind, type ProviderCore } from '@x/provider-core';
import { OpenAITimeoutError } from './errors';
import type { HealthReport, ServerLimits } from './types';

/** Largest `/models` body a probe reads: OpenAI's is about 10 KB; an endless one is cut. */
const PROBE_MAX_BYTES = 1024 * 1024;

/**
 * Health without generating tokens: one `GET /models` (no breaker, limiter or retries, body
 * capped), plus the state of every resilience piece. `unhealthy` when the server cannot be reached,
 * refuses the key (401, 403) or the breaker is open; `degraded` when it answers another error
 * (a 429 included), the breaker is half-open or callers queue in the rate limiter. Never throws
 * for a down server.
 */
export async function checkHealth(
  core: ProviderCore,
  serverLimits: ServerLimits | undefined,
  label: string,
  options: { signal?: AbortSignal; timeoutMs?: number },
): Promise<HealthReport> {
  core.assertOpen();
  const timeoutMs =
    options.timeoutMs === undefined
      ? 5_000
      : expectDuration('timeoutMs', options.timeoutMs, { min: 1 });
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(
      new OpenAITimeoutError({ timeout: 'total', timeoutMs, retryable: false, label }),
    );
  }, timeoutMs);
  timer.unref?.();
  const signal = anySignal(options.signal, controller.signal);
  const reasons: string[] = [];
  let reachable = false;
  let refused = false;
  let latencyMs: number | undefined;
  let error: string | undefined;
  const started = performance.now();
  try {
    await core.probe('/models', 'GET', signal, PROBE_MAX_BYTES);
    latencyMs = performance.now() - started;
    reachable = true;
  } catch (cause) {
    if (options.signal?.aborted) throw options.signal.reason;
    error = core.redact(cause instanceof Error ? cause.message : String(cause));
    const status = (cause as { statusCode?: unknown }).statusCode;
    if (
      isProviderErrorOfKind(cause, 'api') ||
      isProviderErrorOfKind(cause, 'server-busy') ||
      isProviderErrorOfKind(cause, 'model-not-found')
    ) {
      // An HTTP answer: the server is up, and says something is wrong.
      reachable = true;
      latencyMs = performance.now() - started;
      refused = status === 401 || status === 403;
      reasons.push(refused ? `the server refused the key: ${error}` : `/models failed: ${error}`);
    } else {
      reasons.push(`server unreachable: ${error}`);
    }
  } finally {
    clearTimeout(timer);
  }
  const breakerState = core.breaker?.state;
  if (breakerState === 'open') reasons.push('circuit breaker open');
  if (breakerState === 'half-open') reasons.push('circuit breaker half-open');
  const limiterStats = core.rateLimiter?.stats();
  if (limiterStats !== undefined && limiterStats.queued > 0) {
    reasons.push(`${limiterStats.queued} call(s) waiting for the rate limiter`);
  }
  const paused = serverLimits?.pausedUntil;
  if (paused !== undefined && paused > Date.now()) {
    reasons.push(`the server's rate limit holds calls back for ${paused - Date.now()} ms`);
  }
  const status: HealthReport['status'] =
    !reachable || refused || breakerState === 'open'
      ? 'unhealthy'
      : reasons.length > 0
        ? 'degraded'
        : 'healthy';
  return {
    status,
    reasons,
    reachable,
    latencyMs,
    breaker: breakerState === undefined ? undefined : { state: breakerState },
    rateLimit: limiterStats,
    serverLimits,
    cache: core.cache?.stats(),
    pool: core.pool?.stats(),
    error,
  };
}
