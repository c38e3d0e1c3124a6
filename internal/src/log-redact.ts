import { createHash } from 'node:crypto';
import { redactKnownSecrets } from './client-secrets';
import { redactUrlCredentials } from './secret-text';

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
 * - A server (or a proxy in front of it) may make the message quote the client's own password
 *   bare, where no `user:pass@` shows it: `secrets` (`redisClientSecrets(client)`) are hidden
 *   from the message and stack too, in their encoded forms as well (`redactKnownSecrets`).
 * The client's own error is never changed. A string is redacted the same way.
 */
export function driverErrorForCause(error: unknown, secrets: readonly string[] = []): unknown {
  const redact = (text: string) => redactKnownSecrets(redactUrlCredentials(text), secrets);
  if (typeof error === 'string') return redact(error);
  if (typeof error !== 'object' || error === null) return error;
  const command = (error as { command?: unknown }).command;
  const hasArgs = typeof command === 'object' && command !== null && 'args' in command;
  // Each text redacted once: what changed is what the copy gets.
  const redacted = new Map<string, string>();
  for (const key of ['message', 'stack']) {
    const text = (error as Record<string, unknown>)[key];
    if (typeof text !== 'string') continue;
    const safe = redact(text);
    if (safe !== text) redacted.set(key, safe);
  }
  if (!hasArgs && redacted.size === 0) return error;
  const copy = Object.create(Object.getPrototypeOf(error)) as Record<PropertyKey, unknown>;
  for (const key of Reflect.ownKeys(error)) {
    if (key !== 'command') {
      Object.defineProperty(copy, key, Object.getOwnPropertyDescriptor(error, key)!);
    }
  }
  if (hasArgs) copy.command = { name: (command as { name?: unknown }).name };
  else if (command !== undefined) copy.command = command;
  for (const [key, safe] of redacted) {
    Object.defineProperty(copy, key, {
      value: safe,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  return copy;
}
