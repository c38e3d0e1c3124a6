import { describe, expect, it } from 'vitest';
import { ReplyError, scriptReplyError } from '../testing/redis-replies';
import {
  answersIntegersAsText,
  integerReply,
  isUnusableRedisReply,
  redisErrorLabel,
} from './redis-reply';

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
    // protected mode, and Sentinel's refusals: codes Redis writes too
    expect(
      redisErrorLabel(new ReplyError('DENIED Redis is running in protected mode because ...')),
    ).toBe('DENIED');
    expect(redisErrorLabel(new ReplyError('NOGOODSLAVE No suitable replica to promote'))).toBe(
      'NOGOODSLAVE',
    );
  });

  it('shows no upper-case word Redis does not write as a code (a password in capitals)', () => {
    expect(redisErrorLabel(new ReplyError('HUNTER_PW rejected'))).toBe('ReplyError');
    expect(redisErrorLabel(scriptReplyError('-S3CRET_PASSWORD is not allowed here'))).not.toContain(
      'S3CRET',
    );
    expect(redisErrorLabel(scriptReplyError('-SECRETPASS is not allowed here'))).toBe('ReplyError');
  });
});

describe('isUnusableRedisReply', () => {
  it('is true for the replies every command gets: refused credentials or permissions, loading, busy', () => {
    for (const text of [
      'WRONGPASS invalid username-password pair or user is disabled.',
      'NOAUTH Authentication required.',
      'NOPERM User limited has no permissions to run the evalsha command',
      'LOADING Redis is loading the dataset in memory',
      'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.',
      "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
      'CLUSTERDOWN The cluster is down',
      'DENIED Redis is running in protected mode because protected mode is enabled',
      'ERR max number of clients reached',
    ]) {
      expect(isUnusableRedisReply(new ReplyError(text)), text).toBe(true);
    }
    // Redis 6 wraps what a command called by a script got in an ERR.
    expect(
      isUnusableRedisReply(scriptReplyError('-NOPERM this user has no permissions to access')),
    ).toBe(true);
  });

  it('is false for a reply that proves Redis works, a write-only refusal, and a client-side error', () => {
    for (const error of [
      new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value'),
      new ReplyError('ERR Error running script (call to f_1): @user_script:3: attempt to compare'),
      new ReplyError("OOM command not allowed when used memory > 'maxmemory'."),
      new ReplyError("READONLY You can't write against a read only replica."),
      new Error('Connection is closed.'),
      new Error('Reached the max retries per request limit (which is 1).'),
      'NOAUTH as a string, not an error',
      undefined,
    ]) {
      expect(isUnusableRedisReply(error), String(error)).toBe(false);
    }
  });
});

describe('integerReply', () => {
  it('reads the integers a stringNumbers client answers as text, and leaves anything else', () => {
    expect(integerReply('1')).toBe(1);
    expect(integerReply(['0', '-1', '250', 7])).toEqual([0, -1, 250, 7]);
    expect(integerReply(3)).toBe(3);
    for (const other of ['', '01', '1.5', ' 1', '1e3', '99999999999999999', 'OK', null]) {
      expect(integerReply(other), String(other)).toBe(other);
    }
    expect(integerReply(['1', 'x'])).toEqual([1, 'x']);
  });
});

describe('answersIntegersAsText', () => {
  it('is true only for a client, or a Cluster, made with stringNumbers: true', () => {
    expect(answersIntegersAsText({ options: { stringNumbers: true } })).toBe(true);
    expect(answersIntegersAsText({ options: { redisOptions: { stringNumbers: true } } })).toBe(
      true,
    );
    for (const client of [{ options: { stringNumbers: 'yes' } }, { options: {} }, {}, null, 'x']) {
      expect(answersIntegersAsText(client), JSON.stringify(client)).toBe(false);
    }
  });
});
