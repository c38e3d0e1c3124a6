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

function message(error: unknown): string {
  return error instanceof Error ? error.message : '';
}

/**
 * The code of a Redis error reply (`ERR`, `WRONGTYPE`, `BUSY`...), when it has one. Before Redis 7
 * the error of a command the script called comes wrapped in an `ERR`: `ERR Error running script
 * (call to f_…): @user_script:41: @user_script: 41: -OOM command not allowed when used memory >
 * 'maxmemory'.` The inner code is what happened: an `OOM` or a `READONLY` is an outage there too.
 */
function replyCode(text: string): string | undefined {
  const code = /^([A-Z][A-Z_]+)\s/.exec(text)?.[1];
  if (code === 'ERR' && text.startsWith('ERR Error running script')) {
    return /: -([A-Z][A-Z_]+)\s/.exec(text)?.[1] ?? code;
  }
  return code;
}

export function isNoScript(error: unknown): boolean {
  return message(error).startsWith('NOSCRIPT');
}

/**
 * The prefix of a Redis reply error that is a program error (`ERR`, `WRONGTYPE`...), or
 * undefined for anything that may be an outage. Client-side errors (a closed connection, a
 * retry limit) carry no upper-case prefix, so they stay outages.
 */
export function programErrorReply(error: unknown): string | undefined {
  const text = message(error);
  const prefix = replyCode(text);
  if (prefix === undefined || !PROGRAM_ERRORS.has(prefix)) return undefined;
  // Redis words a full client table as an ERR; it is a capacity problem, not a program error.
  if (text.startsWith('ERR max number of clients')) return undefined;
  return prefix;
}

/**
 * What failed, for events and logs: a Redis reply's error code (`BUSY`, `OOM`, `READONLY`,
 * `LOADING`...), else the error's `code` or `name`. Never its message, which may carry connection
 * details. (ioredis names every reply error `ReplyError`, which says nothing.)
 */
export function errorLabel(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const name = (error as { name?: unknown }).name;
    if (name === 'ReplyError') {
      const reply = replyCode(message(error));
      if (reply !== undefined) return reply;
    }
    if (typeof name === 'string') return name;
  }
  return undefined;
}
