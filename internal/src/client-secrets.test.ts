import { describe, expect, it } from 'vitest';
import { redactKnownSecrets, redisClientSecrets } from './client-secrets';
import { secretForms } from './secret-encodings';

const PASSWORD = 's3cr3t-PASSWORD/+é"x';

describe('redactKnownSecrets', () => {
  it('hides every form of the secret a server or proxy may quote', () => {
    const bytes = Buffer.from(PASSWORD, 'utf8');
    const hex = bytes.toString('hex');
    const forms = [
      PASSWORD,
      encodeURIComponent(PASSWORD),
      encodeURIComponent(PASSWORD).toLowerCase(),
      Array.from(bytes, (b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join(''),
      bytes.toString('base64'),
      bytes.toString('base64').replace(/=+$/, ''),
      bytes.toString('base64url'),
      hex,
      hex.toUpperCase(),
      hex.match(/../g)!.join(':'),
      JSON.stringify(PASSWORD).slice(1, -1),
      JSON.stringify(JSON.stringify(PASSWORD).slice(1, -1)).slice(1, -1),
    ];
    for (const form of forms) {
      expect(redactKnownSecrets(`ERR nope ${form} end`, [PASSWORD])).toBe(
        'ERR nope [redacted] end',
      );
    }
    // a long password upper-cased is still it
    expect(redactKnownSecrets(`x ${PASSWORD.toUpperCase()}`, [PASSWORD])).toBe('x [redacted]');
  });

  it('hides the secret read backwards, by code point, in any case for a long one', () => {
    const backwards = [...PASSWORD].reverse().join('');
    expect(redactKnownSecrets(`-ERR bad ${backwards}`, [PASSWORD])).toBe('-ERR bad [redacted]');
    expect(redactKnownSecrets(`x ${backwards.toUpperCase()}`, [PASSWORD])).toBe('x [redacted]');
    const emoji = 'pw-\u{1f511}-key';
    expect(redactKnownSecrets(`x ${[...emoji].reverse().join('')} y`, [emoji])).toBe(
      'x [redacted] y',
    );
    // from SECRET_MIN characters, as written only under FOLD_MIN, as the secret itself
    expect(redactKnownSecrets('ERR ssap Ssap', ['pass'])).toBe('ERR [redacted] Ssap');
    expect(redactKnownSecrets('ERR cba', ['abc'])).toBe('ERR cba');
    // a hex-looking password read backwards is matched in its case, not as hex digits
    expect(redactKnownSecrets('x 0fedcba9 0FEDCBA9', ['9abcdef0'])).toBe('x [redacted] 0FEDCBA9');
    expect(secretForms('abcd')).toContain('dcba');
  });

  it('leaves text without the secret, and credentials too short to look for, alone', () => {
    expect(redactKnownSecrets('ERR wrong number of arguments', [PASSWORD])).toBe(
      'ERR wrong number of arguments',
    );
    expect(redactKnownSecrets('ERR abc', ['abc'])).toBe('ERR abc');
    // a short password is matched as written only: `Pass` is not `pass`
    expect(redactKnownSecrets('pass Pass', ['pass'])).toBe('[redacted] Pass');
    expect(secretForms('ab').length).toBeGreaterThan(5);
  });
});

describe('redisClientSecrets', () => {
  it("reads an ioredis client's password and user, its sentinel's, and not the public default user", () => {
    expect(
      redisClientSecrets({
        options: { username: 'app', password: 'pw-1', sentinelPassword: 'sp-1' },
      }),
    ).toEqual(['pw-1', 'app', 'sp-1']);
    expect(redisClientSecrets({ options: { username: 'default', password: 'pw-1' } })).toEqual([
      'pw-1',
    ]);
    // a user name alone is not a credential
    expect(redisClientSecrets({ options: { username: 'app' } })).toEqual([]);
    expect(redisClientSecrets({ evalsha() {} })).toEqual([]);
    expect(redisClientSecrets(null)).toEqual([]);
  });

  it("reads a cluster's redisOptions, its startup nodes and its nodes' clients", () => {
    const cluster = {
      options: { redisOptions: { password: 'cluster-pw' } },
      startupNodes: ['redis://u1:p%40ss-1@h:1', { host: 'h', port: 2, password: 'node-pw' }, 7000],
      nodes: () => [{ options: { password: 'rotated-pw' } }],
    };
    expect(redisClientSecrets(cluster).sort()).toEqual(
      ['cluster-pw', 'p@ss-1', 'u1', 'node-pw', 'rotated-pw'].sort(),
    );
  });

  it('never throws on an odd client', () => {
    const hostile = {
      get options(): never {
        throw new Error('no');
      },
    };
    expect(redisClientSecrets(hostile)).toEqual([]);
  });
});
