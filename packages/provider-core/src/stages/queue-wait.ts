import { CallSignal, type LightSignal } from '../light-signal';

/**
 * How a provider's calls wait in one limiter's queue (its rate limiter's, its concurrency
 * limiter's), made once per provider and limiter by {@link queueWaits}.
 */
export interface QueueWaits {
  /** The provider's `destroy()` signal: the signal of a call without one of its own. */
  readonly ending: AbortSignal;
  /** `closing` for a limiter the provider did not create, undefined for its own. */
  readonly closing: LightSignal | undefined;
  /** What a call under `ending` waits with: `ending` itself, or `closing` for another's limiter. */
  readonly idle: AbortSignal;
}

/**
 * `close()` closes the limiters the provider created, and that ends their waiters unsent. A
 * limiter it was given, or shares under `share`, stays open for its other users, so its waiters
 * would stay queued until their turn came. A wait there also follows `closing`, which `close()`
 * and `destroy()` abort (`closing` first): the call ends at once, unsent, with the closed error.
 * Waits in the provider's own limiters cost nothing more.
 */
export function queueWaits(own: boolean, ending: LightSignal, closing: LightSignal): QueueWaits {
  const endingSignal = ending as unknown as AbortSignal;
  return {
    ending: endingSignal,
    closing: own ? undefined : closing,
    idle: own ? endingSignal : (closing as unknown as AbortSignal),
  };
}

/**
 * The signal a call waits under in a limiter's queue: its own signal, `waits.idle`, or one made
 * for this wait that follows both its signal and `closing` ({@link madeForWait}: give that one to
 * `releaseSignal()` once the wait is over, admitted or not).
 */
export function queueSignal(
  signal: AbortSignal | undefined,
  waits: QueueWaits | undefined,
): AbortSignal | undefined {
  const closing = waits?.closing;
  if (closing === undefined) return signal;
  if (signal === undefined || signal === waits!.ending) return waits!.idle;
  return new CallSignal(closing, signal) as unknown as AbortSignal;
}

/** True when `wait` was made by {@link queueSignal} for this wait alone, to be released after it. */
export function madeForWait(
  wait: AbortSignal | undefined,
  signal: AbortSignal | undefined,
): boolean {
  return wait !== signal && wait instanceof CallSignal;
}
