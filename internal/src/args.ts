import { describe, expectedParts, typeName } from './describe';
import { type MessageParts, optionError } from './option-error';
import { REDACTED } from './redacted';
import { hideSecretShapes } from './secret-text';
import { MAX_TIMER_MS } from './timers';
import { isJsonRecord } from './value-kind';

export { REDACTED };

/**
 * Throws the argument error for a wrong Redis client (or the options that should hold one)
 * without echoing a credential: a string is shown only when it is a `redis://` URL with no
 * userinfo, no query and nothing shaped like a key (one with a password stays `[redacted]`), and
 * says how to make a client of it; an object may hold a password in its options. `what` names
 * what was expected (`a Redis client with eval() (ioredis 5)`).
 */
export function failRedisClient(name: string, what: string, value: unknown): never {
  let shown: string;
  if (typeof value === 'string') {
    // A URL is the common mistake (the URL ioredis takes, given to us instead of the client):
    // the type alone would not say what to pass.
    shown = `${describe(plainRedisUrl(value) ? value : REDACTED)}: a URL is not a client; pass an ioredis client made from it, \`new Redis(url)\``;
  } else if (typeof value === 'object' && value !== null) shown = 'an object without it';
  else if (typeof value === 'function') shown = 'a function without it';
  else shown = describe(value);
  throw optionError(['Expected `', name, `\` to be ${what}, got ${shown}`]);
}

/** A Redis URL that holds no credential: no userinfo, query or fragment, nothing key-shaped. */
function plainRedisUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return (
    (url.protocol === 'redis:' || url.protocol === 'rediss:') &&
    url.username === '' &&
    url.password === '' &&
    url.search === '' &&
    url.hash === '' &&
    hideSecretShapes(text) === text
  );
}

/**
 * Throws the house argument error; a `RangeError` when `range` (right type, wrong value). It
 * carries `name` (and the options `what` names as parts: text, path, text...) as option paths,
 * so `withOptionPath` can re-raise it under a parent's name.
 */
export function fail(
  name: string,
  what: string | MessageParts,
  value: unknown,
  range = false,
): never {
  throw optionError(expectedParts(name, what, value), range);
}

/**
 * {@link fail} for a value that may hold a credential (an API key of the wrong shape): the
 * message names its type, never the value. A `RangeError` when `range` (a string of the right
 * type with a wrong value: empty, or a character no header may hold), else a `TypeError`.
 */
export function failSecret(name: string, what: string, value: unknown, range = false): never {
  throw optionError(
    ['Expected `', name, `\` to be ${what}, got \`${REDACTED}\` (${typeName(value)})`],
    range,
  );
}

/**
 * An object literal or `Object.create(null)`: not an array, a class instance or a function. An
 * object literal made in another realm (a `vm` context) is one too: its own fields are read and
 * sent as this realm's are (`isJsonRecord`).
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null || isJsonRecord(value);
}

/**
 * An options object ({@link isPlainObject}): an array, a `Map` or a class instance given where
 * options are expected is the house `TypeError` naming `name` (``Expected `tls` to be an object,
 * got `[]` (array)``), not options read as empty.
 */
export function expectPlainObject(
  name: string,
  value: unknown,
): asserts value is Record<string, unknown> {
  if (!isPlainObject(value)) fail(name, 'an object', value);
}

export interface NumberRange {
  /** Smallest accepted value. @default -Infinity */
  min?: number | undefined;
  /** Largest accepted value. @default Infinity */
  max?: number | undefined;
  /** `min` itself is refused. */
  exclusiveMin?: boolean | undefined;
  /** Only whole numbers. */
  integer?: boolean | undefined;
  /** `Infinity` is accepted (as "no limit"), whatever `max` says. */
  allowInfinity?: boolean | undefined;
}

/** Past this a bound only guards against absurd values: it is named only to a value beyond it. */
const HUGE = 1e15;

/**
 * A bound as a reader takes it in: `2^53 - 1` for the largest safe integer, three digits for
 * other huge ones (Ollama's float32 ceiling reads `3.4e+38`, not `3.4028234663852886e+38`).
 */
function boundText(n: number): string {
  if (Math.abs(n) === Number.MAX_SAFE_INTEGER) return n < 0 ? '-(2^53 - 1)' : '2^53 - 1';
  return Math.abs(n) >= HUGE ? String(Number(n.toPrecision(3))) : String(n);
}

function rangeWords(range: NumberRange, value?: unknown): string {
  const kind = range.integer ? 'an integer' : 'a finite number';
  let { min, max } = range;
  if (max === Number.POSITIVE_INFINITY) max = undefined;
  // `-1` against a ceiling of 2^53 - 1 reads best as `>= 0`: the ceiling is no news to it.
  const beyond = typeof value === 'number' && Number.isFinite(value);
  if (max !== undefined && max >= HUGE && !(beyond && (value as number) > max)) max = undefined;
  if (min !== undefined && min <= -HUGE && !(beyond && (value as number) < min)) min = undefined;
  let words: string;
  if (min !== undefined && max !== undefined) {
    words = `${kind} between ${boundText(min)}${range.exclusiveMin ? ' (excluded)' : ''} and ${boundText(max)}`;
  } else if (min !== undefined) {
    words = `${kind} ${range.exclusiveMin ? '>' : '>='} ${boundText(min)}`;
  } else if (max !== undefined) words = `${kind} <= ${boundText(max)}`;
  else words = kind;
  return range.allowInfinity ? `${words}, or Infinity` : words;
}

/**
 * Checks a number: a `TypeError` when it is not a number at all, a `RangeError` when it is out of
 * range (NaN and the infinities included, unless `allowInfinity`). Returns the value.
 */
export function expectNumber(name: string, value: unknown, range: NumberRange = {}): number {
  if (typeof value !== 'number') fail(name, rangeWords(range), value);
  if (range.allowInfinity && value === Number.POSITIVE_INFINITY) return value;
  const { min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY } = range;
  const below = range.exclusiveMin ? value <= min : value < min;
  if (
    !Number.isFinite(value) ||
    below ||
    value > max ||
    (range.integer === true && !Number.isInteger(value))
  ) {
    fail(name, rangeWords(range, value), value, true);
  }
  return value;
}

/** {@link expectNumber} for an optional value: `undefined` passes through. */
export function optionalNumber(
  name: string,
  value: unknown,
  range: NumberRange = {},
): number | undefined {
  return value === undefined ? undefined : expectNumber(name, value, range);
}

/**
 * A duration in milliseconds that a timer will wait: at most {@link MAX_TIMER_MS}, because Node
 * fires a longer timer after 1 ms. `min` defaults to 0.
 */
export function expectDuration(
  name: string,
  value: unknown,
  range: Omit<NumberRange, 'max'> = {},
): number {
  return expectNumber(name, value, { min: 0, ...range, max: MAX_TIMER_MS });
}

/** {@link expectDuration} for an optional value. */
export function optionalDuration(
  name: string,
  value: unknown,
  range: Omit<NumberRange, 'max'> = {},
): number | undefined {
  return value === undefined ? undefined : expectDuration(name, value, range);
}

/**
 * True for an empty or whitespace-only string. A string that starts with a printable ASCII
 * character other than a space is not blank, which needs no `trim()`: checked per request.
 */
export function isBlank(value: string): boolean {
  const first = value.charCodeAt(0);
  return !(first > 0x20 && first < 0x7f) && value.trim().length === 0;
}

export function expectString(name: string, value: unknown, nonEmpty = false): string {
  if (typeof value !== 'string') fail(name, nonEmpty ? 'a non-empty string' : 'a string', value);
  if (nonEmpty && isBlank(value)) fail(name, 'a non-empty string', value, true);
  return value;
}

export function optionalString(name: string, value: unknown, nonEmpty = false): string | undefined {
  return value === undefined ? undefined : expectString(name, value, nonEmpty);
}

export function optionalBoolean(name: string, value: unknown): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') fail(name, 'a boolean', value);
  return value;
}

export function optionalFunction<F extends Function>(name: string, value: unknown): F | undefined {
  if (value !== undefined && typeof value !== 'function') fail(name, 'a function', value);
  return value as F | undefined;
}

export function expectFunction<F>(name: string, value: unknown): F {
  if (typeof value !== 'function') fail(name, 'a function', value);
  return value as F;
}

/** True for an `AbortSignal` (or a look-alike from another realm). */
export function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AbortSignal).aborted === 'boolean' &&
    typeof (value as AbortSignal).addEventListener === 'function'
  );
}

export function optionalSignal(name: string, value: unknown): AbortSignal | undefined {
  if (value !== undefined && !isAbortSignal(value)) fail(name, 'an AbortSignal', value);
  return value as AbortSignal | undefined;
}

/**
 * One of a fixed set of strings; the message lists them. Another string is a RangeError (right
 * type, wrong value), anything else a TypeError, as for numbers out of range.
 */
export function expectOneOf<T extends string>(
  name: string,
  value: unknown,
  choices: readonly T[],
): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    const expected = `one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`;
    fail(name, expected, value, typeof value === 'string');
  }
  return value as T;
}
