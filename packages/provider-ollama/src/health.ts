import { anySignal, expectDuration } from '@x/internal';
import type { ProviderCore } from '@x/provider-core';
import { OllamaTimeoutError } from './errors';
import type { HealthReport, LoadedModel } from './types';
import { parseLoadedModels } from './wire/models';

/** Largest body a health probe reads: the answers are a few hundred bytes; an endless one is cut. */
const PROBE_MAX_BYTES = 256 * 1024;

/**
 * Health without generating tokens: `HEAD /`, `/api/version` and `/api/ps` (bypassing the breaker,
 * limiter and retries, each body capped), plus the state of every resilience piece. `unhealthy`
 * when the server is unreachable or the breaker is open; `degraded` when the breaker is half-open,
 * callers queue in the rate limiter, or part of the probe failed. Never throws for a down server.
 */
export async function checkHealth(
  core: ProviderCore,
  options: { signal?: AbortSignal; timeoutMs?: number },
): Promise<HealthReport> {
  core.assertOpen();
  const timeoutMs =
    options.timeoutMs === undefined
      ? 5_000
      : expectDuration('timeoutMs', options.timeoutMs, { min: 1 });
  const controller = new AbortController();
  const timer = setTimeout(
    () =>
      controller.abort(new OllamaTimeoutError({ timeout: 'total', timeoutMs, retryable: false })),
    timeoutMs,
  );
  timer.unref?.();
  const signal = anySignal(options.signal, controller.signal);
  const reasons: string[] = [];
  let reachable = false;
  let version: string | undefined;
  let latencyMs: number | undefined;
  let loadedModels: LoadedModel[] = [];
  let error: string | undefined;
  try {
    const started = performance.now();
    await core.probe('/', 'HEAD', signal, PROBE_MAX_BYTES);
    latencyMs = performance.now() - started;
    reachable = true;
    const [versionText, psText] = await Promise.allSettled([
      core.probe('/api/version', 'GET', signal, PROBE_MAX_BYTES),
      core.probe('/api/ps', 'GET', signal, PROBE_MAX_BYTES),
    ]);
    // Each answer is read on its own: an HTML `/api/version` (another service, a proxy page) does
    // not throw the `/api/ps` answer away, nor make a reachable server look unreachable.
    try {
      if (versionText.status === 'rejected') throw versionText.reason;
      const parsed = core.json(versionText.value, '/api/version') as { version?: unknown };
      if (typeof parsed?.version === 'string') version = parsed.version;
      else reasons.push('version unavailable: the answer has no version');
    } catch (cause) {
      reasons.push(`version unavailable: ${core.redact(messageOf(cause))}`);
    }
    try {
      if (psText.status === 'rejected') throw psText.reason;
      loadedModels = parseLoadedModels(core.json(psText.value, '/api/ps'));
    } catch (cause) {
      reasons.push(`loaded models unavailable: ${core.redact(messageOf(cause))}`);
    }
  } catch (cause) {
    if (options.signal?.aborted) throw options.signal.reason;
    error = core.redact(messageOf(cause));
    reasons.push(`server unreachable: ${error}`);
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
  const status: HealthReport['status'] =
    !reachable || breakerState === 'open'
      ? 'unhealthy'
      : reasons.length > 0
        ? 'degraded'
        : 'healthy';
  return {
    status,
    reasons,
    reachable,
    version,
    latencyMs,
    loadedModels,
    breaker: breakerState === undefined ? undefined : { state: breakerState },
    rateLimit: limiterStats,
    cache: core.cache?.stats(),
    pool: core.pool?.stats(),
    error,
  };
}

function messageOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
