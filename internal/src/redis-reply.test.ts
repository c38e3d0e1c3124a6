import { describe, expect, it } from 'vitest';
import { redisErrorLabel } from './redis-reply';

class ReplyError extends Error {
  override name = 'ReplyError';
}

// As Redis 6 words the failure of a command a script called (seen from ioredis' ReplyError).
const wrapped = (inner: string) =>
  new ReplyError(
    `ERR Error running script (call to f_8f55ae4a3be429c6d38c5d5db3e80edf89197b64): @user_script:41: @user_script: 41: ${inner}`,
  );

describe('redisErrorLabel', () => {
  it("names a reply error by Redis' code, the wrapped one included", () => {
    expect(
      redisErrorLabel(wrapped("-OOM command not allowed when used memory > 'maxmemory'.")),
    ).toBe('OOM');
    expect(redisErrorLabel(new ReplyError('BUSY Redis is busy running a script.'))).toBe('BUSY');
    expect(
      redisErrorLabel(new ReplyError('NOPERM User x has no permissions to run the eval command')),
    ).toBe('NOPERM');
    expect(
      redisErrorLabel(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    ).toBe('ECONNREFUSED');
    expect(redisErrorLabel(new ReplyError('a reply without a code'))).toBe('ReplyError');
  });
});
