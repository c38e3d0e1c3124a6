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
 * The known key closest to `key`, when one is close enough to be a likely typo or a sibling
 * package's spelling (`ratePerSecond` for `requestsPerSecond` is not; `cahce` for `cache` is).
 * A key that contains a known one, or is contained in it, also counts (`timeout` → `timeoutMs`).
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  const lower = key.toLowerCase();
  for (const candidate of known) {
    const other = candidate.toLowerCase();
    let score = editDistance(lower, other);
    if (other.includes(lower) || lower.includes(other)) {
      score = Math.min(score, Math.abs(other.length - lower.length) / 2);
    }
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
 * path (`rateLimit.ratePerSecond`) and the closest known key, or listing the known keys when none
 * is close. Keys whose value is `undefined` are checked too: a misspelt key is a bug either way.
 */
export function expectKnownKeys(
  name: string | undefined,
  value: object,
  known: readonly string[],
): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const path = name === undefined ? key : `${name}.${key}`;
    const near = closestKey(key, known);
    const hint =
      near !== undefined
        ? `did you mean \`${name === undefined ? near : `${name}.${near}`}\`?`
        : `known keys: ${known.map((k) => `\`${k}\``).join(', ')}`;
    throw new TypeError(`Unknown option \`${path}\`: ${hint}`);
  }
}
