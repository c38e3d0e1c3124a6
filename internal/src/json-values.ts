import { fail } from './args';
import { optionError } from './option-error';
import { isJsonRecord } from './value-kind';

/**
 * Deepest nesting {@link expectJsonValues} accepts. `JSON.stringify` recurses, so a value nested
 * some thousands deep would fail there with a bare stack overflow; no JSON Schema, tool call or
 * response format comes anywhere near this.
 */
export const MAX_JSON_DEPTH = 1000;

/** What every refusal says the value must be, worded as `@x/tokens` words its own. */
const JSON_VALUE = 'a JSON value (it is sent as JSON)';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Up to this depth a cycle is looked for along the stack itself; deeper, in a `Set` of the
 * objects on it. A schema is a few levels deep, and a `Set` per call would double the walk's cost.
 */
const SHALLOW = 32;

/** The objects and arrays from the value down to the one being read. */
interface Walk {
  stack: Frame[];
  /** The same objects, once the stack grew past {@link SHALLOW}. */
  onPath: Set<object> | undefined;
}

/** An object or array being walked: its fields left to read, and the key it sits under. */
interface Frame {
  value: object;
  /** Its key in the object or array above it (none for the value itself). */
  key: string | number | undefined;
  keys: readonly string[] | undefined;
  length: number;
  next: number;
}

/**
 * What an object JSON would not write faithfully must be instead: a `Map` or a `Set` is written
 * `{}`, a class instance without its getters and private fields.
 */
const JSON_DATA =
  'a JSON value (a plain object or an array, or an object with a toJSON method; it is sent as JSON)';

/** What is wrong with a value, found before its path is built (only a refusal builds it). */
const Bad = { None: 0, Type: 1, Range: 2, Unreadable: 3, NotData: 4 } as const;
type Bad = (typeof Bad)[keyof typeof Bad];

/**
 * Checks that `value` has a JSON form that says what the caller meant, before it is sent or
 * stored: `JSON.stringify` throws its own unnamed error on a cycle or a BigInt, and silently drops
 * or nulls a function, a symbol, `undefined` in an array, an array hole, `NaN` or an infinity.
 * Each is refused by its exact path inside (``Expected `tools[0].function.parameters.properties.a`
 * to be a JSON value (it is sent as JSON), got `1n` (bigint)``). A value with a `toJSON` (a `Date`)
 * is taken as JSON writes it and not looked into; `undefined` fields of an object are left out by
 * JSON, as meant. Any other object must be a plain object (its prototype `Object.prototype`, of
 * any realm, or null) or an array: JSON writes a `Map`, a `Set` or a class instance whose fields
 * are getters as `{}`, so a schema's `properties: new Map(...)` was sent as `properties: {}`
 * (``got a Map (size 1)``). The walk uses its own stack (no recursion), and refuses nesting deeper than
 * {@link MAX_JSON_DEPTH}. Shared references are fine; only a cycle is refused. Nothing is
 * remembered between calls (it runs per request, and a caller may change an object between two):
 * paths are built only for a refusal, so the walk of a small schema costs about as much as
 * writing it as JSON.
 */
export function expectJsonValues(name: string, value: unknown): void {
  const top = kind(value);
  if (top !== Bad.None) refuse(name, [], undefined, value, top);
  if (!isContainer(value)) return;
  const walk: Walk = { stack: [], onPath: undefined };
  const { stack } = walk;
  const entered = enter(walk, value, undefined);
  if (entered !== Bad.None) refuse(name, stack, undefined, value, entered);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame;
    if (frame.next >= frame.length) {
      stack.pop();
      walk.onPath?.delete(frame.value);
      continue;
    }
    const i = frame.next++;
    const key = frame.keys === undefined ? i : (frame.keys[i] as string);
    let field: unknown;
    try {
      field = (frame.value as Record<string | number, unknown>)[key];
    } catch {
      refuse(name, stack, key, frame.value, Bad.Unreadable);
    }
    // Left out of an object by JSON, as meant; in an array (a hole reads as `undefined` too)
    // JSON sends null instead.
    if (field === undefined && frame.keys !== undefined) continue;
    const bad = kind(field);
    if (bad !== Bad.None) refuse(name, stack, key, field, bad);
    if (!isContainer(field)) continue;
    if (walk.onPath === undefined ? stack.some((f) => f.value === field) : walk.onPath.has(field)) {
      const back = stack.findIndex((f) => f.value === field);
      throw optionError([
        'Expected `',
        pathOf(name, stack, key),
        `\` to be ${JSON_VALUE}, got a cycle back to \``,
        pathOf(name, stack.slice(0, back + 1), undefined),
        '`',
      ]);
    }
    if (stack.length >= MAX_JSON_DEPTH) {
      fail(
        pathOf(name, stack, key),
        `${JSON_VALUE} nested at most ${MAX_JSON_DEPTH} deep`,
        field,
        true,
      );
    }
    const entered = enter(walk, field, key);
    if (entered !== Bad.None) refuse(name, stack, key, field, entered);
  }
}

/** What is wrong with `value` itself; a `toJSON` is not called, only looked for. */
function kind(value: unknown): Bad {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'object':
      return Bad.None;
    case 'number':
      return Number.isFinite(value) ? Bad.None : Bad.Range;
    case 'bigint':
      // JSON writes a BigInt only through a `toJSON` someone put on BigInt.prototype.
      return typeof (value as unknown as { toJSON?: unknown }).toJSON === 'function'
        ? Bad.None
        : Bad.Type;
    default:
      // A function, a symbol, or `undefined` where JSON cannot leave it out.
      return Bad.Type;
  }
}

/** An object or array to look into: not null, and with no `toJSON` (a `Date`) to write it. */
function isContainer(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return typeof (value as { toJSON?: unknown }).toJSON !== 'function';
  } catch {
    // A getter or Proxy trap that throws: walked, and refused where a read fails.
    return true;
  }
}

/**
 * Pushes `value`; `Unreadable` when its keys or length cannot be read (a revoked Proxy), and
 * `NotData` for an object JSON writes by its own fields but whose fields are not what it holds:
 * a `Map`, a `Set`, a class instance (its getters and private fields are left out), a typed array.
 */
function enter(walk: Walk, value: object, key: string | number | undefined): Bad {
  let keys: string[] | undefined;
  let length: number;
  try {
    if (Array.isArray(value)) length = value.length;
    else {
      if (!isJsonRecord(value)) return Bad.NotData;
      keys = Object.keys(value);
      length = keys.length;
    }
  } catch {
    return Bad.Unreadable;
  }
  walk.stack.push({ value, key, keys, length, next: 0 });
  if (walk.onPath !== undefined) walk.onPath.add(value);
  else if (walk.stack.length > SHALLOW) walk.onPath = new Set(walk.stack.map((f) => f.value));
  return Bad.None;
}

/** `name.a[0]["b c"]`: the keys of the frames below the top one, then `key`. */
function pathOf(name: string, stack: readonly Frame[], key: string | number | undefined): string {
  const keys = stack.slice(1).map((frame) => frame.key as string | number);
  if (key !== undefined) keys.push(key);
  return propertyPath(name, keys);
}

/** `name.a[0]["b c"]`: where `keys` lead from `name`, as written in code. */
export function propertyPath(name: string, keys: readonly (string | number)[]): string {
  let path = name;
  for (const k of keys) {
    if (typeof k === 'number') path += `[${k}]`;
    else if (IDENTIFIER.test(k)) path += `.${k}`;
    else path += `[${JSON.stringify(k)}]`;
  }
  return path;
}

function refuse(
  name: string,
  stack: readonly Frame[],
  key: string | number | undefined,
  value: unknown,
  bad: Bad,
): never {
  const path = pathOf(name, stack, key);
  if (bad === Bad.Unreadable) return fail(path, `${JSON_VALUE} that can be read`, value);
  if (bad === Bad.NotData) return fail(path, JSON_DATA, value);
  return fail(path, JSON_VALUE, value, bad === Bad.Range);
}
