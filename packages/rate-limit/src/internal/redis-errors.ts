/**
 * How the Redis store reads a failed call. Three kinds:
 * - `NOSCRIPT`: the script cache was emptied (a restart, `SCRIPT FLUSH`): load it again;
 * - a program error: Redis is up and answered, but the command cannot succeed as sent (a Lua
 *   error, `WRONGTYPE` because another program uses the key, a permission or slot problem).
 *   Asking again would fail the same way, so it is NOT an outage: the call rejects with
 *   `RateLimitStoreError` and the outage policy is left alone;
 * - anything else (no connection, a timeout, `LOADING`, `BUSY`, `READONLY` during a failover,
 *   `OOM`, `CLUSTERDOWN`...): Redis cannot decide now, and the outage policy decides.
 */

import { errorMessage, redisReplyCode } from '@x/internal';

/** Error prefixes of a command that reached a working Redis and can never succeed as sent. */
const PROGRAM_ERRORS = new Set([
  'ERR',
  'WRONGTYPE',
  'NOPERM',
  'CROSSSLOT',
  'NOAUTH',
  'WRONGPASS',
  'EXECABORT',
]);

export function isNoScript(error: unknown): boolean {
  return errorMessage(error).startsWith('NOSCRIPT');
}

/**
 * The prefix of a Redis reply error that is a program error (`ERR`, `WRONGTYPE`...), or
 * undefined for anything that may be an outage. Client-side errors (a closed connection, a
 * retry limit) carry no upper-case prefix, so they stay outages.
 */
export function programErrorReply(error: unknown): string | undefined {
  const text = errorMessage(error);
  const prefix = redisReplyCode(text);
  if (prefix === undefined || !PROGRAM_ERRORS.has(prefix)) return undefined;
  // Redis words a full client table as an ERR; it is a capacity problem, not a program error.
  if (text.startsWith('ERR max number of clients')) return undefined;
  return prefix;
}
