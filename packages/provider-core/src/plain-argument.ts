import { fail, hideSecretShapes, isPlainObject, optionError } from '@x/internal';

/**
 * A request or a message must be a plain object (an object literal, or `Object.create(null)`):
 * its own fields are what is read and sent. A class instance's getters would be read by a
 * provider but lost by any copy on the way (a router's `{ ...request }`, a cache key, a retry), so
 * the same request would mean different things by different paths. `fields` words what it holds
 * (``with `model` and `messages` ``). For a class instance the message names the class: its JSON
 * (`{"_r":...}` or `{}`) would show an object of the right shape and contradict the refusal.
 */
export function expectPlainArgument(
  name: string,
  value: unknown,
  fields: string,
): asserts value is Record<string, unknown> {
  if (isPlainObject(value)) return;
  const kind = instanceKind(value);
  if (kind === undefined) fail(name, `an object ${fields}`, value);
  throw optionError([
    'Expected `',
    name,
    `\` to be a plain object ${fields} (its own fields are what is read and sent), not ${kind}: copy the fields into an object literal`,
  ]);
}

/**
 * What a non-plain object is, in words (`an instance of class Msg`, `a Map`); `undefined` for an
 * array, a non-object or one whose prototype cannot be read (a revoked Proxy), which the house
 * wording already describes. Never throws.
 */
function instanceKind(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  try {
    if (Array.isArray(value)) return undefined;
    const ctor: unknown = Object.getPrototypeOf(value)?.constructor;
    const name: unknown = typeof ctor === 'function' ? ctor.name : undefined;
    if (typeof name !== 'string' || name === '') return 'an object with a prototype';
    return `an instance of class ${hideSecretShapes(name)}`;
  } catch {
    return undefined;
  }
}
