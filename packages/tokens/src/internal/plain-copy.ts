import { READ_BY_NAME } from './records';

// Why this file exists: `estimateTokensAsync` reads the caller's chat twice (a pass that records
// what to count, a pass that uses the counts) and defers every count while the first runs. The
// caller's code must therefore run before either pass: a getter that counts would read the
// placeholder 0, and one that answers differently the second time would change the chat between
// the passes. `structuredClone` reads only own data properties (a class whose `role` is a getter
// on its prototype becomes a message without a role) and refuses a message holding a function.

/**
 * Values kept as they are: what the counts turn into text with `JSON.stringify` through a
 * `toJSON` of their own (a `Date`, a `URL`, a class's), bytes (an image), boxed strings, Maps
 * and Sets (which JSON writes as `{}` either way).
 */
const asIs = (value: object): boolean =>
  typeof (value as { toJSON?: unknown }).toJSON === 'function' ||
  ArrayBuffer.isView(value) ||
  value instanceof ArrayBuffer ||
  value instanceof String ||
  value instanceof Map ||
  value instanceof Set;

/**
 * `value` as plain data, read the way the counts read it, once: each own listed property (what
 * `Object.keys` and `JSON.stringify` see), and the properties the counts read by name
 * (`READ_BY_NAME`: `role`, `content`, `text`, `arguments`...) wherever they are, a getter of a
 * class's prototype included (run with the object as `this`), kept unlisted as they were. No
 * other getter runs (an entity's lazy relation stays unread). Functions are left out; a property
 * whose getter throws throws again when the copy's property is read, where the count meets it.
 * Undefined when the chat is too deep to copy (the counts then read it as it is, and refuse it).
 */
export function plainCopy<T>(value: T): T | undefined {
  try {
    return copy(value, new Map()) as T;
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
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
  const listed = new Set(Object.keys(value));
  for (const key of listed) take(value, key, true, out, seen);
  for (const key of READ_BY_NAME)
    if (!listed.has(key) && key in value) take(value, key, false, out, seen);
  return out;
}

/** Copies `value[key]` into `out`, listed or not, as the counts would meet it. */
function take(
  value: object,
  key: string,
  listed: boolean,
  out: Record<string, unknown>,
  seen: Map<object, unknown>,
): void {
  let read: unknown;
  try {
    read = (value as Record<string, unknown>)[key];
  } catch (error) {
    const get = () => {
      throw error;
    };
    Object.defineProperty(out, key, { enumerable: listed, configurable: true, get });
    return;
  }
  if (typeof read === 'function') return;
  const copied = copy(read, seen);
  if (listed) out[key] = copied;
  else Object.defineProperty(out, key, { value: copied, configurable: true, writable: true });
}
