/** An error shaped as ioredis' `ReplyError`: a Redis error reply, its code the message's first word. */
export class ReplyError extends Error {
  override name = 'ReplyError';
}

/**
 * As Redis 6 words the failure of a command a script called (seen from ioredis' `ReplyError`):
 * wrapped in an `ERR Error running script`, the inner reply after `: -`.
 */
export function scriptReplyError(inner: string): ReplyError {
  return new ReplyError(
    `ERR Error running script (call to f_8f55ae4a3be429c6d38c5d5db3e80edf89197b64): @user_script:41: @user_script: 41: ${inner}`,
  );
}
