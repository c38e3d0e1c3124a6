import {
  expectKnownKeys,
  expectLogger,
  expectNumber,
  expectOneOf,
  expectSharedName,
  expectString,
  fail,
  isPlainObject,
  type KeyAliases,
  optionalBoolean,
  optionalNumber,
  optionalSignal,
  PackageLog,
  toWellFormed,
} from '@x/internal';
import type { CacheCallOptions, CacheSetOptions } from './cache-api';
import { type CacheLogger, redactCacheLog } from './log';
import type { CacheStore } from './store';
import { CACHE_STRATEGIES, type CacheStrategy } from './strategy';

/**
 * A function that picks the TTL of an answer: a number of milliseconds (clamped to
 * [minTtlMs, maxTtlMs]), `undefined` to keep the strategy's TTL, or `false` to not store it.
 */
export type CacheTtlFunction = (request: object, response: unknown) => number | undefined | false;

/** Options of `createCache()`. */
export interface CacheOptions {
  /**
   * Most entries kept in memory; the least recently used go first.
   * @default 1000
   */
  maxEntries?: number | undefined;
  /**
   * Most bytes of values kept in memory, counted as stored: the compressed size of a compressed
   * value, else the UTF-8 length of its JSON text, plus the JSON size of the decoded copies kept
   * of compressed entries read again. The count never exceeds it, but it is not the memory the
   * cache takes: keys and per-entry bookkeeping are not counted, and an uncompressed value is
   * held as a parsed object (see the README's Behaviour notes, Bounds). A single value whose JSON
   * is larger than this is not stored (`skipped['too-large']`), so no read ever decodes more than
   * this many bytes.
   * @default 67108864 (64 MiB)
   */
  maxBytes?: number | undefined;
  /**
   * Which requests are cached and for how long: `'disabled'`, `'conservative'`, `'selective'`
   * or `'aggressive'` (see the strategy table).
   * @default 'selective'
   */
  strategy?: CacheStrategy | undefined;
  /**
   * Values whose JSON is larger than this many bytes are stored zlib-compressed (when that is
   * smaller). `Infinity` turns compression off.
   * @default 1024
   */
  compressAboveBytes?: number | undefined;
  /**
   * zlib compression level, 1 (fastest) to 9 (smallest).
   * @default 6
   */
  compressionLevel?: number | undefined;
  /**
   * Shortest TTL any entry gets.
   * @default 30000 (30 s)
   */
  minTtlMs?: number | undefined;
  /**
   * Longest TTL any entry gets, also one read from the store whatever expiry it carries. TTLs
   * feed no timer (expiry is checked when an entry is read), so they may exceed 2^31-1 ms.
   * @default 3600000 (1 h)
   */
  maxTtlMs?: number | undefined;
  /**
   * Read the clock at every expiry check. By default a check reuses a reading up to a
   * millisecond old (as lru-cache's `ttlResolution` does): on a virtual machine a clock read
   * costs as much as the rest of a hit, and an entry may then be served up to a millisecond past
   * its TTL, or as long past it as a synchronous run in progress that reads the cache (the
   * reading is renewed by a timer).
   * @default false
   */
  exactExpiry?: boolean | undefined;
  /**
   * Overrides the strategy's TTL per answer: return milliseconds (clamped to [minTtlMs,
   * maxTtlMs]), `undefined` to keep the strategy's TTL, or `false` to not store this answer.
   * A function, never a number: a fixed TTL for every entry is `minTtlMs` and `maxTtlMs` set to
   * the same number.
   * @default undefined
   */
  ttl?: CacheTtlFunction | undefined;
  /**
   * Prefix of every key (`<namespace>:<hash>`), to separate caches that share a store. A label,
   * as a `sharedCache` name is: at most 200 printable characters and no credential (a URL with
   * a password, something shaped like a key), which is a `RangeError` that never shows it.
   * @default undefined
   */
  namespace?: string | undefined;
  /**
   * A shared second tier behind the in-process LRU, for example `createRedisStore()` from
   * `@x/cache/redis`.
   * @default undefined (memory only)
   */
  store?: CacheStore | undefined;
  /**
   * pino, `console` or any {@link CacheLogger}: structured entries for store failures, corrupt
   * entries from the store, loader failures and evictions (see the README's Logging).
   * @default undefined (silent)
   */
  logger?: CacheLogger | undefined;
}

/** Options after defaults and validation. */
export interface ResolvedCacheOptions {
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly strategy: CacheStrategy;
  readonly compressAboveBytes: number;
  readonly compressionLevel: number;
  readonly minTtlMs: number;
  readonly maxTtlMs: number;
  readonly exactExpiry: boolean;
  readonly ttl: CacheTtlFunction | undefined;
  readonly namespace: string | undefined;
  readonly store: CacheStore | undefined;
  /** The cache's log (silent without a `logger`). */
  readonly log: PackageLog;
}

export const DEFAULTS = {
  maxEntries: 1000,
  maxBytes: 64 * 1024 * 1024,
  strategy: 'selective' as CacheStrategy,
  compressAboveBytes: 1024,
  compressionLevel: 6,
  minTtlMs: 30_000,
  maxTtlMs: 3_600_000,
};

/** The keys of {@link CacheOptions}, for the unknown-key check. */
const OPTION_KEYS = [
  'maxEntries',
  'maxBytes',
  'strategy',
  'compressAboveBytes',
  'compressionLevel',
  'minTtlMs',
  'maxTtlMs',
  'exactExpiry',
  'ttl',
  'namespace',
  'store',
  'logger',
] as const satisfies readonly (keyof CacheOptions)[];

/**
 * Option names users bring from lru-cache and similar caches, where `ttl` / `ttlMs` is a fixed
 * number of milliseconds: here that is `maxTtlMs` (the TTL of every entry the strategy keeps at
 * full length), and `ttl` is a function. `max` and `maxSize` are lru-cache's bounds.
 */
const OPTION_ALIASES: KeyAliases = {
  ttlMs: 'maxTtlMs',
  defaultTtlMs: 'maxTtlMs',
  max: 'maxEntries',
  maxSize: 'maxBytes',
};

/**
 * What `ttl` is, said to a user who gave it a number (lru-cache's `ttl` is one). The options it
 * names are parts, so a provider that passes its `cache` options here shows `cache.minTtlMs`.
 */
const TTL_FUNCTION = [
  'a function (request, response) => milliseconds | undefined | false (a fixed TTL is `',
  'minTtlMs',
  '` and `',
  'maxTtlMs',
  '` set to the same number)',
];

/**
 * Longest TTL: TTLs feed no timer here, but they travel to the store (`SET ... PX`) and into
 * float arithmetic, where integers stay exact up to 2^53 - 1.
 */
const MAX_TTL_MS = Number.MAX_SAFE_INTEGER;

/**
 * Checks that `options` is a plain object, when given, and that it has only known keys (`aliases`:
 * see {@link OPTION_ALIASES}).
 */
export function expectOptions(
  name: string,
  options: unknown,
  keys: readonly string[],
  aliases?: KeyAliases,
): void {
  if (options === undefined) return;
  // A plain object: an array or a Map holds its entries where no option is read.
  if (!isPlainObject(options)) fail(name, 'an object', options);
  expectKnownKeys(undefined, options, keys, aliases);
}

/**
 * A namespace starts every key the cache writes (in a Redis store too) and every key its events
 * show, so it is held to what a `sharedCache` name is held to: at most 200 printable characters
 * and no credential (a URL with a password, a key's shape), refused without showing it. A lone
 * surrogate is allowed, unlike in a name: a Redis store keeps such namespaces apart (see
 * `internal/redis-keys.ts`), so it is checked as the U+FFFD it would be written as.
 */
export function checkNamespace(namespace: string): string {
  expectSharedName(toWellFormed(namespace), 'namespace');
  return namespace;
}

function checkStore(store: unknown): CacheStore | undefined {
  if (store === undefined) return undefined;
  const candidate = store as Partial<Record<keyof CacheStore, unknown>> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.get !== 'function' ||
    typeof candidate.set !== 'function' ||
    typeof candidate.delete !== 'function'
  ) {
    fail('store', 'an object with get, set and delete methods', store);
  }
  if (candidate.lock !== undefined && typeof candidate.lock !== 'function') {
    fail('store.lock', 'a function', candidate.lock);
  }
  return store as CacheStore;
}

/**
 * Applies defaults and checks every option.
 * @throws {TypeError} when an option has the wrong type, or is unknown.
 * @throws {RangeError} when a number is out of range.
 */
export function resolveOptions(options: CacheOptions = {}): ResolvedCacheOptions {
  expectOptions('options', options, OPTION_KEYS, OPTION_ALIASES);
  // `undefined` is "not set" (the default); `null` is refused like any other wrong type, as
  // everywhere in the package (`exactExpiry: null`, `namespace: null`): never `?? DEFAULT`.
  const maxEntries =
    optionalNumber('maxEntries', options.maxEntries, { min: 1, integer: true }) ??
    DEFAULTS.maxEntries;
  const maxBytes =
    optionalNumber('maxBytes', options.maxBytes, { min: 1, integer: true, allowInfinity: true }) ??
    DEFAULTS.maxBytes;
  const strategy =
    options.strategy === undefined
      ? DEFAULTS.strategy
      : expectOneOf('strategy', options.strategy, CACHE_STRATEGIES);
  const compressAboveBytes =
    optionalNumber('compressAboveBytes', options.compressAboveBytes, {
      min: 0,
      integer: true,
      allowInfinity: true,
    }) ?? DEFAULTS.compressAboveBytes;
  const compressionLevel =
    optionalNumber('compressionLevel', options.compressionLevel, {
      min: 1,
      max: 9,
      integer: true,
    }) ?? DEFAULTS.compressionLevel;
  const ttlRange = { min: 1, max: MAX_TTL_MS, integer: true };
  const minTtlMs = optionalNumber('minTtlMs', options.minTtlMs, ttlRange) ?? DEFAULTS.minTtlMs;
  const maxTtlMs = optionalNumber('maxTtlMs', options.maxTtlMs, ttlRange) ?? DEFAULTS.maxTtlMs;
  if (maxTtlMs < minTtlMs) {
    // Name the bound: `maxTtlMs: 1000` alone (a fixed TTL, as `ttlMs` suggests) meets the
    // default `minTtlMs` of 30 s, and a bare "between 30000 and ..." does not say where it is.
    fail(
      'maxTtlMs',
      [
        'an integer >= `',
        'minTtlMs',
        `\` (${minTtlMs}); lower \``,
        'minTtlMs',
        '` too for a shorter TTL',
      ],
      maxTtlMs,
      true,
    );
  }
  const exactExpiry = optionalBoolean('exactExpiry', options.exactExpiry) ?? false;
  if (options.ttl !== undefined && typeof options.ttl !== 'function') {
    fail('ttl', TTL_FUNCTION, options.ttl);
  }
  const ttl = options.ttl;
  const namespace =
    options.namespace === undefined
      ? undefined
      : checkNamespace(expectString('namespace', options.namespace, true));
  const store = checkStore(options.store);
  return {
    maxEntries,
    maxBytes,
    strategy,
    compressAboveBytes,
    compressionLevel,
    minTtlMs,
    maxTtlMs,
    exactExpiry,
    ttl,
    namespace,
    store,
    log: new PackageLog('cache', expectLogger('logger', options.logger), {}, redactCacheLog),
  };
}

const CALL_OPTION_KEYS = ['signal'] as const satisfies readonly (keyof CacheCallOptions)[];
const SET_OPTION_KEYS = ['ttlMs'] as const satisfies readonly (keyof CacheSetOptions)[];

/** Checks the options of `lookup()`, `getOrLoad()` or `load()`; returns the signal. */
export function callSignal(options: CacheCallOptions | undefined): AbortSignal | undefined {
  if (options === undefined) return undefined;
  // Checked per lookup, so an object literal is told by the `constructor` it inherits, read at
  // this site's own inline cache: `expectOptions`' `isPlainObject` (a call of
  // `Object.getPrototypeOf` on a shape the compiler does not know) timed 9-18 ns more on a
  // ~150 ns hit. Anything else gets the full check.
  if (
    typeof options !== 'object' ||
    options === null ||
    (options.constructor === Object ? Array.isArray(options) : !isPlainObject(options))
  ) {
    fail('options', 'an object', options);
  }
  expectKnownKeys(undefined, options, CALL_OPTION_KEYS);
  return optionalSignal('signal', options.signal);
}

/** Checks the options of `set()`; returns the TTL it asks for. */
export function setTtl(options: CacheSetOptions | undefined): number | undefined {
  if (options === undefined) return undefined;
  expectOptions('options', options, SET_OPTION_KEYS);
  // Infinity is "as long as allowed": clamped to maxTtlMs like any other TTL.
  return options.ttlMs === undefined
    ? undefined
    : expectNumber('ttlMs', options.ttlMs, { min: 0, exclusiveMin: true, allowInfinity: true });
}
