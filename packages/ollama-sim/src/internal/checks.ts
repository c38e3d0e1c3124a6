import { expectDuration, expectNumber } from '@x/internal';

// Option checks with a default: each names the field in the house wording (`@x/internal`).

export function intInRange(
  name: string,
  value: unknown,
  min: number,
  max: number,
  fallback: number,
): number {
  return value === undefined ? fallback : expectNumber(name, value, { min, max, integer: true });
}

/** A delay a timer waits: at most 2^31-1 ms, because Node fires a longer timer after 1 ms. */
export function duration(name: string, value: unknown, fallback: number): number {
  return value === undefined ? fallback : expectDuration(name, value);
}

/** A rate of `0` or `Infinity` means "no delay"; both normalise to Infinity. */
export function rate(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const n = expectNumber(name, value, { min: 0, allowInfinity: true });
  return n === 0 ? Number.POSITIVE_INFINITY : n;
}

export function positiveFinite(name: string, value: unknown, fallback: number): number {
  return value === undefined ? fallback : expectNumber(name, value, { min: 0, exclusiveMin: true });
}
