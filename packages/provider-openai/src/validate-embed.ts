import { expectKnownKeys, expectOneOf, fail, optionalSignal, optionalString } from '@x/internal';
import {
  expectModelName,
  expectPlainArgument,
  optionalCacheMode,
  optionalNumberIn,
} from '@x/provider-core';
import type { EmbedRequest } from './types';

/** The top-level fields `embed()` takes. */
export const EMBED_KEYS = [
  'model',
  'input',
  'dimensions',
  'encodingFormat',
  'user',
  'signal',
  'cache',
] as const;

/**
 * True when `test` holds for every index of `list`. Read by index, not with `every`: `every`
 * skips an array's holes, and a hole is sent as `null` (`[1, , 3]` would pass as token ids).
 */
function everyIndex(list: readonly unknown[], test: (item: unknown) => boolean): boolean {
  for (let i = 0; i < list.length; i++) if (!test(list[i])) return false;
  return true;
}

const isTokenId = (token: unknown) => Number.isSafeInteger(token) && (token as number) >= 0;
const isTokens = (input: unknown) =>
  Array.isArray(input) && input.length > 0 && everyIndex(input, isTokenId);
const isNumbers = (input: unknown) =>
  Array.isArray(input) && everyIndex(input, (token) => typeof token === 'number');

/** Embeddings input: a text, texts, one input's token ids or several inputs'. */
function isEmbedInput(input: unknown): boolean {
  if (typeof input === 'string') return true;
  if (!Array.isArray(input) || input.length === 0) return false;
  const first: unknown = input[0];
  if (typeof first === 'string') return everyIndex(input, (text) => typeof text === 'string');
  return Array.isArray(first) ? everyIndex(input, isTokens) : isTokens(input);
}

/**
 * True for refused input of the right type: an empty array, or arrays of numbers of which one is
 * negative, fractional or too large (or one of them empty): a `RangeError`, where a mix of types
 * (a hole or `undefined` among them) is a `TypeError`.
 */
function isWrongTokens(input: unknown): boolean {
  if (!Array.isArray(input)) return false;
  return input.length === 0 || isNumbers(input) || everyIndex(input, isNumbers);
}

/** Validates an embeddings request; throws TypeError/RangeError before anything is sent. */
export function validateEmbedRequest(request: unknown): asserts request is EmbedRequest {
  expectPlainArgument('request', request, 'with `model` and `input`');
  const r = request;
  expectKnownKeys('request', r, EMBED_KEYS);
  expectModelName('request.model', r.model, 'gpt-4o-mini');
  if (!isEmbedInput(r.input)) {
    fail(
      'request.input',
      'a string, a non-empty array of strings, or token ids (a non-empty array of non-negative integers, or a non-empty array of such arrays)',
      r.input,
      isWrongTokens(r.input),
    );
  }
  // A safe integer: past 2^53 a number is no exact count, and JSON may write it as `1e+300`.
  optionalNumberIn('request.dimensions', r.dimensions, 1, Number.MAX_SAFE_INTEGER, true);
  if (r.encodingFormat !== undefined) {
    expectOneOf('request.encodingFormat', r.encodingFormat, ['float', 'base64']);
  }
  optionalString('request.user', r.user);
  optionalSignal('request.signal', r.signal);
  optionalCacheMode('request.cache', r.cache);
}
