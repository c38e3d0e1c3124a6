import { brand, hasBrand, mark } from '@x/internal';

const IGNORE_BRAND = brand('breaker', 'BreakerIgnore');

/**
 * What {@link ignoreOutcome} makes: thrown by `fn` (or its promise's rejection), it settles the
 * call as not judged. It never leaves the breaker: `execute()` rejects with its `reason`. It has no
 * `code`, being no error any caller sees; it is an `Error` (with `reason` as its `cause`) only so
 * that code which runs `fn` without a breaker, or a linter that wants `Error`s thrown, sees a
 * readable one.
 */
export class BreakerIgnore extends Error {
  /** What `execute()` rejects with instead of this. */
  declare readonly reason: unknown;

  constructor(reason: unknown) {
    // The reason is not put into the message: it is `fn`'s, and may say what no message should.
    super('Outcome not judged by the breaker (the reason is the cause)', { cause: reason });
    this.reason = reason;
  }
}

(BreakerIgnore.prototype as { name: string }).name = 'BreakerIgnore';
// A mark on the prototype, not a class member: see errors.ts.
mark(BreakerIgnore.prototype, IGNORE_BRAND);

/**
 * Settles a call as not judged, whatever `classify` would say: `fn` throws (or rejects with)
 * `ignoreOutcome(reason)` when its outcome says nothing of the dependency's health (the caller
 * stopped reading an answer, the work was called off on purpose). The call counts as neither a
 * failure nor a success (`stats().ignored`, no event); a half-open probe that ends this way frees
 * its slot and leaves the breaker half-open, as a caller's abort does. `execute()` rejects with
 * `reason`, never with the wrapper. `classify` still hears of the call, as of a caller's abort
 * (`reason`, `{ callerAborted: true }`), and what it answers is not used.
 *
 * Only a rejection is read: a wrapper `fn` resolves with is a value like any other.
 *
 * @returns a {@link BreakerIgnore} (the same one when `reason` already is one).
 * @example
 * ```ts
 * await breaker.execute(async (signal) => {
 *   const res = await fetch(url, { signal });
 *   // 499: the client went away; not the server's failure, nor its success
 *   if (res.status === 499) throw ignoreOutcome(new Error('client closed the request'));
 *   return res.json();
 * });
 * ```
 */
export function ignoreOutcome(reason: unknown): BreakerIgnore {
  return isBreakerIgnore(reason) ? reason : new BreakerIgnore(reason);
}

/**
 * True when `value` was made by {@link ignoreOutcome}, in this or any other copy of the package
 * (a breaker from another copy ignores it just the same).
 *
 * @example
 * ```ts
 * const reason = isBreakerIgnore(error) ? error.reason : error;
 * ```
 */
export function isBreakerIgnore(value: unknown): value is BreakerIgnore {
  return hasBrand(value, IGNORE_BRAND);
}

/** @internal What `execute()` rejects with when `fn` failed with `error`. */
export function rejectionOf(error: unknown): unknown {
  return isBreakerIgnore(error) ? error.reason : error;
}
