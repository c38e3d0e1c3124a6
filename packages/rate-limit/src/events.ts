/**
 * The event payloads of `@x/rate-limit`. Each event is delivered to the `onX(listener)` listeners
 * and published on the `node:diagnostics_channel` channel `x:rate-limit:<event>`; a listener that
 * throws is reported as a process warning and never fails the call (the house policy).
 */

/** Why an `acquire()` was turned away (the `reject` event). */
export interface RateLimitRejectEvent {
  /** `timeout`: the (predicted) wait exceeded `timeoutMs`; `queue-full`: `maxQueue` reached. */
  readonly reason: 'timeout' | 'queue-full';
  /** The key, for a keyed rate limiter; `undefined` for a token bucket. */
  readonly key: string | undefined;
  /** The cost asked for (summed over limits for a multi-limit acquire). */
  readonly cost: number;
  /** The predicted wait at the moment of rejection, in ms (`Infinity` when unknown). */
  readonly retryAfterMs: number;
}

/** A pause (the `pause` event): nothing is admitted until `until` (a `performance.now()` time). */
export interface RateLimitPauseEvent {
  readonly key: string | undefined;
  readonly ms: number;
  readonly until: number;
}

/** A concurrency limiter turned a call away (the `concurrency-reject` event). */
export interface ConcurrencyRejectEvent {
  /** `timeout`: no slot within `timeoutMs`; `queue-full`: `maxQueue` callers were waiting. */
  readonly reason: 'timeout' | 'queue-full';
  /** Slots held at that moment. */
  readonly active: number;
  /** Callers waiting at that moment (the rejected one excluded). */
  readonly queued: number;
}
