import { describe, expect, it } from 'vitest';
import { fakeProvider, HI } from './__fixtures__/fake-provider';
import { createRouter } from './router';

// Input the router let through (or crashed on) before calling a deployment: a signal that is no
// AbortSignal, holes in sparse arrays, `tags: null`, model names with control characters.

/** A provider whose calls reject with its own error, as a real one's check of the request would. */
function refusingProvider() {
  const provider = {
    calls: 0,
    complete: async (_request: unknown) => {
      provider.calls++;
      throw new TypeError("the provider's own error");
    },
    embed: async (_request: unknown) => {
      provider.calls++;
      throw new TypeError("the provider's own error");
    },
  };
  return provider;
}

/** The unhandled rejections seen while `run` and a few turns after it. */
async function unhandledDuring(run: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', listener);
  try {
    await run();
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('unhandledRejection', listener);
  }
  return seen;
}

describe('request.signal', () => {
  it.each(['complete', 'embed'] as const)(
    '%s() refuses a signal that is no AbortSignal before calling a deployment, leaving no rejection unhandled',
    async (op) => {
      const provider = refusingProvider();
      const router = createRouter({
        deployments: [{ id: 'a', group: 'g', provider, model: 'm' }],
      });
      const request = { model: 'g', messages: HI, input: 'x', signal: {} } as never;
      const unhandled = await unhandledDuring(async () => {
        const call = op === 'complete' ? router.complete(request) : router.embed(request);
        await expect(call).rejects.toThrow(
          new TypeError('Expected `request.signal` to be an AbortSignal, got `{}` (object)'),
        );
      });
      expect(unhandled).toEqual([]);
      expect(provider.calls).toBe(0);
      await router.close();
    },
  );
});

describe('a signal look-alike that cannot be listened to', () => {
  it("rejects with its error and still reads the provider's own outcome (none left unhandled)", async () => {
    const provider = refusingProvider();
    const router = createRouter({ deployments: [{ id: 'a', group: 'g', provider, model: 'm' }] });
    const signal = {
      aborted: false,
      addEventListener() {
        throw new Error('cannot listen');
      },
      removeEventListener() {},
    };
    const unhandled = await unhandledDuring(async () => {
      await expect(
        router.complete({ model: 'g', messages: HI, signal } as never),
      ).rejects.toThrow();
    });
    expect(unhandled).toEqual([]);
    await router.close();
  });
});

describe('sparse arrays and null', () => {
  const d = { id: 'a', group: 'chat', provider: fakeProvider('a'), model: 'm' };

  it('refuses a hole in `deployments` as undefined at its index', () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point.
    expect(() => createRouter({ deployments: [, d] as never })).toThrow(
      new TypeError(
        'Expected `deployments[0]` to be a deployment object, got `undefined` (undefined)',
      ),
    );
  });

  it('refuses a hole in a deployment`s tags, and tags: null', () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point.
    expect(() => createRouter({ deployments: [{ ...d, tags: [, 'x'] as never }] })).toThrow(
      new TypeError(
        'Expected `deployments[0].tags[0]` to be a string, got `undefined` (undefined)',
      ),
    );
    expect(() => createRouter({ deployments: [{ ...d, tags: null as never }] })).toThrow(
      new TypeError('Expected `deployments[0].tags` to be an array of strings, got `null` (null)'),
    );
  });

  it('refuses a hole in a request`s tags', async () => {
    const router = createRouter({ deployments: [{ ...d, tags: ['x'] }] });
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point.
    const tags = [, 'x'] as never;
    await expect(router.complete({ model: 'chat', messages: HI, tags })).rejects.toThrow(
      new TypeError('Expected `request.tags[0]` to be a string, got `undefined` (undefined)'),
    );
    await router.close();
  });
});

describe('deployments[].model', () => {
  it('refuses control characters and surrounding whitespace when the router is built', () => {
    for (const model of ['m\n', 'a\u0000b', ' m', 'm ', 'a\tb']) {
      expect(() =>
        createRouter({ deployments: [{ group: 'g', provider: fakeProvider('a'), model }] }),
      ).toThrow(
        /^Expected `deployments\[0\]\.model` to be a model name without control characters/,
      );
    }
  });
});
