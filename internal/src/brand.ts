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

/** True when `value` carries the brand. */
export function hasBrand(value: unknown, symbol: symbol): boolean {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    (value as Record<symbol, unknown>)[symbol] === true
  );
}
