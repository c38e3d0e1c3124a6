/**
 * Reads of what a provider threw, none of which throws. A provider of the user's own may throw
 * anything: a revoked Proxy (every read, `instanceof` included, throws), a Proxy whose traps
 * throw, an object with a throwing getter. The router reads such a value while it handles the
 * failure, and a throw there would reject the call with the trap's error instead of a fallback
 * or a `RouterError`. A read that throws counts as "nothing there". The guards (`isProviderError`,
 * `isProviderErrorOfKind`, `@x/internal`'s `hasBrand`) answer `false` for such a value already.
 */
import { isProviderError, type ProviderErrorKind } from '@x/provider-core';

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

/**
 * The `kind` of a provider error, `undefined` for any other value or a kind that cannot be read
 * (the brand is a global symbol: any object can carry it, with a getter that throws).
 */
export function providerKindOf(value: unknown): ProviderErrorKind | undefined {
  if (!isProviderError(value)) return undefined;
  const kind = readProperty(value, 'kind');
  return typeof kind === 'string' ? (kind as ProviderErrorKind) : undefined;
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
 * prototype or its `name` throws. Such a value has no shape; it is never taken for the
 * caller's mistake (a `TypeError`) since nothing of it can be told.
 */
export function isUnreadable(value: unknown): boolean {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  try {
    Reflect.getPrototypeOf(value);
    void (value as { name?: unknown }).name;
    return false;
  } catch {
    return true;
  }
}
