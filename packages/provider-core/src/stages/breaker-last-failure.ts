import type { Breaker } from '@x/breaker';
import { isProviderError, type ProviderError } from '../errors';
import type { BreakerLike } from './breaker-gate';

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

/**
 * A provider's way through a breaker other providers use too (`share`, or one breaker given to
 * several): the breaker as calls run through it, and the provider's `name`.
 */
interface SharingGate extends BreakerLike {
  readonly name: string;
}

/** The provider whose attempt ended in each failure a shared breaker counted (`sharingGate`). */
const FAILED_IN = new WeakMap<ProviderError, SharingGate>();

/**
 * `gate`, for a breaker other providers share: each failure of this provider's attempts is told
 * to be its own, so that a refusal names whose failure opened the breaker by that provider's
 * `name`. Its kind alone cannot tell two providers of one kind apart (two `@x/provider-openai`
 * presets, or two `name`s), and the refusal of each would read as its own failure. One rejection
 * handler per call, and only on a shared breaker.
 */
export function sharingGate(gate: BreakerLike, name: string): BreakerLike {
  const sharing: SharingGate = {
    name,
    get state() {
      return gate.state;
    },
    execute(fn, options) {
      return gate.execute((signal) => Promise.resolve(fn(signal)).then(undefined, failed), options);
    },
  };
  // Before the breaker sees it: its `onFailure` keeps the error as the last failure.
  const failed = (error: unknown): never => {
    if (isProviderError(error)) FAILED_IN.set(error, sharing);
    throw error;
  };
  return sharing;
}

/**
 * The `name` of the provider, among those sharing the breaker `gate` is of, whose attempt ended in
 * `failure`: undefined when it was this provider's (`gate`'s) own, or when no gate said (a breaker
 * of the provider's own, a failure counted by another copy of this package or by other code).
 */
export function sharedWith(
  gate: BreakerLike | undefined,
  failure: ProviderError | undefined,
): string | undefined {
  const by = failure === undefined ? undefined : FAILED_IN.get(failure);
  return by === undefined || by === gate ? undefined : by.name;
}
