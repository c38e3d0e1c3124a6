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
  maxEntries?: number;
  /**
   * Most bytes kept in memory, counted as stored: JSON text in UTF-8, or its compressed form.
   * Never exceeded; a single value larger than this is not stored (`skipped['too-large']`).
   * @default 67108864 (64 MiB)
   */
  maxBytes?: number;
  /**
   * Which requests are cached and for how long: `'disabled'`, `'conservative'`, `'selective'`
   * or `'aggressive'` (see the strategy table).
   * @default 'selective'
   */
  strategy?: CacheStrategy;
  /**
   * Values whose JSON is larger than this many bytes are stored zlib-compressed (when that is
   * smaller). `Infinity` turns compression off.
   * @default 1024
   */
  compressAboveBytes?: number;
  /**
   * zlib compression level, 1 (fastest) to 9 (smallest).
   * @default 6
   */
  compressionLevel?: number;
  /**
   * Shortest TTL any entry gets.
   * @default 30000 (30 s)
   */
  minTtlMs?: number;
  /**
   * Longest TTL any entry gets.
   * @default 3600000 (1 h)
   */
  maxTtlMs?: number;
  /**
   * Overrides the strategy's TTL per answer: return milliseconds (clamped to [minTtlMs,
   * maxTtlMs]), `undefined` to keep the strategy's TTL, or `false` to not store this answer.
   * @default undefined
   */
  ttl?: CacheTtlFunction | undefined;
  /**
   * Prefix of every key (`<namespace>:<hash>`), to separate caches that share a store.
   * @default undefined
   */
  namespace?: string | undefined;
  /**
   * A shared second tier behind the in-process LRU, for example `createRedisStore()` from
   * `@x/cache/redis`.
   * @default undefined (memory only)
   */
  store?: CacheStore | undefined;
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
  readonly ttl: CacheTtlFunction | undefined;
  readonly namespace: string | undefined;
  readonly store: CacheStore | undefined;
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

function show(value: unknown): string {
  let text: string;
  try {
    text =
      typeof value === 'string' ? value : typeof value === 'function' ? 'function' : String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return `\`${text}\` (${value === null ? 'null' : typeof value})`;
}

function integerAtLeast(name: string, value: unknown, min: number, allowInfinity = false): number {
  const ok =
    typeof value === 'number' &&
    ((allowInfinity && value === Number.POSITIVE_INFINITY) || Number.isInteger(value)) &&
    value >= min;
  if (!ok) {
    const kind = typeof value === 'number' && !Number.isNaN(value) ? RangeError : TypeError;
    throw new kind(
      `Expected \`${name}\` to be ${allowInfinity ? 'an integer or Infinity' : 'an integer'} >= ${min}, got ${show(value)}`,
    );
  }
  return value as number;
}

/**
 * Applies defaults and checks every option.
 * @throws {TypeError} when an option has the wrong type.
 * @throws {RangeError} when a number is out of range.
 */
export function resolveOptions(options: CacheOptions = {}): ResolvedCacheOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`Expected \`options\` to be an object, got ${show(options)}`);
  }
  const maxEntries = integerAtLeast('maxEntries', options.maxEntries ?? DEFAULTS.maxEntries, 1);
  const maxBytes = integerAtLeast('maxBytes', options.maxBytes ?? DEFAULTS.maxBytes, 1, true);
  const strategy = options.strategy ?? DEFAULTS.strategy;
  if (!CACHE_STRATEGIES.includes(strategy)) {
    throw new TypeError(
      `Expected \`strategy\` to be one of ${CACHE_STRATEGIES.map((s) => `'${s}'`).join(', ')}, got ${show(strategy)}`,
    );
  }
  const compressAboveBytes = integerAtLeast(
    'compressAboveBytes',
    options.compressAboveBytes ?? DEFAULTS.compressAboveBytes,
    0,
    true,
  );
  const compressionLevel = integerAtLeast(
    'compressionLevel',
    options.compressionLevel ?? DEFAULTS.compressionLevel,
    1,
  );
  if (compressionLevel > 9) {
    throw new RangeError(
      `Expected \`compressionLevel\` to be an integer from 1 to 9, got ${show(compressionLevel)}`,
    );
  }
  const minTtlMs = integerAtLeast('minTtlMs', options.minTtlMs ?? DEFAULTS.minTtlMs, 1);
  const maxTtlMs = integerAtLeast('maxTtlMs', options.maxTtlMs ?? DEFAULTS.maxTtlMs, minTtlMs);
  if (options.ttl !== undefined && typeof options.ttl !== 'function') {
    throw new TypeError(`Expected \`ttl\` to be a function, got ${show(options.ttl)}`);
  }
  const namespace = options.namespace;
  if (namespace !== undefined && (typeof namespace !== 'string' || namespace.length === 0)) {
    throw new TypeError(`Expected \`namespace\` to be a non-empty string, got ${show(namespace)}`);
  }
  const store = options.store;
  if (
    store !== undefined &&
    (typeof store !== 'object' ||
      store === null ||
      typeof store.get !== 'function' ||
      typeof store.set !== 'function' ||
      typeof store.delete !== 'function')
  ) {
    throw new TypeError(
      `Expected \`store\` to be an object with get, set and delete methods, got ${show(store)}`,
    );
  }
  return {
    maxEntries,
    maxBytes,
    strategy,
    compressAboveBytes,
    compressionLevel,
    minTtlMs,
    maxTtlMs,
    ttl: options.ttl,
    namespace,
    store,
  };
}
