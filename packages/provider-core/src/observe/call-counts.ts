/**
 * The call counters every layer that takes calls keeps the same way: a provider, each of its
 * models, a router. `stats()` snapshots extend it, so the same names mean the same thing.
 */
export interface CallCounts {
  /** Logical calls (complete, stream, embed), cache hits included. */
  requests: number;
  successes: number;
  failures: number;
  /** Failures by error `code` (or `name` when the error has no code). */
  failuresByCode: Record<string, number>;
  /** Calls running now. */
  inFlight: number;
  /**
   * Calls the caller aborted through its `signal` (queued, waiting or reading), and streams it
   * stopped reading before the end: neither successes nor failures.
   */
  cancelled: number;
}

/** A snapshot of `source`'s call counters (`failuresByCode` copied, so it never changes after). */
export function callCounts(source: Readonly<CallCounts>): CallCounts {
  return {
    requests: source.requests,
    successes: source.successes,
    failures: source.failures,
    failuresByCode: { ...source.failuresByCode },
    inFlight: source.inFlight,
    cancelled: source.cancelled,
  };
}
