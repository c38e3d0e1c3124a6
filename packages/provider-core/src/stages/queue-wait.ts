import { CallSignal, type LightSignal } from '../light-signal';

/**
 * The signal a call waits under in a limiter's queue (a rate limit's or a concurrency slot's).
 *
 * `close()` closes the limiters the provider created, and that ends their waiters unsent. A
 * limiter it was given, or shares under `share`, stays open for its other users, so its waiters
 * would stay queued until their turn came. A wait there also follows `closing`, which `close()`
 * and `destroy()` abort: the call ends at once, unsent, with the closed error. `closing` is
 * undefined for the provider's own limiters, whose waits cost nothing more.
 *
 * Give the result to `releaseSignal()` once the wait is over, admitted or not.
 */
export function queueSignal(
  signal: AbortSignal | undefined,
  ending: AbortSignal | undefined,
  closing: LightSignal | undefined,
): AbortSignal | undefined {
  if (closing === undefined) return signal;
  // destroy() aborts `closing` before `ending`: a call under `ending` itself follows no more.
  if (signal === undefined || signal === ending) return closing as unknown as AbortSignal;
  return new CallSignal(closing, signal) as unknown as AbortSignal;
}
