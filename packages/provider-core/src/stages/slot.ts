import type { ResolvedConcurrency } from '../compose/concurrency';
import { releaseSignal } from '../light-signal';
import { madeForWait, queueSignal } from './queue-wait';

/** The release of a call without a concurrency limit: nothing to give back, nothing to wait for. */
export function NO_SLOT(): void {}

/**
 * The concurrency step, after the rate limit (a call never holds a slot while it waits for a
 * token): waits in the limiter's FIFO queue for a slot, up to its timeout, abortable. Resolves
 * with the function that gives the slot back (idempotent; a no-op without a limit). A timeout
 * or a full queue rejects with the limiter's error, which the call's boundary turns into the
 * provider's `LocalLimitError`; an abort rejects with `signal.reason`.
 */
export function takeSlot(
  concurrency: ResolvedConcurrency | undefined,
  signal: AbortSignal | undefined,
): (() => void) | Promise<() => void> {
  if (concurrency === undefined) return NO_SLOT;
  // Not `tryAcquire()` first: a shared limiter's `rejected` counter would count every busy moment.
  const made = concurrency.endingOptions;
  const wait = queueSignal(signal, concurrency.waits);
  if (wait === undefined) return concurrency.limiter.acquire();
  const taken = concurrency.limiter.acquire(made?.signal === wait ? made : { signal: wait });
  // A wait of its own (a shared limiter's, for a call with a signal) lets go once it is over.
  return madeForWait(wait, signal) ? taken.finally(() => releaseSignal(wait)) : taken;
}
