/**
 * `Symbol.for('@x/<pkg>/<Name>')`: a brand shared by every copy of a package in one process, so a
 * guard recognises an error thrown by a duplicate install, which `instanceof` would not.
 */
export function brand(pkg: string, name: string): symbol {
  return Symbol.for(`@x/${pkg}/${name}`);
}

/** Marks an object with a brand (a non-enumerable own property, invisible to JSON and inspect). */
export function mark(target: object, symbol: symbol): void {
  Object.defineProperty(target, symbol, { value: true, enumerable: false });
}

/**
 * True when `value` carries the brand. A guard answers for any value, and what user code threw or
 * returned may be a revoked Proxy or a Proxy whose traps throw: reading its brand throws, and a
 * guard that threw would fail the code that handles the failure. Such a value carries no brand.
 */
export function hasBrand(value: unknown, symbol: symbol): boolean {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  try {
    return (value as Record<symbol, unknown>)[symbol] === true;
  } catch {
    return false;
  }
}

/**
 * `value instanceof target` for a package's base error class whose `Symbol.hasInstance` reads its
 * brand (across duplicate installs). Subclasses inherit that method: for them (`target` is not
 * `base`, the class on the right of `instanceof` is the point) the prototype chain decides, as
 * JavaScript's own `instanceof` does, or every error of the package would be an instance of each.
 */
export function brandedInstanceOf(
  target: unknown,
  base: unknown,
  value: unknown,
  symbol: symbol,
): boolean {
  return target === base
    ? hasBrand(value, symbol)
    : Function.prototype[Symbol.hasInstance].call(target, value);
}
