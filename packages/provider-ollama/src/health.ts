import {
  healthDeadline,
  healthStatus,
  isProviderErrorOfKind,
  isWebPageAnswer,
  type ProviderCore,
  piecesHealth,
} from '@x/provider-core';
import { OllamaTimeoutError } from './errors';
import type { HealthReport, LoadedModel } from './types';
import { parseLoadedModels } from './wire/models';

/** Largest body a health probe reads: the answers are a few hundred bytes; an endless one is cut. */
const PROBE_MAX_BYTES = 256 * 1024;

/**
 * Health without generating tokens: `HEAD /`, `/api/version` and `/api/ps` (bypassing the breaker,
 * limiter and retries, each body capped), plus the state of every resilience piece. `unhealthy`
 * when the server is unreachable, web pages answer where Ollama's API should be, with any status
 * (`/` an error page, or `/api/version` a page and `/api/ps` no Ollama answer: baseUrl is a web
 * server's, a web UI's or a proxy's) or the breaker is open;
 * `degraded` when the breaker is half-open, callers queue in the rate limiter, or part of the
 * probe failed. Never throws for a down server.
 */
export async function checkHealth(
  core: ProviderCore,
  options: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined },
): Promise<HealthReport> {
  core.assertOpen();
  const deadline = healthDeadline(
    options,
    (timeoutMs) => new OllamaTimeoutError({ timeout: 'total', timeoutMs, retryable: false }),
  );
  const signal = deadline.signal;
  const reasons: string[] = [];
  let reachable = false;
  let version: string | undefined;
  let latencyMs: number | undefined;
  let loadedModels: LoadedModel[] = [];
  let error: string | undefined;
  /** The error of a web page at `/api/version`: something answers there, maybe not Ollama. */
  let page: string | undefined;
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
      // The server's words: scrubbed, as the loaded models are (`parseLoadedModels`).
      if (typeof parsed?.version === 'string') version = core.redact(parsed.version);
      else reasons.push('version unavailable: the answer has no version');
    } catch (cause) {
      reasons.push(`version unavailable: ${core.redact(messageOf(cause))}`);
      if (isWebPageAnswer(cause)) page = core.redact(messageOf(cause));
    }
    try {
      if (psText.status === 'rejected') throw psText.reason;
      loadedModels = parseLoadedModels(core.json(psText.value, '/api/ps'), core);
      // Ollama answered `/api/ps`: a page at `/api/version` is a proxy's, not a wrong baseUrl.
      page = undefined;
    } catch (cause) {
      reasons.push(`loaded models unavailable: ${core.redact(messageOf(cause))}`);
    }
    error = page;
  } catch (cause) {
    if (options.signal?.aborted) throw options.signal.reason;
    // Closed or destroyed under the check: that says nothing of the server, as after close().
    if (isProviderErrorOfKind(cause, 'closed')) throw cause;
    error = core.redact(messageOf(cause));
    if (isProviderErrorOfKind(cause, 'protocol') || isWebPageAnswer(cause)) {
      // Something answered, in bytes that are not valid HTTP or with a web page at `/` (a web
      // server's 404 page): reached, and not Ollama, which answers `/` with its own text.
      reachable = true;
      reasons.push(`not Ollama's API: ${error}`);
    } else {
      reasons.push(`server unreachable: ${error}`);
    }
  } finally {
    deadline.clear();
  }
  const pieces = piecesHealth(core);
  reasons.push(...pieces.reasons);
  return {
    status: healthStatus(!reachable || error !== undefined, pieces, reasons),
    reasons,
    reachable,
    version,
    latencyMs,
    loadedModels,
    breaker: pieces.breaker,
    rateLimit: pieces.rateLimit,
    cache: pieces.cache,
    pool: pieces.pool,
    error,
  };
}

function messageOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
