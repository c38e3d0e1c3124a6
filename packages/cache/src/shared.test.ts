import { describe, expect, it } from 'vitest';
import { sharedCache } from './shared';

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
});
