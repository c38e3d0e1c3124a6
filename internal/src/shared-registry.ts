import { fail, isPlainObject, REDACTED } from './args';
import { hideSecretShapes } from './secret-text';
import { isWellFormed } from './well-formed';

/** One named instance and the options it was created with. */
interface Entry {
  readonly instance: object;
  readonly options: unknown;
}

/**
 * The registry of one package: kind (`breaker`, `rate-limiter`...) → name → entry. Every copy
 * and version of a package in the process reads this shape from `globalThis`: never change it.
 */
type Registry = Map<string, Map<string, Entry>>;

/** The longest name: a label, not a document. */
const MAX_NAME = 200;
/** `user:password@` in a URL, or bare: a password written into a name. */
const URL_CREDENTIALS = /^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]*@|[^\s/:@]+:[^\s/@]+@[^\s/@]/i;
/**
 * What API keys and tokens look like: `sk-...` (OpenAI, Anthropic, Stripe), `Bearer ...`, or 32
 * letters and digits in a row (hex, base64), which no label has. Kept beside
 * {@link hideSecretShapes}, which finds the shapes whose runs `-` or `_` break (a Google API key
 * `AIza...`, a base64url token, a Slack `xoxb-...` token) but not a run of letters alone.
 */
const KEY_LIKE = /\b(?:sk|pk|rk)-[A-Za-z0-9_-]{16,}|\bbearer\s|[A-Za-z0-9+]{32,}/i;
/**
 * A run of 32 or more that `/` breaks: base64's `/`, or a resource path's
 * (`locations/us-central1/publishers/google/models/...`), which is a label.
 */
const SLASHED_RUN = /[A-Za-z0-9+]*\/[A-Za-z0-9+/]*/g;

/**
 * Whether a run broken by `/` is base64 (an AWS secret key `wJalrXUtnFEMI/K7MDENG/...`): 32 or
 * more characters mixing upper and lower case letters and digits, and no part between slashes a
 * lowercase word of 3 or more (`models`, `central1`), which a path has and random base64 seldom.
 */
function slashedKey(name: string): boolean {
  for (const run of name.match(SLASHED_RUN) ?? []) {
    if (run.length < 32 || !/[A-Z]/.test(run) || !/[a-z]/.test(run) || !/\d/.test(run)) continue;
    if (!run.split('/').some((part) => /^[a-z][a-z0-9]{2,}$/.test(part))) return true;
  }
  return false;
}

/**
 * Whether `name` holds a credential's shape. The secret-shape detection of option errors is the
 * one copy of that heuristic: whatever it would hide from an error is refused as a name. A UUID
 * is a label (an id, not a secret: runs of 8, 4 and 12); 16 or more letters and digits in a
 * row, mixing both, are not.
 */
function holdsCredential(name: string): boolean {
  return (
    URL_CREDENTIALS.test(name) ||
    KEY_LIKE.test(name) ||
    slashedKey(name) ||
    hideSecretShapes(name) !== name
  );
}

/** The credentials no id looks like: an `sk-...` key (and `pk-`, `rk-`), `Bearer ...`. */
const NAMED_KEY = /\b(?:sk|pk|rk)-[A-Za-z0-9_-]{16,}|\bbearer\s/i;

/**
 * Whether a label that may hold ids (a tenant's, a user's: a Mongo ObjectId, a UUID without its
 * dashes, a hash) holds a credential: a URL with a password, or a key named as one. A long run of
 * letters and digits is an id there, not a secret.
 */
function holdsNamedCredential(name: string): boolean {
  return URL_CREDENTIALS.test(name) || NAMED_KEY.test(name);
}

/** A control character (a newline would split a log line). */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 32) return true;
  return false;
}

function registryOf(pkg: string): Registry {
  const key = Symbol.for(`x.${pkg}.shared`);
  const global = globalThis as { [key: symbol]: Registry | undefined };
  let registry = global[key];
  if (registry === undefined) {
    registry = new Map();
    global[key] = registry;
  }
  return registry;
}

function namesOf(pkg: string, kind: string): Map<string, Entry> {
  const registry = registryOf(pkg);
  let names = registry.get(kind);
  if (names === undefined) {
    names = new Map();
    registry.set(kind, names);
  }
  return names;
}

/**
 * Checks the name of a shared instance: a non-empty label of at most 200 characters that holds
 * no credential (a URL with a password, something shaped like an API key or token, see
 * {@link holdsCredential}). Names appear in
 * errors, events and metrics labels, so a name is never derived from a key.
 */
export function expectSharedName(
  name: unknown,
  field = 'name',
  holds: (name: string) => boolean = holdsCredential,
): string {
  if (typeof name !== 'string') fail(field, 'a non-empty string (a label)', name);
  // A lone surrogate is written out as U+FFFD (a metrics label, a Redis key, a log line): two
  // names told apart only by one would become one there.
  if (name.length === 0 || name.length > MAX_NAME || hasControl(name) || !isWellFormed(name)) {
    fail(field, `a label of 1 to ${MAX_NAME} printable characters`, name, true);
  }
  if (holds(name)) {
    // Never shown: it looks like a secret.
    fail(
      field,
      'a label without credentials (never a URL with a password, never derived from a key)',
      REDACTED,
      true,
    );
  }
  return name;
}

/**
 * Checks a label written into storage keys beside ids (a Redis prefix, a bucket's or a rate
 * limit's key), as {@link expectSharedName} does a name, but taking ids: a long run of letters and
 * digits (`tenant:507f1f77bcf86cd799439011`) is one. A URL with a password, an `sk-...` key and
 * `Bearer ...` are still refused, never shown.
 */
export function expectKeyLabel(name: unknown, field: string): string {
  return expectSharedName(name, field, holdsNamedCredential);
}

/**
 * The first key path where two option values differ, or undefined when they are equal: plain
 * objects and arrays key by key, numbers by value (0 and -0 alike, NaN equal to NaN), anything
 * else (functions, stores, clients) by identity.
 */
export function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  // `===` but NaN equals NaN; 0 and -0 are one setting (`maxQueue: -0` is no other option).
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return undefined;
  const bothArrays = Array.isArray(a) && Array.isArray(b);
  if (!bothArrays && !(isPlainObject(a) && isPlainObject(b))) return path || '(options)';
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  for (const key of keys) {
    const found = firstDifference(left[key], right[key], path === '' ? key : `${path}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * A process-wide named instance: the one registered under `name` for this package and kind, or
 * a new one made by `create(options)` and registered. Kept on `globalThis` under
 * `Symbol.for('x.<pkg>.shared')`, so two copies of the package in one process share it.
 *
 * Asked without options, it is the existing one as it is (created with `{}` when there is none).
 * Asked with options, they must equal, key by key (functions and instances by identity), those
 * it was created with: otherwise they are checked (`check`: a typo is the option error it would be
 * on a first ask, naming the closest key, not a difference), then a `RangeError` names the first
 * option that differs.
 *
 * `closes: true` wraps the instance's `close()` so that closing it also takes it out of the
 * registry (the next ask creates a fresh one); otherwise use {@link releaseShared}.
 */
export function sharedInstance<T extends object>(init: {
  pkg: string;
  kind: string;
  /** How the error names it: `shared breaker`. */
  label: string;
  name: unknown;
  options: unknown;
  create: (options: unknown) => T;
  /** Throws the option error `create` would throw for `options`, creating nothing. */
  check: (options: unknown) => void;
  closes: boolean;
}): T {
  const name = expectSharedName(init.name);
  if (init.options !== undefined && !isPlainObject(init.options)) {
    fail('options', 'an object of options, or undefined', init.options);
  }
  const names = namesOf(init.pkg, init.kind);
  const existing = names.get(name);
  if (existing !== undefined) {
    if (init.options !== undefined) {
      const differs = firstDifference(existing.options, init.options);
      if (differs !== undefined) {
        init.check(init.options);
        throw new RangeError(
          `The ${init.label} "${name}" already exists with other options (\`${differs}\` differs): ` +
            'ask with the options it was created with, or with none to use it as it is',
        );
      }
    }
    return existing.instance as T;
  }
  const options = init.options ?? {};
  const instance = init.create(options);
  names.set(name, { instance, options });
  if (init.closes) unregisterOnClose(names, name, instance);
  return instance;
}

/** Wraps `close()` so that closing the instance also releases its name. */
function unregisterOnClose(names: Map<string, Entry>, name: string, instance: object): void {
  const target = instance as { close?: ((...args: unknown[]) => unknown) | undefined };
  const close = target.close;
  if (typeof close !== 'function') return;
  Object.defineProperty(instance, 'close', {
    configurable: true,
    writable: true,
    enumerable: false,
    value(this: unknown, ...args: unknown[]) {
      if (names.get(name)?.instance === instance) names.delete(name);
      return close.apply(this, args);
    },
  });
}

/**
 * Takes `name` out of the registry (only if it still holds `instance`, when given); the
 * instance itself is left as it is. True when something was released.
 */
export function releaseShared(
  pkg: string,
  kind: string,
  name: unknown,
  instance?: object,
): boolean {
  if (typeof name !== 'string') return false;
  const names = registryOf(pkg).get(kind);
  const entry = names?.get(name);
  if (entry === undefined || (instance !== undefined && entry.instance !== instance)) return false;
  names!.delete(name);
  return true;
}
