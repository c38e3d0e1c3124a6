import { codeUnitHex, isWellFormed, LONE_SURROGATE, loneSurrogates } from '@x/internal';

/**
 * The names of the Redis keys that hold the buckets: `prefix`, a header that says whose buckets
 * they are, then the caller's key as given.
 *
 *   limiter  `prefix` `limiter:` limit names (escaped, joined by `,`) `|` key
 *   bucket   `prefix` `bucket|` key
 *
 * Distinct (kind, limit names, key) never share a key, whatever characters they hold, because the
 * header ends at its first `|` and decodes alone: the kind is a fixed word, and an escaped name
 * holds no `,` or `|`. The key is not escaped: it is last, so it needs no delimiter, stays
 * readable in `redis-cli`, and its `{tag}` still picks the Redis Cluster slot (the header has no
 * `{` or `}`, so only the prefix's tag comes before it).
 *
 * A string is not its UTF-8 bytes when it holds a lone surrogate: the client writes each as
 * U+FFFD, so `a\uD800` and `a\uFFFD` would meet. A limit name escapes them; a key, sent as is so
 * that Redis hashes the bytes it always got, gets their positions and values in its header
 * (`limiter(1=D800):requests|a`...), which a well-formed key never has.
 */

export type RedisKeyKind = 'limiter' | 'bucket';

/** What a limit name escapes: the header's delimiters, hash-tag braces, `%` itself, lone surrogates. */
const NAME_ESCAPED = new RegExp(`[%,|{}]|${LONE_SURROGATE.source}`, 'g');

/** `%XX` for an ASCII character, `%uXXXX` for a surrogate (`u` is no hex digit: no overlap). */
const escapeChar = (c: string) =>
  c < '\u0080' ? `%${codeUnitHex(c, 2)}` : `%u${codeUnitHex(c, 4)}`;

const escapeLimitName = (name: string) => name.replace(NAME_ESCAPED, escapeChar);

/**
 * The Redis key of each caller's key, for one limiter (its limit names, in declaration order: the
 * stored value holds one number per limit in that order) or one Redis token bucket. The constant
 * part is built here, once; per call, a well-formed key costs one `isWellFormed()` and one
 * concatenation.
 */
export function redisKeyOf(
  prefix: string,
  kind: RedisKeyKind,
  names: readonly string[],
): (key: string) => string {
  const head = prefix + kind;
  const tail = kind === 'limiter' ? `:${names.map(escapeLimitName).join(',')}|` : '|';
  const plain = head + tail;
  return (key) =>
    isWellFormed(key) ? plain + key : `${head}(${loneSurrogates(key)})${tail}${key}`;
}
