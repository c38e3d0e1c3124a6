import type { BreakerOutcome } from '@x/breaker';
import type { ProviderApiError } from '../api-error';
import { isProviderError, type ProviderErrorKind } from '../errors';

/**
 * The default breaker classification of every provider: only the server's trouble counts (an
 * answer that is not valid HTTP, `protocol`, included: what answers on that port is broken). Client
 * mistakes (4xx, 500s that are client mistakes, a 501 Not Implemented, context overflow, model not
 * found, a TLS failure no retry changes), the caller's own aborts, local errors (pool queue, rate limiter, a key callback that
 * threw) and a closed provider are ignored: a local error sends nothing, so it says nothing about
 * the server.
 */
export function classifyForBreaker(
  error: unknown,
  context: { callerAborted: boolean },
): BreakerOutcome {
  if (context.callerAborted) return 'ignore';
  if (isProviderError(error)) {
    const { kind } = error;
    if (kind === 'api' || kind === 'server-busy' || kind === 'model-not-found') {
      const { statusCode } = error as ProviderApiError;
      // A 500 that is the caller's mistake (`option "num_ctx" must be of type integer`) says
      // nothing about the server's health: one bad request must not open the breaker for all.
      if (statusCode === 500 && !error.retryable) return 'ignore';
      // A 501 says the server does not do what was asked (Ollama 0.30+ for `/api/embed` with a
      // model that cannot embed: "This server does not support embeddings"), not that it is
      // unwell: the same server serves every other request.
      if (statusCode === 501) return 'ignore';
      return statusCode >= 500 || statusCode === 429 || statusCode === 408 ? 'failure' : 'ignore';
    }
    // A TLS failure no retry changes (no TLS at the address, a certificate refused) is a setting
    // to fix, not an outage to wait out: counted, it would hide its own message behind an open
    // breaker's.
    if (kind === 'connection' && !error.retryable) return 'ignore';
    // Timeouts, connections, broken or unreadable answers (`protocol`): the server's doing. A
    // refusal before sending (a local limit, a key callback that failed) says nothing of it.
    return LOCAL_KINDS.has(kind) ? 'ignore' : 'failure';
  }
  // Anything else happened here, not on the server: local saturation (pool queue, rate limiter), a
  // key callback that threw, a malformed header. Only an unmapped transport error of undici is the
  // server's (or the network's) doing.
  const code = (error as { code?: unknown })?.code;
  // ... but not an argument undici refused before sending (a header it will not write).
  return typeof code === 'string' && code.startsWith('UND_ERR') && code !== 'UND_ERR_INVALID_ARG'
    ? 'failure'
    : 'ignore';
}

/** Kinds that say nothing of the server's health. */
const LOCAL_KINDS = new Set<ProviderErrorKind>([
  'context-overflow',
  'closed',
  'local-limit',
  'credentials',
]);
