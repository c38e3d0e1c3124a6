import { hideSecretShapes } from './secret-text';

/**
 * Where an argument error keeps its message as parts: text, option path, text, path, ..., text
 * (odd indices are paths). A package that hands a user's nested options to another package's
 * factory re-raises the error with the parent's name in front of every path (`cache.maxEntries`)
 * without knowing how the message was worded. A `Symbol.for` key holding plain strings, not a
 * class of ours: each package inlines its own copy of these helpers, so `instanceof` would not
 * hold between two packages, and strings read the same in every copy and version.
 */
const MESSAGE_PARTS = Symbol.for('@x/internal/option-message');

/** An argument error's message: text, path, text, path, ..., text. */
export type MessageParts = readonly string[];

/**
 * The house argument error (a `RangeError` when `range`: right type, wrong value), carrying its
 * message parts under a non-enumerable key so it prints and serialises as a plain error.
 */
export function optionError(parts: MessageParts, range = false): TypeError | RangeError {
  // An option path may hold a name the user wrote: a key pasted as a model name in
  // `contextWindows`, an unknown option named after one.
  parts = parts.map((part, i) => (i % 2 === 1 ? hideSecretShapes(part) : part));
  const message = parts.join('');
  const error = range ? new RangeError(message) : new TypeError(message);
  Object.defineProperty(error, MESSAGE_PARTS, { value: Object.freeze([...parts]) });
  return error;
}

/**
 * The message parts of a house argument error (see {@link optionError}), from whichever copy of
 * these helpers built it; `undefined` for any other error, or one whose parts are malformed or no
 * longer match its message.
 */
export function messageParts(error: unknown): MessageParts | undefined {
  if (!(error instanceof TypeError || error instanceof RangeError)) return undefined;
  const parts: unknown = Reflect.get(error, MESSAGE_PARTS);
  if (!Array.isArray(parts) || parts.length % 2 === 0) return undefined;
  if (!parts.every((part) => typeof part === 'string')) return undefined;
  // A message rewritten after the throw no longer matches its parts: re-raising from the parts
  // would lose the rewrite.
  return parts.join('') === error.message ? parts : undefined;
}

/**
 * Runs `build` (another package's factory given the options found under `prefix`) and re-raises
 * its argument errors with `prefix.` in front of every option path they name: ``Unknown option
 * `cache.maxEntires`: did you mean `cache.maxEntries`?``. The class (`TypeError`/`RangeError`) and
 * the rest of the message stay; any other error passes through untouched.
 */
export function withOptionPath<T>(prefix: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    const parts = messageParts(error);
    if (parts === undefined) throw error;
    const renamed = parts.map((part, i) => (i % 2 === 1 ? `${prefix}.${part}` : part));
    const outer = optionError(renamed, error instanceof RangeError);
    // Keep the frames of the check that refused the value, under the new message.
    const { stack } = error as Error;
    const head = `${(error as Error).name}: ${(error as Error).message}`;
    if (typeof stack === 'string' && stack.startsWith(head)) {
      outer.stack = `${outer.name}: ${outer.message}${stack.slice(head.length)}`;
    }
    throw outer;
  }
}
