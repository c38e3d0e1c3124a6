import { hash } from 'node:crypto';
import {
  describe,
  hideSecretShapes,
  isWellFormed,
  optionalString,
  propertyPath,
} from '@x/internal';
import { CacheKeyError } from './errors';
import {
  CanonicalError,
  encodeTopLevel,
  keyTokenOf,
  NonFiniteNumberError,
  UnkeyableError,
} from './internal/canonical';
import { nameMemo } from './internal/name-memo';
import { checkNamespace, expectOptions } from './options';

/** Options of {@link cacheKey}. */
export interface CacheKeyOptions {
  /**
   * Prefix of the key, `<namespace>:<hash>`: separates caches (apps, prompt versions, tenants)
   * that share a store. Checked as `createCache()` checks its `namespace` (no credential, at most
   * 200 characters); `''` is no prefix.
   * @default undefined (no prefix)
   */
  namespace?: string | undefined;
}

const KEY_OPTION_KEYS = ['namespace'] as const satisfies readonly (keyof CacheKeyOptions)[];

/**
 * Top-level request members that cannot change the answer: transport and lifecycle settings.
 * `stream` is here on purpose: a streamed and a non-streamed call get the same answer.
 */
const TRANSPORT_FIELDS = new Set([
  'stream',
  'keep_alive',
  'keepAlive',
  'signal',
  'abortSignal',
  'headers',
  'timeout',
  'timeoutMs',
  'maxRetries',
  'retries',
  'cache',
  'onChunk',
]);

/** Secrets, compared lower-cased with `-` and `_` removed (`api_key`, `X-Api-Key`, `apiKey`...). */
const SECRET_FIELDS = new Set([
  'apikey',
  'xapikey',
  'authorization',
  'auth',
  'password',
  'secret',
  'clientsecret',
  'token',
  'accesstoken',
  'refreshtoken',
  'bearer',
  'bearertoken',
  'sessiontoken',
  'authtoken',
  'idtoken',
  'apitoken',
  'privatekey',
  'credentials',
  'cookie',
]);

const normalizedSecretName = /[-_]/g;

/** Whether a top-level request member is left out of the key (remembered by `topLevelToken`). */
export function isIgnoredField(name: string): boolean {
  return (
    TRANSPORT_FIELDS.has(name) ||
    SECRET_FIELDS.has(name.toLowerCase().replace(normalizedSecretName, ''))
  );
}

/**
 * A top-level member's key token, or `''` when the member is left out of the key: one lookup
 * decides both. Remembered by name: lower-casing and a regex replace cost ~25 ns a member, ~100 ns
 * of a ~1.5 µs key.
 */
const topLevelToken: (name: string) => string = nameMemo(
  (name) => (isIgnoredField(name) ? '' : keyTokenOf(name)),
  512,
);

/** Bumped when the encoding changes, so keys of two formats never meet. */
const FORMAT = 'xck1|';

/**
 * The cache key of a request: `[<namespace>:]<SHA-256 of the canonical request, base64url>`
 * (43 characters, 256 bits).
 *
 * - Deterministic and independent of the order of object keys, at every depth.
 * - Includes the model and every other member of the request (messages, prompt, system, `options`
 *   with every sampling parameter, `temperature`, `topP`, `seed`, `maxTokens`, `stop`, `format`,
 *   `tools`, `think`...), so a request that may get another answer gets another key; unknown
 *   members are included too, because a wrong hit is worse than a miss.
 * - Leaves out the top-level members that cannot change the answer (`stream`, `keep_alive`,
 *   `keepAlive`, `signal`, `abortSignal`, `headers`, `timeout`, `timeoutMs`, `maxRetries`,
 *   `retries`, `cache`, `onChunk`) and every top-level secret (`apiKey`, `api_key`,
 *   `authorization`, `password`, `token`, `cookie`, ...): a key never depends on a secret.
 * - `undefined`, functions and symbols are left out as `JSON.stringify` leaves them out.
 * - `NaN` and `Infinity` are refused: JSON would send them as `null` (a wrong hit).
 *
 * @throws {CacheKeyError} when `request` is not an object, is cyclic / nested deeper than 256, or
 * holds a non-finite number or an object the key cannot read.
 * @throws {TypeError} when `namespace` is not a string, or `options` is not a plain object or
 * has an unknown key.
 * @throws {RangeError} when `namespace` holds a credential (a URL with a password, a key's shape:
 * never shown) or is longer than 200 characters.
 * @example
 * ```ts
 * cacheKey({ model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }], options: { temperature: 0 } });
 * // => 'pX0kC...' (43 characters)
 * ```
 */
export function cacheKey(request: object, options?: CacheKeyOptions): string {
  expectOptions('options', options, KEY_OPTION_KEYS);
  const namespace = optionalString('namespace', options?.namespace);
  return keyIn(namespace ? checkedNamespace(namespace) : namespace, request);
}

/**
 * A namespace checked as `createCache()` checks one, remembered: a caller passes the same few
 * namespaces on every call, and the check's pattern tests would be paid per key.
 */
const checkedNamespace: (namespace: string) => string = nameMemo(checkNamespace, 64);

/** The key of a request under `namespace` (none when undefined or empty). */
export function keyIn(namespace: string | undefined, request: object): string {
  const digest = hashRequest(request);
  return namespace ? namespace + ':' + digest : digest;
}

/**
 * The key under `namespace` of an input of `get()`, `has()`, `set()`, `delete()` or `lookup()`
 * that is not a key (a string; the cache takes those as they are): a request's key.
 */
export function inputKey(namespace: string | undefined, input: unknown): string {
  // Named `input`, not `request`: these methods take a key too, which the message must not hide.
  expectRequest('input', input);
  return keyIn(namespace, input);
}

/**
 * What a non-object request was, in the house wording, except that a string is not echoed: it may
 * be a prompt or a key.
 */
function describeInput(value: unknown): string {
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  return describe(value);
}

/**
 * What the cache's methods accept, by parameter: `request` for those that take only a request
 * (`key`, `decide`, `getOrLoad`, `load`), `input` for those that also take a key (`get`, `set`...).
 */
const ACCEPTED = {
  request: 'an object',
  input: 'a request (an object) or a key (a string)',
} as const;

/** Throws `CacheKeyError` unless `value` can be a request: an object that is not an array. */
export function expectRequest(
  name: keyof typeof ACCEPTED,
  value: unknown,
): asserts value is object {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return;
  throw new CacheKeyError(
    `Expected \`${name}\` to be ${ACCEPTED[name]}, got ${describeInput(value)}`,
  );
}

/** What an object inside a request must be for its key to tell it from another. */
const KEYABLE =
  'data the key can read (a plain object, an array, bytes, an object with a toJSON method, or a class instance whose own fields are what it holds: no Map, no Set, no getters)';

/** What a number inside a request must be: JSON has no NaN or Infinity (it writes `null`). */
const FINITE =
  "a finite number (JSON writes NaN and Infinity as null: keyed so, they would share null's key)";

/**
 * Where in the request the error is, with a member name shaped like a credential (a key pasted
 * as a name: `{ 'sk-proj-...': 1 }`) shown as `[redacted]`: an error reaches logs.
 */
function shownPath(path: readonly (string | number)[]): string {
  return hideSecretShapes(propertyPath('request', path));
}

/** The 43-character digest of a request, without the namespace. */
export function hashRequest(request: object): string {
  expectRequest('request', request);
  let text: string;
  try {
    text = FORMAT + encodeTopLevel(request as Record<string, unknown>, topLevelToken);
  } catch (error) {
    if (error instanceof UnkeyableError) {
      throw new CacheKeyError(
        `Expected \`${shownPath(error.path)}\` to be ${error instanceof NonFiniteNumberError ? FINITE : KEYABLE}, got ${describe(error.value)}${error.hint}`,
        { cause: error },
      );
    }
    if (error instanceof CanonicalError || error instanceof RangeError) {
      throw new CacheKeyError('Expected `request` to be acyclic and nested at most 256 deep', {
        cause: error,
      });
    }
    throw error;
  }
  // UTF-8 would map every lone surrogate to U+FFFD and merge different strings; such (rare)
  // text is hashed as UTF-16 instead. One-byte strings answer isWellFormed() without a scan.
  return isWellFormed(text)
    ? hash('sha256', text, 'base64url')
    : hash('sha256', Buffer.from(text, 'utf16le'), 'base64url');
}
