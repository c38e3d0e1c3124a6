import { optionError } from './option-error';

/**
 * Edit distance between two short strings (insertions, deletions, substitutions, and swaps of two
 * neighbours, so `cahce` is one edit from `cache`). Case-insensitive.
 */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const rows = s.length + 1;
  const cols = t.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(
        d[(i - 1) * cols + j]! + 1,
        d[i * cols + j - 1]! + 1,
        d[(i - 1) * cols + j - 1]! + cost,
      );
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        best = Math.min(best, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1]!;
}

/**
 * Spellings a package knows users bring from elsewhere, mapped to its own key: `ttlMs` (a fixed
 * time-to-live elsewhere) is `maxTtlMs` in `@x/cache`, not the edit-distance neighbour `ttl`
 * (a function there). Consulted before the edit-distance guess.
 */
export type KeyAliases = Readonly<Record<string, string>>;

/**
 * The known key closest to `key`, when one is close enough to be a likely typo or a sibling
 * package's spelling (`ratePerSecond` for `requestsPerSecond` is not; `cahce` for `cache` is).
 * A key that contains a known one, or is contained in it, also counts (`timeout` → `timeoutMs`),
 * and so does the start of a known key (`rate` → `ratePerSecond`).
 * An entry of `aliases` for `key` (naming a known key) wins over any guess.
 */
export function closestKey(
  key: string,
  known: readonly string[],
  aliases?: KeyAliases,
): string | undefined {
  // `known` decides: an alias naming no key of this version (or `constructor`, inherited by any
  // object literal) is no hint.
  const alias = aliases?.[key];
  if (alias !== undefined && known.includes(alias)) return alias;
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  const lower = key.toLowerCase();
  for (const candidate of known) {
    const other = candidate.toLowerCase();
    let score = editDistance(lower, other);
    if (other.includes(lower) || lower.includes(other)) {
      score = Math.min(score, Math.abs(other.length - lower.length) / 2);
    }
    // The start of a known key is a shortened name (`rate` for `ratePerSecond`), however much
    // longer the key: one edit, so a closer candidate still wins.
    if (lower.length >= 3 && other.startsWith(lower)) score = Math.min(score, 1);
    if (score < bestScore) {
      bestScore = score;
      best = candidate;
    }
  }
  if (best === undefined) return undefined;
  const allowed = Math.max(2, Math.floor(Math.max(key.length, best.length) / 3));
  return bestScore <= allowed ? best : undefined;
}

/**
 * Throws a `TypeError` for the first own key of `value` that is not in `known`, naming it with the
 * path (`rateLimit.ratePerSecond`) and the closest known key (see {@link closestKey}), or listing
 * the known keys when none is close. Keys whose value is `undefined` are checked too: a misspelt
 * key is a bug either way. Both paths can be prefixed by `withOptionPath`.
 */
export function expectKnownKeys(
  name: string | undefined,
  value: object,
  known: readonly string[],
  aliases?: KeyAliases,
): void {
  // It runs for every request and every message in it: `for...in` walks V8's enum cache, where
  // `Object.keys` would allocate an array each time (about 300 ns per two-key message in Node 20).
  // Inherited keys are not the caller's: skipped, as `Object.keys` would.
  for (const key in value) {
    if (!known.includes(key) && Object.hasOwn(value, key)) unknownKey(name, key, known, aliases);
  }
}

/**
 * The first part of an unknown-key error's message parts (`messageParts`): its second part is
 * the key's path, and, when a known key was close, its fourth that key's path.
 */
export const UNKNOWN_KEY_LEAD = 'Unknown option `';

/**
 * The `TypeError` {@link expectKnownKeys} throws for `key`, an own key of the object `name` that is
 * not in `known`: for a caller that found the unknown key itself.
 */
export function unknownKeyError(
  name: string | undefined,
  key: string,
  known: readonly string[],
  aliases?: KeyAliases,
): TypeError {
  const pathOf = (k: string): string => (name === undefined ? k : `${name}.${k}`);
  const near = closestKey(key, known, aliases);
  // Not a range error: `optionError` builds a `TypeError`.
  return optionError(
    near !== undefined
      ? [UNKNOWN_KEY_LEAD, pathOf(key), '`: did you mean `', pathOf(near), '`?']
      : [
          UNKNOWN_KEY_LEAD,
          pathOf(key),
          `\`: known keys: ${known.map((k) => `\`${k}\``).join(', ')}`,
        ],
  ) as TypeError;
}

function unknownKey(
  name: string | undefined,
  key: string,
  known: readonly string[],
  aliases: KeyAliases | undefined,
): never {
  throw unknownKeyError(name, key, known, aliases);
}

/**
 * The first key of an object with exactly two enumerable keys (inherited ones counted, as
 * `for...in` counts them), else `undefined`. How the request path knows the common chat message,
 * `{ role, content }` in either order, without listing its keys: every stage that reads a message
 * asks, for every message of every request.
 */
export function firstOfTwoKeys(object: object): string | undefined {
  let keys = 0;
  let first: string | undefined;
  for (const key in object) {
    if (++keys > 2) return undefined;
    if (keys === 1) first = key;
  }
  return keys === 2 ? first : undefined;
}
