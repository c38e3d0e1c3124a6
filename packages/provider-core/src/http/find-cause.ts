/** What a link of a `cause` chain may carry, read without trusting its shape. */
interface CauseLink {
  readonly code?: unknown;
  readonly name?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
  readonly errors?: unknown;
}

/**
 * How many links are looked at: the code that explains a transport failure is at most a few
 * wrappers down (the pool's error around undici's around the resolver's), and a chain that loops
 * (`a.cause = a`) or runs on ends here.
 */
const MAX_LINKS = 4;

/**
 * The first answer `test` gives (not `undefined`) along `error`'s `cause` chain, `error` first; a
 * link that is not an object ends the walk. With `intoAggregates`, an `AggregateError`'s first
 * `errors` entry is followed instead of its `cause` (undici and Node's happy eyeballs put the
 * failure of each address there).
 */
export function findCause<T>(
  error: unknown,
  test: (link: CauseLink) => T | undefined,
  intoAggregates = false,
): T | undefined {
  let current = error;
  for (
    let depth = 0;
    depth < MAX_LINKS && typeof current === 'object' && current !== null;
    depth++
  ) {
    const link = current as CauseLink;
    const found = test(link);
    if (found !== undefined) return found;
    current =
      intoAggregates && Array.isArray(link.errors) && link.errors.length > 0
        ? link.errors[0]
        : link.cause;
  }
  return undefined;
}
