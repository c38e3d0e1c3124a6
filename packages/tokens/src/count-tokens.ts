import { expectKnownKeys, expectString, fail, isPlainObject } from '@x/internal';
import { encodingForModel, getCounter } from './encodings';
import { NoExactTokenizerError } from './errors';
import { type CountTokensOptions, expectEncoding, KEYS } from './options';
import type { EncodingName } from './types';

/**
 * Throws for an unknown key. `countTokens` is the hot path: a `for...in` over the (usually one
 * or two) keys allocates nothing; the message is built only when a key is unknown.
 */
function checkKeys(options: CountTokensOptions): void {
  for (const key in options) {
    if (key !== 'model' && key !== 'encoding' && key !== 'allowSpecial') {
      expectKnownKeys(undefined, options, KEYS.countTokens);
    }
  }
}

/** @internal Resolves `{ model } | { encoding }` to an encoding, validating both. */
export function resolveEncoding(options: CountTokensOptions | undefined): EncodingName {
  if (options === undefined) return 'o200k_base';
  // A plain object, as `estimateTokens` takes: a Map (or a class instance) holding `model` would
  // have it ignored, and the text counted with the default encoding. An object literal is told
  // by the `constructor` it inherits, at this site's own inline cache: `isPlainObject` alone (a
  // call of `Object.getPrototypeOf` on a shape the compiler does not know) timed 7-10 ns more
  // on a ~75 ns count of a short text, beside the build without it; this, 0-2 ns. Anything else
  // gets the full check.
  if (
    typeof options !== 'object' ||
    options === null ||
    (options.constructor === Object ? Array.isArray(options) : !isPlainObject(options))
  ) {
    fail('options', 'an object', options);
  }
  checkKeys(options);
  const { model, encoding, allowSpecial } = options;
  if (allowSpecial !== undefined && typeof allowSpecial !== 'boolean') {
    fail('allowSpecial', 'a boolean', allowSpecial);
  }
  if (model !== undefined && encoding !== undefined) {
    throw new TypeError('Expected either `model` or `encoding`, got both');
  }
  if (model !== undefined) {
    const name = expectString('model', model, true);
    const found = encodingForModel(name);
    if (found === undefined) throw new NoExactTokenizerError(name);
    return found;
  }
  if (encoding !== undefined) {
    expectEncoding(encoding);
    return encoding;
  }
  return 'o200k_base';
}

/**
 * Counts the tokens of a text exactly, with OpenAI's tiktoken encodings (js-tiktoken's rank
 * data): identical to tiktoken's `encode_ordinary(text).length`, and to js-tiktoken's
 * `encode(text, [], []).length` but for text holding U+0085 or U+FEFF, which JavaScript's `\s`
 * reads otherwise than tiktoken's Rust one. The encoding loads lazily on first use.
 *
 * @param text the text to count.
 * @param options `{ model }` or `{ encoding }` (default `o200k_base`), and `allowSpecial`.
 * @throws {NoExactTokenizerError} for a model without a tiktoken encoding (use `estimateTokens`).
 * @throws {EncodingLoadError} when the encoding's rank file cannot be loaded: js-tiktoken (an
 * optional peer dependency) is not installed, or a bundled app needs `await loadEncoding()`.
 * @throws {TypeError} for a non-string text, options that are not a plain object or have an
 * unknown key, or both `model` and `encoding`.
 * @example
 * countTokens('tiktoken is great!', { model: 'gpt-4o' }) // 6
 */
export function countTokens(text: string, options?: CountTokensOptions): number {
  if (typeof text !== 'string') fail('text', 'a string', text);
  const encoding = resolveEncoding(options);
  return getCounter(encoding).count(text, options?.allowSpecial === true);
}
