import { ReplyError, scriptReplyError } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { programErrorReply } from './redis-errors';

describe('programErrorReply', () => {
  it('reads a wrapped OOM or READONLY (Redis 6) as an outage, as Redis 7 words it', () => {
    expect(
      programErrorReply(
        scriptReplyError("-OOM command not allowed when used memory > 'maxmemory'."),
      ),
    ).toBeUndefined();
    expect(
      programErrorReply(scriptReplyError("-READONLY You can't write against a read only replica.")),
    ).toBeUndefined();
    expect(
      programErrorReply(new ReplyError("OOM command not allowed when used memory > 'maxmemory'.")),
    ).toBeUndefined();
  });

  it('keeps a wrapped WRONGTYPE and a Lua error as program errors', () => {
    expect(
      programErrorReply(
        scriptReplyError('-WRONGTYPE Operation against a key holding the wrong kind of value'),
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

  it('reads a refusal of the client (NOAUTH, WRONGPASS, NOPERM, a full client table) as an outage', () => {
    for (const error of [
      new ReplyError('NOAUTH Authentication required.'),
      new ReplyError('WRONGPASS invalid username-password pair or user is disabled.'),
      new ReplyError('NOPERM User limiter has no permissions to run the evalsha command'),
      scriptReplyError('-NOPERM this user has no permissions to access one of the keys'),
      new ReplyError('ERR max number of clients reached'),
    ]) {
      expect(programErrorReply(error), error.message).toBeUndefined();
    }
  });
});
