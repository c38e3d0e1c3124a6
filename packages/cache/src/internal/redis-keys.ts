import { isWellFormed, loneSurrogates } from '@x/internal';

/**
 * The Redis names of one store's keys, under its `prefix`. Values and locks are in two key spaces
 * that differ right after the prefix (`v` and `l`). A key is `<namespace>:<digest>` or any string
 * given to `set()`: with values at `<prefix><key>`, a cache under namespace `lock` (or a key
 * `lock:...`) read and wrote other caches' locks. Locks keep their keys, so processes of the
 * previous version still share them during an upgrade.
 *
 * A key holding a lone surrogate (half of a UTF-16 pair) also gets their places and values,
 * between parentheses before the `:` (`<prefix>v(5=D83D):user:` then U+FFFD): the client writes
 * each lone surrogate as U+FFFD, so namespace `tenant-\uD800` read the answers stored by
 * `tenant-\uFFFD`. A well-formed key never has `(` there, and the list of places holds no `:`, so
 * no two keys share a name. A well-formed key (nearly all) costs one `isWellFormed()`.
 */
export function redisKeys(prefix: string): {
  value: (key: string) => string;
  lock: (key: string) => string;
} {
  const space = (name: string) => (key: string) =>
    isWellFormed(key)
      ? `${prefix}${name}:${key}`
      : `${prefix}${name}(${loneSurrogates(key)}):${key}`;
  return { value: space('v'), lock: space('lock') };
}

/**
 * The SCAN pattern of every key under `prefix`. ioredis puts its `keyPrefix` before every key it
 * sends, a SCAN pattern excepted (and SCAN answers whole names): `clear()` adds it here and takes
 * it off the names it deletes, or it matched nothing.
 */
export function scanPattern(keyPrefix: string, prefix: string): string {
  return `${(keyPrefix + prefix).replace(/[*?[\]\\]/g, '\\$&')}*`;
}

/** The client's ioredis `keyPrefix` (`client.options.keyPrefix`), or ''. */
export function keyPrefixOf(client: { readonly options?: unknown }): string {
  const keyPrefix = (client.options as { keyPrefix?: unknown } | undefined)?.keyPrefix;
  return typeof keyPrefix === 'string' ? keyPrefix : '';
}
