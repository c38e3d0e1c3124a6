import { encodingForModel, getCounter } from './encodings';
import { NoExactTokenizerError } from './errors';
import { type CountTokensOptions, describe, expectEncoding, expectString } from './options';
import type { EncodingName } from './types';

/** @internal Resolves `{ model } | { encoding }` to an encoding, validating both. */
export function resolveEncoding(options: CountTokensOptions | undefined): EncodingName {
  if (options === undefined) return 'o200k_base';
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`Expected \`options\` to be an object, got ${describe(options)}`);
  }
  const { model, encoding } = options;
  if (model !== undefined && encoding !== undefined) {
    throw new TypeError('Expected either `model` or `encoding`, got both');
  }
  if (model !== undefined) {
    expectString('model', model);
    const found = encodingForModel(model);
    if (found === undefined) throw new NoExactTokenizerError(model);
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
 * data; identical to `encode(text).length`). The encoding loads lazily on first use.
 *
 * @param text the text to count.
 * @param options `{ model }` or `{ encoding }` (default `o200k_base`), and `allowSpecial`.
 * @throws {NoExactTokenizerError} for a model without a tiktoken encoding (use `estimateTokens`).
 * @throws {EncodingLoadError} when the encoding's rank file cannot be loaded.
 * @example
 * countTokens('tiktoken is great!', { model: 'gpt-4o' }) // 6
 */
export function countTokens(text: string, options?: CountTokensOptions): number {
  if (typeof text !== 'string') {
    throw new TypeError(`Expected \`text\` to be a string, got ${describe(text)}`);
  }
  const encoding = resolveEncoding(options);
  return getCounter(encoding).count(text, options?.allowSpecial === true);
}
