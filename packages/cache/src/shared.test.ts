import { describe, expect, it } from 'vitest';
import { createCache } from './cache';
import { sharedCache } from './shared';

/** Fabricated, format only: a Google API key, a base64url token, a Slack bot token. */
const KEY_SHAPES = [
  'AIzaSyA1b2C3d4E5f6G7h8-I9j0K1L2m3N4o5P6q',
  'Q2hhbmdlTWUtUGxlYXNl_c2VjcmV0LXRva2VuLTEyMw',
  'xoxb-2048163245-4096327891234-Zq8WmR3tY7uP1sLk9VbN2cXe',
];

describe('sharedCache', () => {
  it('gives every caller of one name the same entries', async () => {
    const a = sharedCache<string>('shared-test-answers', { maxEntries: 10 });
    await a.set('k', 'v');
    expect(await sharedCache<string>('shared-test-answers').get('k')).toBe('v');
    expect(await sharedCache<string>('shared-test-other').get('k')).toBeUndefined();
    await a.close();
    await sharedCache('shared-test-other').close();
  });

  it('frees the name on close, and refuses conflicting options', async () => {
    const ttl = () => 1_000;
    const a = sharedCache('shared-test-close', { ttl });
    expect(() => sharedCache('shared-test-close', { ttl: () => 1_000 })).toThrow(
      /shared cache "shared-test-close" already exists with other options \(`ttl` differs\)/,
    );
    // A typo on a later ask is the option error the first ask would give, not a difference.
    expect(() => sharedCache('shared-test-close', { ttl, maxEntrys: 5 } as never)).toThrow(
      /Unknown option `maxEntrys`: did you mean `maxEntries`\?/,
    );
    expect(sharedCache('shared-test-close', { ttl })).toBe(a);
    await a[Symbol.asyncDispose]();
    const b = sharedCache('shared-test-close');
    expect(b).not.toBe(a);
    await b.close();
  });

  it('refuses a key-shaped name or namespace without showing it, keeps ordinary labels', () => {
    for (const secret of KEY_SHAPES) {
      for (const attempt of [() => sharedCache(secret), () => createCache({ namespace: secret })]) {
        let error: unknown;
        try {
          attempt();
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(RangeError);
        expect(String(error) + (error as Error).stack).not.toContain(secret.slice(-12));
      }
    }
    for (const namespace of ['answers-v2', 'tenant_42', '123e4567-e89b-12d3-a456-426614174000']) {
      expect(createCache({ namespace }).key({ prompt: 'x' })).toMatch(`${namespace}:`);
    }
  });
});
