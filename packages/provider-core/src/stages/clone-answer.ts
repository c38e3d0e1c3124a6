/**
 * A mutable copy of a cached answer. `structuredClone` first (native, the fast path of every
 * hit); V8's serializer gives up with a `RangeError` on values nested a few thousand deep, less
 * deep than `JSON.parse` builds them and the cache's own checks let in: tool-call arguments a
 * server nested 3,000 deep were stored, then every hit threw an untyped `RangeError` for the
 * entry's TTL, on every process sharing its Redis store. Such a value is copied here without
 * recursion, so any depth the cache took is handed back.
 */
export function cloneAnswer<T>(value: T): T {
  try {
    return structuredClone(value);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return cloneDeep(value) as T;
  }
}

/** The copy of `value`, walked with a stack of its own instead of the call stack. */
function cloneDeep(value: unknown): unknown {
  const root: { v: unknown } = { v: undefined };
  const work: [source: unknown, target: Record<PropertyKey, unknown>, key: PropertyKey][] = [
    [value, root, 'v'],
  ];
  for (let next = work.pop(); next !== undefined; next = work.pop()) {
    const [source, target, key] = next;
    if (typeof source !== 'object' || source === null) {
      target[key] = source;
    } else if (Array.isArray(source)) {
      const copy: unknown[] = new Array(source.length);
      target[key] = copy;
      for (let i = 0; i < source.length; i++) work.push([source[i], copy as never, i]);
    } else if (Object.getPrototypeOf(source) === Object.prototype) {
      const copy: Record<string, unknown> = {};
      target[key] = copy;
      for (const name of Object.keys(source)) {
        work.push([(source as Record<string, unknown>)[name], copy, name]);
      }
    } else {
      // Anything else an answer holds (a typed array of an embedding) is shallow: cloned natively.
      target[key] = structuredClone(source);
    }
  }
  return root.v;
}
