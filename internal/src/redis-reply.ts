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
 * Error replies every command gets while they last, whatever it is: Redis refuses this client
 * (`DENIED`: protected mode, for a client from another host) or its credentials (`NOAUTH`, `WRONGPASS`: a missing or rotated password) or what its ACL user may run
 * (`NOPERM`), is loading its dataset (`LOADING`), is held by a script past its time limit (`BUSY`),
 * or is a replica cut off from its master (`MASTERDOWN`) or a cluster that cannot serve
 * (`CLUSTERDOWN`). Not `OOM`, `READONLY` or `MISCONF`: they refuse writes only.
 */
const UNUSABLE_REPLIES = new Set([
  'DENIED',
  'NOAUTH',
  'WRONGPASS',
  'NOPERM',
  'LOADING',
  'BUSY',
  'MASTERDOWN',
  'CLUSTERDOWN',
]);

/**
 * True for an error reply that says Redis cannot be used now ({@link UNUSABLE_REPLIES}, or a full
 * client table). Such a reply comes at once, on every command: it proves a connection, not that
 * Redis is back, so an outage goes on through it and only a command that succeeds ends it.
 * Client-side errors (a closed connection, a retry limit) carry no upper-case code: false.
 */
export function isUnusableRedisReply(error: unknown): boolean {
  const text = errorMessage(error);
  const code = redisReplyCode(text);
  if (code === undefined) return false;
  // Redis words a full client table as an ERR (then closes the connection).
  return UNUSABLE_REPLIES.has(code) || text.startsWith('ERR max number of clients');
}

/**
 * The error codes Redis (7.x, Cluster and Sentinel included) writes before a reply's text. A
 * reply's first upper-case word is shown only when it is one of them: a hostile or broken server
 * (or a proxy) decides that word, and a password in capitals (`HUNTER_PW rejected`) would
 * otherwise reach events and stats as the outage's label.
 */
const REDIS_ERROR_CODES = new Set([
  'ERR',
  'WRONGTYPE',
  'NOSCRIPT',
  'BUSY',
  'BUSYKEY',
  'BUSYGROUP',
  'NOGROUP',
  'OOM',
  'READONLY',
  'MISCONF',
  'EXECABORT',
  'NOREPLICAS',
  'NOTBUSY',
  'UNKILLABLE',
  'MOVED',
  'ASK',
  'TRYAGAIN',
  'CROSSSLOT',
  'CLUSTERDOWN',
  'MASTERDOWN',
  'LOADING',
  'NOAUTH',
  'WRONGPASS',
  'NOPERM',
  'NOPROTO',
  'UNBLOCKED',
  // protected mode refusing a client from outside (then Redis closes the connection)
  'DENIED',
  // Sentinel's
  'IDONTKNOW',
  'NOGOODSLAVE',
  'INPROG',
]);

/**
 * What failed, for events and logs: a Redis reply's error code (`BUSY`, `OOM`, `READONLY`,
 * `WRONGTYPE`, `NOPERM`...; one Redis does not write is `ReplyError`), else the error's `code` or
 * `name`. Never its message, which may carry connection details. (ioredis names every reply error
 * `ReplyError`, which says nothing.)
 */
export function redisErrorLabel(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const name = (error as { name?: unknown }).name;
    if (name === 'ReplyError') {
      const reply = redisReplyCode(errorMessage(error));
      if (reply !== undefined && REDIS_ERROR_CODES.has(reply)) return reply;
    }
    if (typeof name === 'string') return name;
  }
  return undefined;
}

/** A reply's type, for a message about a reply of the wrong shape: never its content. */
export function replyKind(reply: unknown): string {
  if (reply === null || reply === undefined) return 'nil';
  if (Array.isArray(reply)) return `an array of ${reply.length}`;
  if (reply instanceof Uint8Array) return 'bytes';
  if (typeof reply === 'number') return 'a number';
  if (typeof reply === 'string') return 'a string';
  return typeof reply === 'object' ? 'an object' : typeof reply;
}

/**
 * The message of a reply that is not what Redis gives for the command (a proxy or another server
 * on Redis' port, a client that is not ioredis-shaped): `from` and the reply's type, never its
 * content, which may be anything.
 */
export function unexpectedReplyText(from: string, reply: unknown, expected: string): string {
  return `unexpected reply from ${from}: ${replyKind(reply)}, expected ${expected}`;
}

/**
 * True for an ioredis client (or Cluster) made with `stringNumbers: true`: it answers every
 * integer as its decimal text. Only then is such text read as an integer ({@link integerReply}):
 * from any other client it is what a proxy or another server answered, refused as such.
 */
export function answersIntegersAsText(client: unknown): boolean {
  if (typeof client !== 'object' || client === null) return false;
  const options = (client as { options?: unknown }).options as
    | { stringNumbers?: unknown; redisOptions?: { stringNumbers?: unknown } | undefined }
    | undefined;
  return options?.stringNumbers === true || options?.redisOptions?.stringNumbers === true;
}

/**
 * A script's integer reply, or an array of them, as numbers, for a client that
 * {@link answersIntegersAsText}. Anything else comes back as it is, for the caller's shape check.
 * Only a decimal integer that is exact as a number converts.
 */
export function integerReply(reply: unknown): unknown {
  if (typeof reply === 'string') return decimalInteger(reply) ?? reply;
  if (!Array.isArray(reply)) return reply;
  return reply.map((item) => (typeof item === 'string' ? (decimalInteger(item) ?? item) : item));
}

function decimalInteger(text: string): number | undefined {
  if (!/^-?(0|[1-9][0-9]{0,15})$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}
