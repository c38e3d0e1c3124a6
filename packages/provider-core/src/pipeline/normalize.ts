import { isProviderError } from '../errors';
import type { Runtime } from '../runtime';
import { lastFailureOf, sharedWith } from '../stages/breaker-last-failure';

interface Coded {
  code?: unknown;
  message?: unknown;
  retryAfterMs?: unknown;
  timeoutMs?: unknown;
}

const finite = (value: unknown): number | undefined =>
  typeof value === 'number' && !Number.isNaN(value) ? value : undefined;

/**
 * One predicate for every failure of a call: what the composed pieces throw (the breaker's
 * `BreakerOpenError` and probe timeout, the rate limiter's timeout, full queue or store outage, the
 * pool's queue timeout and closed pool) becomes the provider's typed error with `retryable`, the
 * `retryAfterMs` the piece predicted and the original as `cause`. Done once, at the call's
 * boundary, after the retry loop: inside it, an open breaker must still end the retrying.
 *
 * The caller's own abort keeps its reason (`signal.reason`, as `fetch` does), and a programming
 * error is not disguised.
 */
export function normalizeFailure(
  rt: Runtime,
  error: unknown,
  signal: AbortSignal | undefined,
): unknown {
  if (isProviderError(error)) return error;
  if (signal?.aborted && error === signal.reason) return error;
  const coded = (typeof error === 'object' && error !== null ? error : {}) as Coded;
  const message = typeof coded.message === 'string' ? coded.message : String(error);
  switch (coded.code) {
    case 'X_BREAKER_OPEN': {
      const lastFailure = lastFailureOf(rt.breaker);
      return rt.kit.circuitOpen({
        retryAfterMs: finite(coded.retryAfterMs),
        cause: error,
        lastFailure,
        sharedWith: sharedWith(rt.gate, lastFailure),
      });
    }
    case 'X_BREAKER_PROBE_TIMEOUT':
      return rt.kit.timeout({
        timeout: 'probe',
        timeoutMs: finite(coded.timeoutMs) ?? 0,
        retryable: false,
        cause: error,
      });
    case 'X_RATE_LIMIT_TIMEOUT':
    case 'X_RATE_LIMIT_QUEUE_FULL':
    case 'X_RATE_LIMIT_STORE_UNAVAILABLE':
    case 'X_RATE_LIMIT_CONCURRENCY_TIMEOUT':
    case 'X_POOL_TIMEOUT':
      return rt.kit.localLimit({
        message: `${rt.identity.label} call refused by a local limit: ${rt.redactor.redact(message)}`,
        retryAfterMs: finite(coded.retryAfterMs),
        cause: error,
      });
    // Closed by the provider's `close()` while the call waited (its own pool or limiter, or a
    // given one's queue it left), or, with the provider still open, by their own user.
    case 'X_POOL_CLOSED':
      if (rt.closed) return rt.kit.closed();
      return rt.kit.closed({ piece: shared(rt.ownPool, 'pool'), cause: error });
    case 'X_RATE_LIMIT_CLOSED':
      if (rt.closed) return rt.kit.closed();
      return rt.kit.closed({ piece: closedLimiter(rt), cause: error });
    default:
      return error;
  }
}

function shared(own: boolean, piece: string): string {
  return own ? piece : `shared ${piece}`;
}

/**
 * Which limiter refused the call: both throw the same error. The rate limiter is waited for
 * first, so a closed concurrency limiter is the one that refused unless both are closed, and then
 * the message still names a closed one (`cause` is the error itself). A concurrency limiter told
 * by its shape alone may have no `stats()`.
 */
function closedLimiter(rt: Runtime): string {
  const concurrency = rt.concurrency;
  const stats = concurrency?.limiter.stats as (() => { closed?: unknown }) | undefined;
  if (concurrency !== undefined && typeof stats === 'function') {
    if (stats.call(concurrency.limiter).closed === true) {
      return shared(concurrency.own, 'concurrency limiter');
    }
  }
  return shared(rt.limit?.own ?? false, 'rate limiter');
}
