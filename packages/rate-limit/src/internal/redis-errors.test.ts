import { describe, expect, it } from 'vitest';
import { programErrorReply } from './redis-errors';

class ReplyError extends Error {
  override name = 'ReplyError';
}

// As Redis 6 words the failure of a command a script called (seen from ioredis' ReplyError).
const wrapped = (inner: string) =>
  new ReplyError(
    `ERR Error running script (call to f_8f55ae4a3be429c6d38c5d5db3e80edf89197b64): @user_script:41: @user_script: 41: ${inner}`,
  );

describe('programErrorReply', () => {
  it('reads a wrapped OOM or READONLY (Redis 6) as an outage, as Redis 7 words it', () => {
    expect(
      programErrorReply(wrapped("-OOM command not allowed when used memory > 'maxmemory'.")),
    ).toBeUndefined();
    expect(
      programErrorReply(wrapped("-READONLY You can't write against a read only replica.")),
    ).toBeUndefined();
    expect(
      programErrorReply(new ReplyError("OOM command not allowed when used memory > 'maxmemory'.")),
    ).toBeUndefined();
  });

  it('keeps a wrapped WRONGTYPE and a Lua error as program errors', () => {
    expect(
      programErrorReply(
        wrapped('-WRONGTYPE Operation against a key holding the wrong kind of value'),
      ),
    ).toBe('WRONGTYPE');
    expect(
      programErrorReply(
        new ReplyError(
          'ERR Error running script (call to f_1): @user_script:3: attempt to compare nil with number',
        ),
      ),
    ).toBe('ERR');
  });
});
