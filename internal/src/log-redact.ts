import { createHash } from 'node:crypto';
import { REDACTED } from './args';
import { userinfoEnd } from './url-userinfo';

/**
 * Names whose values are credentials, however a gateway or a client names its key header
 * (`authorization`, `x-api-key`, `apikey`, `x-auth-token`, `ocp-apim-subscription-key`,
 * `x-amz-security-token`, a cookie, a password), and query parameters named alike (`?api_key=`,
 * a signed URL's signature). Wide on purpose: scrubbing a harmless header costs nothing, leaking
 * a key does.
 */
export const SECRET_HEADER =
  /auth|key|token|secret|cookie|session|pass|pwd|sig|credential|bearer|jwt/i;

// A URL in a text: its `scheme://` and what follows up to a space or a quote (a password holding
// one of those is cut there: nothing in a text tells where it would end).
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s"'<>]*)/gi;

/**
 * Replaces the userinfo of every URL in `text` with `[redacted]`: a driver's error message may
 * quote the connection string it was given (`redis://:secret@host:6379`). For a `PackageLog`'s
 * `redact` hook. Where the userinfo ends is read as in an option error (`userinfoEnd`): a password
 * may hold `@`, `#` or `/` unescaped, and an `@` in a path (`unpkg.com/react@18`) is left alone.
 */
export function redactUrlCredentials(text: string): string {
  if (!text.includes('://')) return text;
  return text.replace(URL_IN_TEXT, (match: string, scheme: string, rest: string) => {
    const at = userinfoEnd(rest);
    return at === -1 ? match : `${scheme}${REDACTED}${rest.slice(at)}`;
  });
}

/**
 * A short, stable digest of a key that may be user data (a rate-limit key naming a user, a tenant
 * id): the first 16 hex digits of its SHA-256, so entries about one key can be grouped without
 * the log holding the key.
 */
export function keyHash(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/**
 * A store driver's error made safe for the `cause` of a package's error: the error itself when it
 * holds nothing secret, else a copy (same class, code, command name) without what it leaked.
 * - ioredis attaches `command: { name, args }` to every reply error, and after a failed `AUTH` (a
 *   rotated password) it hands that error, `args: [password]`, to the next queued command; for a
 *   `SET` the args hold the whole value. The copy keeps the command's name only.
 * - A driver (or a wrapper of one) may quote its connection string in the message, and so in the
 *   stack: `redis://:secret@host`. The copy's message and stack have the userinfo redacted.
 * The client's own error is never changed. A string is redacted the same way.
 */
export function driverErrorForCause(error: unknown): unknown {
  if (typeof error === 'string') return redactUrlCredentials(error);
  if (typeof error !== 'object' || error === null) return error;
  const command = (error as { command?: unknown }).command;
  const hasArgs = typeof command === 'object' && command !== null && 'args' in command;
  const texts = ['message', 'stack'].filter((key) => {
    const text = (error as Record<string, unknown>)[key];
    return typeof text === 'string' && redactUrlCredentials(text) !== text;
  });
  if (!hasArgs && texts.length === 0) return error;
  const copy = Object.create(Object.getPrototypeOf(error)) as Record<PropertyKey, unknown>;
  for (const key of Reflect.ownKeys(error)) {
    if (key !== 'command') {
      Object.defineProperty(copy, key, Object.getOwnPropertyDescriptor(error, key)!);
    }
  }
  if (hasArgs) copy.command = { name: (command as { name?: unknown }).name };
  else if (command !== undefined) copy.command = command;
  for (const key of texts) {
    const text = (error as Record<string, string>)[key]!;
    Object.defineProperty(copy, key, {
      value: redactUrlCredentials(text),
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  return copy;
}
