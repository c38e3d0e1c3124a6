import type { Breaker } from '@x/breaker';
import { isProviderError, type ProviderError } from '../errors';

// `@x/breaker` keeps counts, not errors: a refusal would say only that the server is failing. The
// provider error each breaker counted last is kept here, for the refusal to name what to fix.

/** The last provider error each breaker counted as a failure since it last closed. */
const LAST = new WeakMap<Breaker, ProviderError>();

/**
 * Keeps the provider error of `breaker`'s last counted failure (`onFailure`), forgotten when it
 * closes. One listener per breaker, however many providers share it; it holds nothing but the
 * breaker's entry, so it lives and goes with the breaker. Only our errors are kept: their
 * messages were scrubbed of secrets when made, where another value a shared breaker ran may quote
 * anything. Idempotent; a no-op for a breaker-shaped object without `onFailure`/`onStateChange`.
 */
export function watchLastFailure(breaker: Breaker): void {
  // A breaker is taken by its shape (`execute` and `state`): one without these events names none.
  if (WATCHED.has(breaker) || typeof breaker.onFailure !== 'function') return;
  if (typeof breaker.onStateChange !== 'function') return;
  WATCHED.add(breaker);
  breaker.onFailure(({ error }) => {
    if (isProviderError(error)) LAST.set(breaker, error);
  });
  breaker.onStateChange(({ to }) => {
    if (to === 'closed') LAST.delete(breaker);
  });
}

const WATCHED = new WeakSet<Breaker>();

/** The provider error `breaker` last counted as a failure since it last closed, if any. */
export function lastFailureOf(breaker: Breaker | undefined): ProviderError | undefined {
  return breaker === undefined ? undefined : LAST.get(breaker);
}
