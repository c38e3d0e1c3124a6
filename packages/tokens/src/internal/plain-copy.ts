// Why this file exists: `estimateTokensAsync` reads the caller's chat twice (a pass that records
// what to count, a pass that uses the counts) and defers every count while the first runs. The
// caller's code must therefore run before either pass: a getter that counts would read the
// placeholder 0, and one that answers differently the second time would change the chat between
// the passes. `structuredClone` reads only own data properties (a class whose `role` is a getter
// on its prototype becomes a message without a role) and refuses a message holding a function.

/** Values copied as they are: bytes (an image), and objects the estimate reads through no getter. */
const asIs = (value: object): boolean =>
  ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date;

/**
 * `value` as plain data, reading each property the way the estimate would read it (through the
 * object, so a getter on a class's prototype runs with the object as `this`), once: arrays and
 * objects are copied, functions left out, and a property whose getter throws throws again when
 * the copy's property is read (where the estimate would have met it), not while copying.
 */
export function plainCopy<T>(value: T): T {
  return copy(value, new Map()) as T;
}

function copy(value: unknown, seen: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null || asIs(value)) return value;
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (let i = 0; i < value.length; i++) out.push(copy(value[i], seen));
    return out;
  }
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  const done = new Set<string>();
  // own properties, then those of the prototypes, stopping at the plain object's
  for (let at: object | null = value; at !== null && at !== Object.prototype; ) {
    for (const key of Object.getOwnPropertyNames(at)) {
      if (done.has(key) || key === 'constructor') continue;
      done.add(key);
      // Listed as the original lists it: the estimate bills a message's own enumerable strings
      // (`Object.keys`), and reads the rest (a class's `role` getter) by name only.
      const listed = at === value && Object.getOwnPropertyDescriptor(at, key)?.enumerable === true;
      let read: unknown;
      try {
        read = (value as Record<string, unknown>)[key];
      } catch (error) {
        const get = () => {
          throw error;
        };
        Object.defineProperty(out, key, { enumerable: listed, configurable: true, get });
        continue;
      }
      if (typeof read === 'function') continue;
      const copied = copy(read, seen);
      if (listed) out[key] = copied;
      else Object.defineProperty(out, key, { value: copied, configurable: true, writable: true });
    }
    at = Object.getPrototypeOf(at) as object | null;
  }
  return out;
}
