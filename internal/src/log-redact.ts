import { createHash } from 'node:crypto';
import { REDACTED } from './args';

// `scheme://user:password@` (or `scheme://token@`): the userinfo of a URL, which is where a Redis
// or proxy connection string keeps its password.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi;

/**
 * Replaces the userinfo of every URL in `text` with `[redacted]`: a driver's error message may
 * quote the connection string it was given (`redis://:secret@host:6379`). For a `PackageLog`'s
 * `redact` hook.
 */
export function redactUrlCredentials(text: string): string {
  return text.includes('://') ? text.replace(URL_USERINFO, `$1${REDACTED}@`) : text;
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
 * A copy of a Redis client's error without the arguments of the command it quotes, for the
 * `cause` of a package's error. ioredis attaches `command: { name, args }` to every reply error,
 * and after a failed `AUTH` (a rotated password) it hands that error, `args: [password]`, to the
 * next queued command; for a `SET` the args hold the whole value. The copy keeps the class, the
 * message, the stack, the code and the command's name; an error without `command.args` is
 * returned as it is.
 */
export function withoutCommandArgs(error: unknown): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const command = (error as { command?: unknown }).command;
  if (typeof command !== 'object' || command === null || !('args' in command)) return error;
  const copy = Object.create(Object.getPrototypeOf(error)) as Record<PropertyKey, unknown>;
  for (const key of Reflect.ownKeys(error)) {
    if (key !== 'command') {
      Object.defineProperty(copy, key, Object.getOwnPropertyDescriptor(error, key)!);
    }
  }
  copy.command = { name: (command as { name?: unknown }).name };
  return copy;
}
