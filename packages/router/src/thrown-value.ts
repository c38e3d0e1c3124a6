/**
 * Reads of what a provider threw, none of which throws. A provider of the user's own may throw
 * anything: a revoked Proxy (every read, `instanceof` included, throws), a Proxy whose traps
 * throw, an object with a throwing getter. The router reads such a value while it handles the
 * failure, and a throw there would reject the call with the trap's error instead of a fallback
 * or a `RouterError`. A read that throws counts as "nothing there".
 */
import { hasBrand } from '@x/internal';
import {
  type AnyProviderError,
  isProviderError,
  type ProviderErrorKind,
  type ProviderErrorOfKind,
} from '@x/provider-core';

/** A property of a user's object, `undefined` when it is not an object or the read throws. */
export function readProperty(value: unknown, key: string | symbol): unknown {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) {
    return undefined;
  }
  try {
    return (value as Record<string | symbol, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** `isProviderError(value)`, false when reading its brand throws. */
export function isProviderErrorSafe(value: unknown): value is AnyProviderError {
  try {
    return isProviderError(value);
  } catch {
    return false;
  }
}

/**
 * The `kind` of a provider error, `undefined` for any other value or a kind that cannot be read
 * (the brand is a global symbol: any object can carry it, with a getter that throws).
 */
export function providerKindOf(value: unknown): ProviderErrorKind | undefined {
  if (!isProviderErrorSafe(value)) return undefined;
  const kind = readProperty(value, 'kind');
  return typeof kind === 'string' ? (kind as ProviderErrorKind) : undefined;
}

/** `isProviderErrorOfKind(value, kind)`, false when a read throws. */
export function isProviderErrorOfKindSafe<K extends ProviderErrorKind>(
  value: unknown,
  kind: K,
): value is ProviderErrorOfKind<K> {
  return isProviderErrorSafe(value) && readProperty(value, 'kind') === kind;
}

/** `hasBrand(value, symbol)`, false when reading the brand throws. */
export function hasBrandSafe(value: unknown, symbol: symbol): boolean {
  try {
    return hasBrand(value, symbol);
  } catch {
    return false;
  }
}

/** `value instanceof type`, false when walking its prototypes throws (a revoked Proxy). */
export function isInstanceSafe<T>(
  value: unknown,
  type: abstract new (...args: never[]) => T,
): value is T {
  try {
    return value instanceof type;
  } catch {
    return false;
  }
}

/**
 * True for a value the router cannot read (a revoked Proxy, a Proxy whose traps throw): its
 * prototype, its brand or its `name` throws. Such a value has no shape; it is never taken for the
 * caller's mistake (a `TypeError`) since nothing of it can be told.
 */
export function isUnreadable(value: unknown): boolean {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  try {
    Reflect.getPrototypeOf(value);
    isProviderError(value);
    void (value as { name?: unknown }).name;
    return false;
  } catch {
    return true;
  }
}
