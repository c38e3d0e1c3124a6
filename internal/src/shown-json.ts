import { REDACTED } from './redacted';
import { hideSecretShapes, SECRET_HEADER } from './secret-text';
import { objectKind } from './value-kind';

/**
 * How much of a string is looked at for credentials before it is shown: far more than a message
 * shows (60 characters), and more than any credential's length, so one that starts in the shown
 * part is still found whole; a longer text (a 4 MB prompt given to the wrong option) is not
 * scanned or copied past it.
 */
const SCANNED = 4096;

/** `text`, cut to {@link SCANNED} characters, without what looks like a credential. */
export function shownText(text: string): string {
  return hideSecretShapes(text.length > SCANNED ? text.slice(0, SCANNED) : text);
}

/**
 * An object's strings as an argument error shows them: a field named like a credential
 * (`apiKey`, `authorization`, `password`) never, any other string without what looks like one.
 * `JSON.stringify`'s replacer in {@link shownJson}, and the same rule in its careful reading.
 */
export function shownField(key: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return key !== '' && SECRET_HEADER.test(key) ? REDACTED : shownText(value);
}

/** What stands for a value that cannot be read: a getter or a Proxy trap threw. */
const UNREADABLE = '[unreadable]';

/** The text written so far, and when to stop: past `limit` characters nothing more is read. */
interface Out {
  parts: string[];
  length: number;
  limit: number;
}

function write(out: Out, text: string): void {
  out.parts.push(text);
  out.length += text.length;
}

/** `value.toJSON(key)` when it has one, as JSON.stringify calls it (which may throw). */
function jsonValue(value: unknown, key: string): unknown {
  if ((typeof value === 'object' && value !== null) || typeof value === 'bigint') {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return toJSON.call(value, key);
  }
  return value;
}

/**
 * Writes `value` as JSON.stringify would, with three differences that keep it from throwing: a
 * cycle is `[Circular]`, a BigInt `10n`, and a field that cannot be read `[unreadable]`. Throws,
 * having written nothing, when `raw` itself cannot be read. Returns false for what JSON leaves
 * out of an object (`undefined`, a function, a symbol).
 */
function writeValue(out: Out, key: string, raw: unknown, seen: object[]): boolean {
  // Named before its `toJSON` is called: a Buffer's writes every byte as a number.
  const kind = typeof raw === 'object' && raw !== null ? objectKind(raw) : undefined;
  if (kind !== undefined) {
    write(out, `[${kind}]`);
    return true;
  }
  const value = shownField(key, jsonValue(raw, key));
  switch (typeof value) {
    case 'string':
      write(out, JSON.stringify(value));
      return true;
    case 'number':
      write(out, Number.isFinite(value) ? String(value) : 'null');
      return true;
    case 'boolean':
      write(out, String(value));
      return true;
    case 'bigint':
      write(out, `${value}n`);
      return true;
    case 'object':
      if (value === null) write(out, 'null');
      else if (seen.includes(value)) write(out, '[Circular]');
      else writeObject(out, value, seen);
      return true;
    default:
      return false;
  }
}

function writeObject(out: Out, value: object, seen: object[]): void {
  // The two readings that may throw (a revoked Proxy, an `ownKeys` trap), before anything is
  // written: after them, a field that cannot be read is written `[unreadable]`.
  const array = Array.isArray(value);
  const keys = array ? [] : Object.keys(value);
  seen.push(value);
  write(out, array ? '[' : '{');
  const count = array ? lengthOf(value as unknown[]) : keys.length;
  let first = true;
  for (let i = 0; i < count && out.length <= out.limit; i++) {
    const key = array ? String(i) : (keys[i] as string);
    const mark = out.parts.length;
    const markLength = out.length;
    if (!first) write(out, ',');
    if (!array) write(out, `${JSON.stringify(shownText(key))}:`);
    let written: boolean;
    try {
      written = writeValue(out, key, (value as Record<string, unknown>)[key], seen);
    } catch {
      write(out, UNREADABLE);
      written = true;
    }
    if (written) first = false;
    else if (array) {
      write(out, 'null');
      first = false;
    } else {
      out.parts.length = mark;
      out.length = markLength;
    }
  }
  write(out, array ? ']' : '}');
  seen.pop();
}

function lengthOf(array: unknown[]): number {
  try {
    return array.length;
  } catch {
    return 0;
  }
}

/**
 * `value` written as `JSON.stringify(value, shownField)` would write it, except that an object
 * JSON would not show is named (`[a Map (size 2)]`, see `objectKind`), a cycle is `[Circular]`, a
 * BigInt `10n`, and a field that cannot be read `[unreadable]`; strings are cut (`shownText`).
 * Never throws, reads no further than about `limit` characters of output, and returns
 * `undefined` when the value itself cannot be read (a revoked Proxy, a `toJSON` that throws);
 * `[object Tag]` when JSON would write nothing for it (a `toJSON` that returns `undefined`).
 */
export function shownJson(value: unknown, limit: number): string | undefined {
  const out: Out = { parts: [], length: 0, limit };
  try {
    return writeValue(out, '', value, [])
      ? out.parts.join('')
      : Object.prototype.toString.call(value);
  } catch {
    return undefined;
  }
}
