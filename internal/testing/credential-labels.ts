/**
 * Labels that hold a credential's shape, for the tests of every option written into keys (a
 * Redis prefix, a bucket's key, a provider's `rateLimit.key`): `[what, value, the secret part]`.
 * Each must be refused before anything is sent, and the secret part shown nowhere.
 */
export const CREDENTIAL_LABELS = [
  ['an sk- key', 'sk-proj-abcdef1234567890abcdef', 'abcdef1234567890'],
  ['a URL with a password', 'redis://u:sk-pw1234567@h', 'sk-pw1234567'],
  ['a bearer token', 'Bearer abcdefghij0123456789', 'abcdefghij0123456789'],
] as const;

/** The message of the `RangeError` that refuses such a label in `field`. */
export const credentialRefusal = (field: string): string =>
  `Expected \`${field}\` to be a label without credentials (never a URL with a password, never derived from a key), got \`"[redacted]"\` (string)`;

/** What a synchronous call throws; fails when it throws nothing. */
export function thrownBy(make: () => unknown): Error {
  try {
    make();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to throw');
}

/**
 * A Redis client whose listed commands only record their names (each resolves `null`): a call
 * refused before sending leaves `sent` empty.
 */
export function recordingRedisClient(commands: readonly string[]): {
  client: never;
  sent: string[];
} {
  const sent: string[] = [];
  const client: Record<string, (...args: unknown[]) => Promise<null>> = {};
  for (const name of commands) {
    client[name] = () => {
      sent.push(name);
      return Promise.resolve(null);
    };
  }
  return { client: client as never, sent };
}
