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
