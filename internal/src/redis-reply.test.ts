import { describe, expect, it } from 'vitest';
import { ReplyError, scriptReplyError } from '../testing/redis-replies';
import { redisErrorLabel } from './redis-reply';

describe('redisErrorLabel', () => {
  it("names a reply error by Redis' code, the wrapped one included", () => {
    expect(
      redisErrorLabel(scriptReplyError("-OOM command not allowed when used memory > 'maxmemory'.")),
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
