import { sharedInstance } from '@x/internal';
import { createCache } from './cache';
import type { Cache } from './cache-api';
import { type CacheOptions, resolveOptions } from './options';

/**
 * The process-wide cache named `name`, created on first ask with `options`: every caller that
 * asks for the same name, in any copy of this package in the process, reads and fills one cache.
 * Asked with options, they must equal the ones it was created with (a `RangeError` names the
 * first that differs; functions such as `ttl` and a store are compared by identity); asked
 * without, it is used as it is. `close()` closes it for everyone and frees the name: the next
 * ask creates a fresh one.
 *
 * A name is a label (`'answers'`), never derived from a key: a name that holds a URL with a
 * password or looks like a key is a `RangeError`.
 *
 * @throws TypeError / RangeError for an invalid name or option, or options that conflict.
 * @example
 * ```ts
 * const answers = sharedCache('answers', { maxEntries: 10_000 });
 * sharedCache('answers') === answers; // true, anywhere in the process
 * ```
 */
export function sharedCache<T = unknown>(name: string, options?: CacheOptions): Cache<T> {
  return sharedInstance({
    pkg: 'cache',
    kind: 'cache',
    label: 'shared cache',
    name,
    options,
    create: (o) => createCache<T>(o as CacheOptions),
    check: (o) => resolveOptions(o as CacheOptions),
    closes: true,
  });
}
