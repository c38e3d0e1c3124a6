import { describe, expect, it } from 'vitest';
import { createCache } from './cache';
import { isCacheKeyError } from './errors';

/** The error `call` throws (or rejects with). */
async function thrown(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('cache arguments', () => {
  it('throws CacheKeyError naming `request` when decide() is given no request, whatever the strategy', async () => {
    for (const strategy of ['disabled', 'conservative', 'selective', 'aggressive'] as const) {
      const cache = createCache({ strategy });
      for (const [bad, shown] of [
        [5, '`5` (number)'],
        [null, '`null` (null)'],
        [undefined, '`undefined` (undefined)'],
        [[1], 'an array of 1 items'],
        ['sk-live-secret', 'a string of 14 characters'],
      ] as const) {
        const error = await thrown(() => cache.decide(bad as never));
        expect(isCacheKeyError(error)).toBe(true);
        expect(error).toBeInstanceOf(TypeError);
        expect((error as Error).message).toBe(`Expected \`request\` to be an object, got ${shown}`);
      }
    }
  });

  it('says a request or a key is accepted when a method taking either is given neither', async () => {
    const cache = createCache();
    const calls: [string, (input: never) => unknown][] = [
      ['get', (input) => cache.get(input)],
      ['has', (input) => cache.has(input)],
      ['set', (input) => cache.set(input, 'v')],
      ['delete', (input) => cache.delete(input)],
      ['lookup', (input) => cache.lookup(input)],
    ];
    for (const [name, call] of calls) {
      for (const [bad, shown] of [
        [5, '`5` (number)'],
        [null, '`null` (null)'],
        [[1], 'an array of 1 items'],
      ] as const) {
        const error = await thrown(() => call(bad as never));
        expect(isCacheKeyError(error), name).toBe(true);
        expect((error as Error).message, name).toBe(
          `Expected \`input\` to be a request (an object) or a key (a string), got ${shown}`,
        );
      }
    }
  });

  it('still names `request` when a method that takes only a request is given something else', async () => {
    const cache = createCache();
    const calls = [
      () => cache.key(5 as never),
      () => cache.getOrLoad(5 as never, async () => 'v'),
      () => cache.load(5 as never, async () => 'v'),
    ];
    for (const call of calls) {
      expect(((await thrown(call)) as Error).message).toBe(
        'Expected `request` to be an object, got `5` (number)',
      );
    }
  });
});
