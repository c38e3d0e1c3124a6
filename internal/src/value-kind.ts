import {
  isAnyArrayBuffer,
  isArrayBufferView,
  isMap,
  isSet,
  isSharedArrayBuffer,
  isTypedArray,
} from 'node:util/types';
import { hideSecretShapes } from './secret-text';

/**
 * An object `JSON.stringify` writes by its own enumerable fields: its prototype is null or an
 * `Object.prototype`, this realm's or another's (an object made in a `vm` context), which is the
 * root of its chain and has a `constructor` pointing back at it. May throw (a Proxy's trap).
 */
export function isJsonRecord(value: object): boolean {
  if (Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return true;
  if (Object.getPrototypeOf(proto) !== null) return false;
  const ctor = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value as
    | { prototype?: unknown; name?: unknown }
    | undefined;
  return typeof ctor === 'function' && ctor.prototype === proto && ctor.name === 'Object';
}

/** `an` before a vowel sound as these names start (`an ArrayBuffer`, `a Uint8Array`). */
function article(name: string): string {
  return /^[AEIOaeio]/.test(name) ? `an ${name}` : `a ${name}`;
}

/** A constructor name shown only when it reads as one (a name is user text: no spaces, no codes). */
const CLASS_NAME = /^[A-Za-z_$][\w$]{0,63}$/;

/** `[object Tag]`'s tag, read by the engine's rule (a Proxy's trap may throw). */
function tagOf(value: object): string {
  return Object.prototype.toString.call(value).slice(8, -1);
}

function count(value: unknown, unit: string): string {
  return typeof value === 'number' ? ` (${value} ${unit})` : '';
}

/**
 * What an object is when its JSON would not show it (`{}` for a `Map`, every index of a typed
 * array): `a Uint8Array (4000000 bytes)`, `a Map (size 2)`, `a Blob (10 bytes)`, `a URL object`,
 * `a Message instance`. `undefined` for an array, a plain object, and one with a `toJSON` (a
 * `Date`) that writes it. Reads a few fields, never the contents, so it costs the same whatever
 * the size; never throws (`undefined` when the object cannot be read: a revoked Proxy).
 */
export function objectKind(value: object): string | undefined {
  try {
    if (isAnyArrayBuffer(value)) {
      const kind = isSharedArrayBuffer(value) ? 'SharedArrayBuffer' : 'ArrayBuffer';
      return `${article(kind)}${count(value.byteLength, 'bytes')}`;
    }
    if (isArrayBufferView(value)) {
      // The engine's own kind, so a subclass cannot disguise it; `Buffer` is a Uint8Array.
      const kind = isTypedArray(value) ? tagOf(value) : 'DataView';
      return `${article(kind)}${count(value.byteLength, 'bytes')}`;
    }
    if (isMap(value) || isSet(value)) {
      const kind = isMap(value) ? 'Map' : 'Set';
      const size: unknown = (value as Map<unknown, unknown>).size;
      return `${article(kind)}${typeof size === 'number' ? ` (size ${size})` : ''}`;
    }
    if (Array.isArray(value)) return undefined;
    const tag = tagOf(value);
    if (tag === 'Blob' || tag === 'File') {
      return `${article(tag)}${count((value as Blob).size, 'bytes')}`;
    }
    // A URL's `toJSON` writes its text, which reads as a string in a message that says a URL
    // object was not wanted (`expected a https: URL, got "https://..."`).
    if (tag === 'URL' || value instanceof URL) return 'a URL object';
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined;
    if (isJsonRecord(value)) return undefined;
    const ctor: unknown = (value as { constructor?: unknown }).constructor;
    const name = typeof ctor === 'function' ? ctor.name : undefined;
    if (typeof name === 'string' && CLASS_NAME.test(name) && hideSecretShapes(name) === name) {
      return `${article(name)} instance`;
    }
    return 'a class instance';
  } catch {
    return undefined;
  }
}
