/** Distinct codes a `failuresByCode` record keeps under their own name. */
export const MAX_FAILURE_CODES = 64;

/** Where the codes past {@link MAX_FAILURE_CODES} are counted (no error code is called this). */
export const OTHER_FAILURE_CODES = 'other';

/**
 * Counts one failure under `code` in `by` (a provider's, a model's, a router's
 * `failuresByCode`). After {@link MAX_FAILURE_CODES} distinct codes the others are counted under
 * {@link OTHER_FAILURE_CODES}: a custom transport, store or provider may give its errors any code
 * (one per request id, say), and `stats()` and the metrics must stay bounded. An own-property
 * check and a defined property, not a lookup and an assignment: a code named `constructor` or
 * `__proto__` is counted like any other, and corrupts nothing.
 */
export function countFailureCode(by: Record<string, number>, code: string): void {
  let key = code;
  if (!Object.hasOwn(by, key) && Object.keys(by).length >= MAX_FAILURE_CODES) {
    key = OTHER_FAILURE_CODES;
  }
  Object.defineProperty(by, key, {
    value: (Object.hasOwn(by, key) ? by[key]! : 0) + 1,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
