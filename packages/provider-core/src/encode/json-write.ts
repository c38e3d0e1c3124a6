/**
 * Pieces for writing a request body as JSON text directly, the counterpart of
 * `decode/json-text.ts`. `JSON.stringify` of a short chat body runs V8's general serializer (on
 * Node 20 about 6,000 instructions a call, most of them checking every character of every key and
 * string); a provider that writes its few fixed keys itself and quotes only the strings costs a
 * third of that. Each function writes exactly what `JSON.stringify` writes for the same value.
 */
import { firstOfTwoKeys } from '@x/internal';

/** A character `JSON.stringify` would escape (`"`, `\`, a control) or a surrogate, lone or not. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the controls are what JSON escapes.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * `JSON.stringify(text)`. Most strings hold none of the characters above and are only quoted;
 * the others (and paired surrogates, which need no escape but are rare) go to `JSON.stringify`.
 */
export function jsonQuote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/**
 * `JSON.stringify(value)` for a value that is not `undefined` (a key with `undefined` is left out
 * by the caller, as `JSON.stringify` leaves it out of an object): strings, finite numbers and
 * booleans written here, anything else by `JSON.stringify`.
 */
export function jsonValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return jsonQuote(value);
    case 'number':
      // `String` and `JSON.stringify` print a finite number alike (`-0` as `0`); others are `null`.
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return JSON.stringify(value);
  }
}

/**
 * `JSON.stringify(object)` for an object the caller built (a wire body, its `options`): its keys
 * in order, each value through {@link jsonValue}, a `messages` array message by message
 * ({@link jsonMessage}), and the values `JSON.stringify` leaves out (`undefined`, functions,
 * symbols) left out. `tail` is more `,"key":value` text to end the object with (a streamed
 * call's `stream` fields), written without copying the object to add them.
 */
export function jsonObject(object: Readonly<Record<string, unknown>>, tail = ''): string {
  let out = '{';
  for (const key in object) {
    const value = object[key];
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    if (out.length > 1) out += ',';
    if (key === 'messages' && Array.isArray(value)) {
      out += '"messages":[';
      for (let i = 0; i < value.length; i++) {
        out += i === 0 ? jsonMessage(value[i]) : `,${jsonMessage(value[i])}`;
      }
      out += ']';
    } else out += `${jsonQuote(key)}:${jsonValue(value)}`;
  }
  // Without keys of its own, the object's text starts at the tail's first key.
  return out.length > 1 ? `${out}${tail}}` : `{${tail.slice(1)}}`;
}

/** The start of a message's JSON text: a known role is a constant, checked for nothing. */
function messageStart(role: string): string {
  switch (role) {
    case 'system':
      return '{"role":"system","content":';
    case 'user':
      return '{"role":"user","content":';
    case 'assistant':
      return '{"role":"assistant","content":';
    case 'tool':
      return '{"role":"tool","content":';
    default:
      return `{"role":${jsonQuote(role)},"content":`;
  }
}

/**
 * `JSON.stringify({ role, content })`: the common chat message, for a caller that has already
 * found its message to be just these two strings (and need not look at its keys again).
 */
export function jsonChatMessage(role: string, content: string): string {
  return `${messageStart(role)}${jsonQuote(content)}}`;
}

/**
 * `JSON.stringify(message)` for a chat message: the common one, exactly `{ role, content }` in
 * that order with two strings, written directly (most of a chat body's text is its messages);
 * any other given to `JSON.stringify`.
 */
export function jsonMessage(message: object): string {
  if (firstOfTwoKeys(message) !== 'role') return JSON.stringify(message);
  const { role, content } = message as { role?: unknown; content?: unknown };
  return typeof role === 'string' && typeof content === 'string'
    ? jsonChatMessage(role, content)
    : JSON.stringify(message);
}
