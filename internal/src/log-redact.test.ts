import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ReplyError } from '../testing/redis-replies';
import { driverErrorForCause, keyHash } from './log-redact';
import { redactUrlCredentials } from './secret-text';

describe('redactUrlCredentials', () => {
  it('hides the userinfo of every URL in a text when it holds a password or a token', () => {
    expect(
      redactUrlCredentials(
        'connect to redis://:s3cret@cache:6379 failed; rediss://user:pa55@db.example:6380/0 too',
      ),
    ).toBe(
      'connect to redis://[redacted]@cache:6379 failed; rediss://[redacted]@db.example:6380/0 too',
    );
    expect(redactUrlCredentials('https://tok3n@proxy.test/x')).toBe(
      'https://[redacted]@proxy.test/x',
    );
  });

  it('hides a password that holds an @ or a / unescaped, up to the last @ of the URL', () => {
    expect(redactUrlCredentials('redis://:p@ss-SECRET99@host:6379 down')).toBe(
      'redis://[redacted]@host:6379 down',
    );
    expect(redactUrlCredentials('"redis://:SECRET99/x@h" failed')).toBe(
      '"redis://[redacted]@h" failed',
    );
  });

  it('hides a password holding # and leaves an @ in a path alone', () => {
    expect(redactUrlCredentials('redis://:abc#def@host:6379 refused')).toBe(
      'redis://[redacted]@host:6379 refused',
    );
    const paths = [
      'fetch https://unpkg.com/react@18/umd/react.js failed',
      'see https://medium.com/@user/post',
      'at http://localhost:3000/node_modules/.vite/deps/pkg@1.js:10:5',
      'at file:///work/node_modules/.pnpm/vitest@4.1.12/node_modules/vitest/dist/index.js:1:1',
    ];
    for (const text of paths) expect(redactUrlCredentials(text)).toBe(text);
  });

  it('leaves a text without URL credentials as it is', () => {
    const text = 'connect ECONNREFUSED 127.0.0.1:6379 (redis://cache:6379, mail a@b.test)';
    expect(redactUrlCredentials(text)).toBe(text);
  });
});

describe('keyHash', () => {
  it('gives 16 hex digits, the same for the same key and different for another', () => {
    const hash = keyHash('user:alice@example.com');
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    expect(keyHash('user:alice@example.com')).toBe(hash);
    expect(keyHash('user:bob@example.com')).not.toBe(hash);
    expect(hash).not.toContain('alice');
  });
});

describe('driverErrorForCause', () => {
  it('drops the command arguments and keeps class, message, stack and command name when an error quotes them', () => {
    const error = Object.assign(new ReplyError('WRONGPASS invalid username-password pair'), {
      command: { name: 'auth', args: ['hunter2secret'] },
      code: 'X',
    });
    const copy = driverErrorForCause(error) as ReplyError & Record<string, unknown>;
    expect(copy).toBeInstanceOf(ReplyError);
    expect(copy.message).toBe(error.message);
    expect(copy.stack).toBe(error.stack);
    expect(copy.code).toBe('X');
    expect(copy.command).toEqual({ name: 'auth' });
    expect(inspect(copy, { depth: 5 })).not.toContain('hunter2');
    // the client's own error is left alone
    expect(error.command.args).toEqual(['hunter2secret']);
  });

  it('returns the error itself when it quotes no command arguments', () => {
    const error = new Error('Connection is closed.');
    expect(driverErrorForCause(error)).toBe(error);
    expect(driverErrorForCause('text')).toBe('text');
  });

  it('redacts a connection string the message (and so the stack) quotes, in a copy', () => {
    const error = Object.assign(
      new Error('connect ECONNREFUSED redis://default:secretpass@10.1.1.1:6379'),
      { code: 'ECONNREFUSED' },
    );
    const copy = driverErrorForCause(error) as Error & { code: string };
    expect(copy).not.toBe(error);
    expect(copy).toBeInstanceOf(Error);
    expect(copy.code).toBe('ECONNREFUSED');
    expect(copy.message).toBe('connect ECONNREFUSED redis://[redacted]@10.1.1.1:6379');
    expect(inspect(copy, { depth: 5, showHidden: true })).not.toContain('secretpass');
    expect(JSON.stringify(copy)).not.toContain('secretpass');
    expect(error.message).toContain('secretpass');
    expect(driverErrorForCause('failed: redis://:pw@h')).toBe('failed: redis://[redacted]@h');
  });
});

describe('driverErrorForCause with the client credentials', () => {
  it('hides a password the message quotes bare or URL-encoded, in a copy whose stack is clean too', () => {
    const password = 's3cr3t/PASS word';
    const error = Object.assign(
      new ReplyError(`ERR auth ${password} rejected (${encodeURIComponent(password)})`),
      { command: { name: 'get', args: ['k'] } },
    );
    const copy = driverErrorForCause(error, [password]) as ReplyError;
    expect(copy).toBeInstanceOf(ReplyError);
    expect(copy.message).toBe('ERR auth [redacted] rejected ([redacted])');
    const shown = inspect(copy, { depth: 5, showHidden: true });
    expect(shown).not.toContain('s3cr3t');
    expect(error.message).toContain(password);
    expect(driverErrorForCause(`bad ${password}`, [password])).toBe('bad [redacted]');
  });

  it('returns the error itself when it quotes none of the credentials', () => {
    const error = new Error('ERR unknown command');
    expect(driverErrorForCause(error, ['s3cr3t-PASSWORD'])).toBe(error);
  });
});
