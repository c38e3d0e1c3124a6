/**
 * A canonical, injective text encoding of JSON-like values, written for speed.
 *
 * Why not `JSON.stringify` with sorted keys: strings would be escaped character by character, and
 * sorting needs a replacer or a second pass. Here every token is self-delimiting, so no escaping
 * is needed and the encoding stays unambiguous (two different values never encode the same):
 *
 *   null                      N        string   s<length>:<raw text>
 *   true / false              T / F    number   n<ToString(x)>,  (finite only)
 *   bigint                    b<digits>,        bytes    u<kind>:<length>:<base64>
 *   array                     [<items>]         object   {<length>:<key><value> ...}  (keys sorted)
 *
 * Object members whose value is `undefined`, a function or a symbol are left out and array holes
 * become `N`, as `JSON.stringify` does; objects with `toJSON` (Date) are encoded through it, the
 * request itself included, and boxed primitives (`Object(1)`, `new String('ab')`) as the primitive
 * they hold, as `JSON.stringify` writes them (a boxed BigInt as a bigint).
 *
 * Bytes (typed arrays, `DataView`, `ArrayBuffer`) carry their kind, `Uint8Array` or `Float32Array`
 * say: the same bytes read as another kind are other numbers (`Uint8Array [1, 2]` and
 * `Uint16Array [0x0201]`). A kind is a built-in class name, with no `:`, so the token stays
 * self-delimiting. Adding kinds changed only the keys of requests that hold bytes.
 */

import {
  isArrayBuffer,
  isBigIntObject,
  isBooleanObject,
  isBoxedPrimitive,
  isMap,
  isNumberObject,
  isSet,
  isSharedArrayBuffer,
  isStringObject,
  isWeakMap,
  isWeakSet,
} from 'node:util/types';
import { isJsonRecord } from '@x/internal';
import { nameMemo } from './name-memo';

/** Deeper than this is treated as a cycle: requests are shallow, and recursion must stay bounded. */
const MAX_DEPTH = 256;

export class CanonicalError extends Error {}

/**
 * An object whose own fields are not what it holds, so its key would be `{}` for every value: a
 * `Map` or a `Set`, a class instance whose fields are getters (`get content()`) or that has no own
 * fields at all (its data in private fields). `path` is filled in, innermost key first, as the
 * error leaves each array and object on its way up; `hint`, when set, ends the message.
 */
export class UnkeyableError extends CanonicalError {
  readonly path: (string | number)[] = [];
  constructor(
    readonly value: unknown,
    readonly hint = '',
  ) {
    super('holds an object the key cannot read');
  }
}

/**
 * `NaN`, `Infinity` or `-Infinity` (or a boxed one): JSON writes each as `null`, so keyed as JSON
 * sends them, `{ n: NaN }` and `{ n: null }` would share a key (and an answer) though a provider
 * may answer them differently (or refuse one). Refused, with its `path`, as an unkeyable object is.
 */
export class NonFiniteNumberError extends UnkeyableError {}

/** What to do about an instance with no own fields: the key cannot see private ones. */
const NO_FIELDS_HINT =
  ', which has no own fields the key can read (private `#fields` cannot be read): give its class a toJSON() method, or pass its fields as an object literal';

/**
 * Sorts object keys in place by UTF-16 code units, like `Array.prototype.sort()` without a
 * comparator. Objects in requests have a handful of keys, where an inlined insertion sort is
 * several times cheaper than the builtin's call and string conversion.
 */
function sortKeys(keys: string[]): void {
  const n = keys.length;
  if (n > 16) {
    keys.sort();
    return;
  }
  for (let i = 1; i < n; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
}

function skipped(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

export function encodeValue(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return stringHead(value.length) + value;
    case 'number':
      return numberToken(value);
    case 'boolean':
      return value ? 'T' : 'F';
    case 'bigint':
      return 'b' + value + ',';
    case 'object':
      if (value === null) return 'N';
      if (depth > MAX_DEPTH) throw new CanonicalError('nested too deeply (or cyclic)');
      if (Array.isArray(value)) return encodeArray(value, depth + 1);
      return encodeObject(value as Record<string, unknown>, depth + 1);
    default:
      return 'N';
  }
}

/** Heads `s<length>:` of the lengths most strings in a request have, built once. */
const STRING_HEADS: (string | undefined)[] = new Array(1024);

/** A string token's head: one array read instead of two concatenations and a number printed. */
function stringHead(length: number): string {
  if (length >= 1024) return 's' + length + ':';
  return (STRING_HEADS[length] ??= 's' + length + ':');
}

/** Tokens `n<x>,` of the integers 0-1023 (counts, seeds, token limits), built on first use. */
const SMALL_INTEGERS: (string | undefined)[] = new Array(1024);

function numberToken(value: number): string {
  if (!Number.isFinite(value)) throw new NonFiniteNumberError(value);
  // `value | 0` equals value only for an int32 (or -0, printed `0` either way)
  const index = value | 0;
  if (index !== value || index < 0 || index >= 1024) return 'n' + value + ',';
  return (SMALL_INTEGERS[index] ??= 'n' + value + ',');
}

function encodeArray(array: readonly unknown[], depth: number): string {
  let out = '[';
  let i = 0;
  try {
    for (; i < array.length; i++) {
      const item = array[i];
      out += skipped(item) ? 'N' : encodeValue(item, depth);
    }
  } catch (error) {
    if (error instanceof UnkeyableError) error.path.unshift(i);
    throw error;
  }
  return out + ']';
}

function encodeObject(object: Record<string, unknown>, depth: number): string {
  if (typeof object.toJSON === 'function') return encodeValue(object.toJSON(), depth);
  // Plain objects (nearly every value of a request) skip the three byte-container checks.
  const proto = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) return encodeSpecial(object, depth);
  return encodeMembers(object, depth);
}

/**
 * Bytes (typed arrays, `DataView`, `ArrayBuffer`) and boxed primitives, by what they hold;
 * `undefined` for any other object.
 */
function specialToken(object: object): string | undefined {
  if (ArrayBuffer.isView(object)) {
    const view = object as ArrayBufferView;
    const kind = typedArrayName.call(view) ?? 'DataView';
    return encodeBytes(kind, view.buffer, view.byteOffset, view.byteLength);
  }
  // By the engine's slots, not `instanceof`: an ArrayBuffer made in a `vm` context is one too.
  if (isArrayBuffer(object)) return encodeBytes('ArrayBuffer', object, 0, object.byteLength);
  if (isSharedArrayBuffer(object)) {
    return encodeBytes('SharedArrayBuffer', object, 0, object.byteLength);
  }
  // Checked by the engine's slots, as JSON.stringify checks them (a subclass or another realm's
  // Number is one too). Symbol objects are left to their members, as JSON leaves them.
  if (isBoxedPrimitive(object)) {
    if (isNumberObject(object)) return numberToken(Number(object));
    if (isStringObject(object)) {
      const text = String(object);
      return stringHead(text.length) + text;
    }
    if (isBooleanObject(object)) return booleanValueOf.call(object) ? 'T' : 'F';
    if (isBigIntObject(object)) return 'b' + bigIntValueOf.call(object) + ',';
  }
  return undefined;
}

const booleanValueOf = Boolean.prototype.valueOf;
const bigIntValueOf = BigInt.prototype.valueOf;

/**
 * Bytes, boxed primitives and class instances, the last encoded by their members when those are
 * what it holds; a `Map`, a `Set` or an instance with getters is refused (`UnkeyableError`).
 */
function encodeSpecial(object: Record<string, unknown>, depth: number): string {
  const special = specialToken(object);
  if (special !== undefined) return special;
  return encodeMembers(object, depth, instanceKeys(object));
}

/**
 * The own fields of an object that is neither plain nor one `specialToken` encodes, when they are
 * what it holds; throws `UnkeyableError` otherwise. Only such objects pay these checks.
 */
function instanceKeys(object: object): string[] {
  if (!keyedByMembers(object)) throw new UnkeyableError(object);
  const keys = Object.keys(object);
  // No own field, and methods to read something: the data lives in private fields (or somewhere
  // else the key cannot see), and every instance would key as `{}` and share one answer. With no
  // method (a data class whose optional fields are unset, which TypeScript below ES2022 does not
  // define, or an object literal of another realm) `{}` is what it holds, and what JSON sends.
  if (keys.length === 0 && !isJsonRecord(object) && hasMethods(object)) {
    throw new UnkeyableError(object, NO_FIELDS_HINT);
  }
  return keys;
}

/** Whether a prototype of `object` (below the root of its chain) defines a method besides `constructor`. */
const hasMethods = (object: object): boolean =>
  someInheritedField(
    object,
    (key, field) => key !== 'constructor' && typeof field.value === 'function',
  );

/**
 * Whether `test` holds for a field of a prototype of `object`, the root of its chain (an
 * `Object.prototype`, of this realm or a `vm` context's, with its `__proto__` accessor) left out.
 */
function someInheritedField(
  object: object,
  test: (key: string | symbol, field: PropertyDescriptor) => boolean,
): boolean {
  for (
    let proto: object | null = Object.getPrototypeOf(object);
    proto !== null && Object.getPrototypeOf(proto) !== null;
    proto = Object.getPrototypeOf(proto)
  ) {
    const fields = Object.getOwnPropertyDescriptors(proto);
    for (const key of Reflect.ownKeys(fields)) {
      if (test(key, fields[key as string]!)) return true;
    }
  }
  return false;
}

/**
 * Whether an object's own enumerable fields are what it holds, as for a plain object: not for a
 * `Map`, a `Set` (their entries are not fields, so every one would key as `{}`) or an instance
 * whose prototypes define getters (`get content()`: providers read them, JSON and this key would
 * not, and `new Msg('cats')` and `new Msg('dogs')` shared a key). Private fields read only by
 * methods cannot be seen from outside: an instance with no other field is refused by
 * `instanceKeys`; one with public fields too is keyed by those.
 */
function keyedByMembers(object: object): boolean {
  if (isMap(object) || isSet(object) || isWeakMap(object) || isWeakSet(object)) return false;
  return !someInheritedField(object, (_, field) => typeof field.get === 'function');
}

function encodeMembers(
  object: Record<string, unknown>,
  depth: number,
  keys: string[] = Object.keys(object),
): string {
  sortKeys(keys);
  let out = '{';
  let i = 0;
  try {
    for (; i < keys.length; i++) {
      const key = keys[i]!;
      const item = object[key];
      if (skipped(item)) continue;
      out += keyToken(key) + encodeValue(item, depth);
    }
  } catch (error) {
    if (error instanceof UnkeyableError) error.path.unshift(keys[i]!);
    throw error;
  }
  return out + '}';
}

/** The `<length>:<key>` token of an object key, as written (not remembered). */
export function keyTokenOf(key: string): string {
  return key.length + ':' + key;
}

/** The `<length>:<key>` token of an object key: one lookup rather than three concatenations. */
const keyToken = nameMemo(keyTokenOf, 1024);

/**
 * The name of a typed array's kind (`Uint8Array`, `Float32Array`...; `undefined` for a
 * `DataView`), read from the engine's own slot so a subclass cannot disguise it. `Buffer` is a
 * `Uint8Array`.
 */
const typedArrayName = Object.getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype),
  Symbol.toStringTag,
)!.get! as (this: unknown) => string | undefined;

function encodeBytes(
  kind: string,
  buffer: ArrayBufferLike,
  offset: number,
  length: number,
): string {
  const text = Buffer.from(buffer, offset, length).toString('base64');
  return 'u' + kind + ':' + text.length + ':' + text;
}

/**
 * Encodes the top level of a request. `topToken` gives each member's key token
 * ({@link keyTokenOf}), or `''` for a member left out: one lookup a member decides both. Only the
 * top level is filtered: deeper members (a tool schema property called `password`) can change the
 * answer and are kept.
 */
export function encodeTopLevel(
  request: Record<string, unknown>,
  topToken: (key: string) => string,
): string {
  let object = request;
  if (typeof request.toJSON === 'function') {
    // Called once, with the key JSON.stringify gives the top level; what it returns is the request.
    const json: unknown = request.toJSON('');
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      return encodeValue(json, 1);
    }
    object = json as Record<string, unknown>;
  }
  const proto = Object.getPrototypeOf(object);
  let keys: string[];
  if (proto !== Object.prototype && proto !== null) {
    const special = specialToken(object);
    if (special !== undefined) return special;
    keys = instanceKeys(object);
  } else keys = Object.keys(object);
  sortKeys(keys);
  let out = '{';
  let i = 0;
  try {
    for (; i < keys.length; i++) {
      const key = keys[i]!;
      const token = topToken(key);
      if (token === '') continue;
      const item = object[key];
      if (skipped(item)) continue;
      out += token + encodeValue(item, 1);
    }
  } catch (error) {
    if (error instanceof UnkeyableError) error.path.unshift(keys[i]!);
    throw error;
  }
  return out + '}';
}
