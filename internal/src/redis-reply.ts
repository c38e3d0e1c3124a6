/** A failed call's message, or '' for something that is not an `Error`. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : '';
}

/**
 * The code of a Redis error reply (`ERR`, `WRONGTYPE`, `BUSY`...), when it has one. Before Redis 7
 * the error of a command the script called comes wrapped in an `ERR`: `ERR Error running script
 * (call to f_…): @user_script:41: @user_script: 41: -OOM command not allowed when used memory >
 * 'maxmemory'.` The inner code is what happened: an `OOM` or a `READONLY` is an outage there too.
 */
export function redisReplyCode(text: string): string | undefined {
  const code = /^([A-Z][A-Z_]+)\s/.exec(text)?.[1];
  if (code === 'ERR' && text.startsWith('ERR Error running script')) {
    return /: -([A-Z][A-Z_]+)\s/.exec(text)?.[1] ?? code;
  }
  return code;
}

/**
 * What failed, for events and logs: a Redis reply's error code (`BUSY`, `OOM`, `READONLY`,
 * `WRONGTYPE`, `NOPERM`...), else the error's `code` or `name`. Never its message, which may carry
 * connection details. (ioredis names every reply error `ReplyError`, which says nothing.)
 */
export function redisErrorLabel(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const name = (error as { name?: unknown }).name;
    if (name === 'ReplyError') {
      const reply = redisReplyCode(errorMessage(error));
      if (reply !== undefined) return reply;
    }
    if (typeof name === 'string') return name;
  }
  return undefined;
}
