/** Names longer than this are computed each time: keys and members that long are data, not names. */
const MAX_NAME_LENGTH = 64;

/**
 * `compute` for names (object keys, request members), remembered: a request reuses a few dozen
 * names on every call, and a lookup costs less than rebuilding a token or lower-casing a name.
 * Bounded by count and by name length, so a caller whose keys are data (a map of user ids, long
 * text) cannot grow it; past the bound, answers are computed each time, with no eviction churn.
 * `compute` must be pure: a remembered answer and a computed one are the same.
 */
export function nameMemo<T extends NonNullable<unknown>>(
  compute: (name: string) => T,
  maxNames: number,
): (name: string) => T {
  const known = new Map<string, T>();
  return (name) => {
    let answer = known.get(name);
    if (answer === undefined) {
      answer = compute(name);
      if (known.size < maxNames && name.length <= MAX_NAME_LENGTH) known.set(name, answer);
    }
    return answer;
  };
}
