import type { BreakerOutcome } from '@x/breaker';
import { isProviderError, type ProviderApiError } from '../errors';

/**
 * The default breaker classification of every provider: only the server's trouble counts. Client
 * mistakes (4xx, 500s that are client mistakes, context overflow, model not found), the caller's
 * own aborts, local saturation (pool queue, rate limiter) and a closed provider are ignored.
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
      return statusCode >= 500 || statusCode === 429 || statusCode === 408 ? 'failure' : 'ignore';
    }
    return kind === 'context-overflow' || kind === 'closed' ? 'ignore' : 'failure';
  }
  const code = (error as { code?: unknown })?.code;
  if (
    typeof code === 'string' &&
    (code.startsWith('X_POOL_') || code.startsWith('X_RATE_LIMIT_'))
  ) {
    return 'ignore';
  }
  return 'failure';
}
