/**
 * The contract behind `?: T | undefined` on every option (scripts/check-optional-types.mjs): an
 * option set to `undefined` is the same as one left out. The known keys are read from the
 * factory's own unknown-key error (``known keys: `a`, `b` ``), so the list tested is the list
 * the factory checks, with no copy of it here.
 */
const PROBE = 'zzzzzzzzzzzzzzzzzzzzzzzz';

/** The option keys `make` accepts, from the message it throws (or rejects with) for an unknown one. */
async function knownOptionKeys(
  make: (options: Record<string, unknown>) => unknown,
  required = {},
): Promise<string[]> {
  let message = '';
  try {
    await make({ ...required, [PROBE]: 1 });
  } catch (error) {
    message = (error as Error).message;
  }
  const list = /known keys: (.*)$/.exec(message)?.[1];
  if (list === undefined) throw new Error(`no list of known keys in ${JSON.stringify(message)}`);
  return [...list.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}

/**
 * Builds with each known option set to `undefined` (the `required` ones given), then with all of
 * them at once; returns the keys whose `undefined` was refused, with the message. `close` ends
 * what each build made.
 */
export async function undefinedOptionsRefused<T>(
  make: (options: Record<string, unknown>) => T,
  required: Record<string, unknown>,
  close: (made: T) => unknown = () => undefined,
): Promise<string[]> {
  const keys = (await knownOptionKeys(make, required)).filter((k) => !(k in required));
  if (keys.length === 0) throw new Error('the factory listed no optional key');
  const refused: string[] = [];
  const attempt = async (label: string, options: Record<string, unknown>) => {
    try {
      await close(make(options));
    } catch (error) {
      refused.push(`${label}: ${(error as Error).message}`);
    }
  };
  for (const key of keys) await attempt(key, { ...required, [key]: undefined });
  await attempt(
    'all at once',
    Object.fromEntries([...keys.map((k) => [k, undefined]), ...Object.entries(required)]),
  );
  return refused;
}
