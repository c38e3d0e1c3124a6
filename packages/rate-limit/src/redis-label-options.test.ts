import {
  CREDENTIAL_LABELS,
  credentialRefusal,
  errorTexts,
  recordingRedisClient,
  thrownBy,
} from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { createRedisStore, createRedisTokenBucket } from './redis';

// A store's `prefix` and a bucket's `key` are written into every Redis key: like a provider's
// `rateLimit.key` and a cache's namespace, they are labels, a credential's shape refused before
// anything is sent and never shown.

const recordingClient = () => recordingRedisClient(['evalsha', 'eval']);

describe('a Redis prefix or bucket key holding a credential shape', () => {
  for (const [shape, value, secret] of CREDENTIAL_LABELS) {
    it(`createRedisStore refuses a prefix holding ${shape}, unshown, sending nothing`, () => {
      const { client, sent } = recordingClient();
      const error = thrownBy(() => createRedisStore({ client, prefix: value }));
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toBe(credentialRefusal('prefix'));
      for (const text of errorTexts([error])) expect(text).not.toContain(secret);
      expect(sent).toEqual([]);
    });

    it(`createRedisTokenBucket refuses a prefix or a key holding ${shape}, unshown`, () => {
      for (const [field, options] of [
        ['prefix', { prefix: value, key: 'openai' }],
        ['key', { key: value }],
      ] as const) {
        const { client, sent } = recordingClient();
        const error = thrownBy(() =>
          createRedisTokenBucket({ client, ratePerSecond: 1, ...options }),
        );
        expect(error).toBeInstanceOf(RangeError);
        expect(error.message).toBe(credentialRefusal(field));
        for (const text of errorTexts([error])) expect(text).not.toContain(secret);
        expect(sent).toEqual([]);
      }
    });
  }

  it('refuses an empty bucket key (a RangeError naming `key`), as a provider refuses `rateLimit.key: ""`', () => {
    const { client, sent } = recordingClient();
    const error = thrownBy(() => createRedisTokenBucket({ client, key: '', ratePerSecond: 1 }));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toContain('`key`');
    expect(sent).toEqual([]);
  });

  it("takes labels, and '' as a prefix (no prefix), as given", async () => {
    const { client } = recordingClient();
    expect(() => createRedisStore({ client, prefix: '' })).not.toThrow();
    expect(() => createRedisStore({ client, prefix: '{tenant}:' })).not.toThrow();
    await using bucket = createRedisTokenBucket({
      client,
      prefix: '',
      key: 'openai',
      ratePerSecond: 1,
    });
    expect(bucket.stats().admitted).toBe(0);
  });

  it('takes ids, which a long run of letters and digits is there, as keys and prefixes', async () => {
    const { client } = recordingClient();
    for (const id of [
      'tenant:507f1f77bcf86cd799439011', // a Mongo ObjectId
      'user:3f2a9c1e7b4d4e0f9a8b7c6d5e4f3a2b', // a UUID without its dashes
      'deploy-1a2b3c4d5e6f7a8b',
      'org-AbCdEf123456GhIjKl',
    ]) {
      expect(() => createRedisStore({ client, prefix: `${id}:` }), id).not.toThrow();
      await using bucket = createRedisTokenBucket({ client, key: id, ratePerSecond: 1 });
      expect(bucket.stats().admitted).toBe(0);
    }
  });
});
