import { fail, isPlainObject, optionalSignal } from './args';
import { expectKnownKeys } from './known-keys';

/** The keys of a call whose options hold nothing but a signal (`listModels()`, `hasBlob()`...). */
export const SIGNAL_KEYS = ['signal'] as const;

/**
 * The options argument of a call that takes no request (a provider's `health()`, `listModels()`,
 * Ollama's `modelInfo()`, `hasBlob()`, `initialize()`...), checked before
 * anything is sent: a misspelt key (`sigal`, `timeout`) would otherwise drop the caller's abort or
 * deadline without a word, and a `signal` that is not one would fail deep inside naming no option.
 * Left out is `{}`; `null`, an array or any other non-object is refused, never read as no options.
 * @throws {TypeError} naming `options`, the unknown key (with the closest known one) or
 * `options.signal`.
 */
export function callOptions<K extends string>(
  value: unknown,
  keys: readonly K[],
): { readonly [key in K]?: unknown } & { readonly signal?: AbortSignal | undefined } {
  if (value === undefined) return {};
  if (!isPlainObject(value)) fail('options', `an object like { ${keys.join(', ')} }`, value);
  expectKnownKeys('options', value, keys);
  optionalSignal('options.signal', value.signal);
  return value as { signal?: AbortSignal | undefined };
}
