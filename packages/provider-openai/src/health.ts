import {
  healthDeadline,
  healthStatus,
  isProviderErrorOfKind,
  isWebPageAnswer,
  type ProviderCore,
  piecesHealth,
} from '@x/provider-core';
import { OpenAITimeoutError } from './errors';
import type { HealthReport, ServerLimits } from './types';

/** Largest `/models` body a probe reads: OpenAI's is about 10 KB; an endless one is cut. */
const PROBE_MAX_BYTES = 1024 * 1024;

/**
 * Health without generating tokens: one `GET /models` (no breaker, limiter or retries, body
 * capped), plus the state of every resilience piece. `unhealthy` when the server cannot be reached,
 * refuses the key (401, 403), answers a web page (baseUrl is a web UI's or a proxy's login page,
 * not the API) or the breaker is open; `degraded` when it answers another error
 * (a 429 included), the breaker is half-open or callers queue in the rate limiter. Never throws
 * for a down server.
 */
export async function checkHealth(
  core: ProviderCore,
  serverLimits: ServerLimits | undefined,
  label: string,
  options: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined },
): Promise<HealthReport> {
  core.assertOpen();
  const deadline = healthDeadline(
    options,
    (timeoutMs) => new OpenAITimeoutError({ timeout: 'total', timeoutMs, retryable: false, label }),
  );
  const signal = deadline.signal;
  const reasons: string[] = [];
  let reachable = false;
  let refused = false;
  let page = false;
  let latencyMs: number | undefined;
  let error: string | undefined;
  const started = performance.now();
  try {
    await core.probe('/models', 'GET', signal, PROBE_MAX_BYTES);
    latencyMs = performance.now() - started;
    reachable = true;
  } catch (cause) {
    if (options.signal?.aborted) throw options.signal.reason;
    // Closed or destroyed under the check: that says nothing of the server, as after close().
    if (isProviderErrorOfKind(cause, 'closed')) throw cause;
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
    } else if (isWebPageAnswer(cause) || isProviderErrorOfKind(cause, 'protocol')) {
      // Something answers, but not the API (a web page, bytes that are not valid HTTP): as down
      // as a refused key, and not unreachable.
      reachable = true;
      latencyMs = performance.now() - started;
      page = true;
      reasons.push(`not ${label}'s API: ${error}`);
    } else {
      reasons.push(`server unreachable: ${error}`);
    }
  } finally {
    deadline.clear();
  }
  const pieces = piecesHealth(core);
  reasons.push(...pieces.reasons);
  const paused = serverLimits?.pausedUntil;
  if (paused !== undefined && paused > Date.now()) {
    reasons.push(`the server's rate limit holds calls back for ${paused - Date.now()} ms`);
  }
  return {
    status: healthStatus(!reachable || refused || page, pieces, reasons),
    reasons,
    reachable,
    latencyMs,
    breaker: pieces.breaker,
    rateLimit: pieces.rateLimit,
    serverLimits,
    cache: pieces.cache,
    pool: pieces.pool,
    error,
  };
}
