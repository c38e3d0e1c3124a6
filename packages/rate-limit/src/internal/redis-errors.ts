/**
 * How the Redis store reads a failed call. Three kinds:
 * - `NOSCRIPT`: the script cache was emptied (a restart, `SCRIPT FLUSH`): load it again;
 * - a program error: Redis is up and answered, but the command cannot succeed as sent (a Lua
 *   error, `WRONGTYPE` because another program uses the key, a slot problem). Asking again would
 *   fail the same way, so it is NOT an outage: the call rejects with `RateLimitStoreError` and
 *   the outage policy is left alone;
 * - anything else (no connection, a timeout, `LOADING`, `BUSY`, `READONLY` during a failover,
 *   `OOM`, `CLUSTERDOWN`, a refused password or ACL: `NOAUTH`, `WRONGPASS`, `NOPERM`...): Redis
 *   cannot decide now, and the outage policy decides. A refusal of the client itself
 *   (`isUnusableRedisReply`) comes back on every command: were it a program error, each reply
 *   would end the outage the previous failure began, and every call would reject.
 */

import { errorMessage, isUnusableRedisReply, redisReplyCode } from '@x/internal';

/** Error prefixes of a command that reached a working Redis and can never succeed as sent. */
const PROGRAM_ERRORS = new Set(['ERR', 'WRONGTYPE', 'CROSSSLOT', 'EXECABORT']);

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
  // an ERR that refuses every command (a full client table) is an outage
  return isUnusableRedisReply(error) ? undefined : prefix;
}
