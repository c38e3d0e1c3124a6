import { describe, expect, it } from 'vitest';
import { fakeProvider, HI } from './__fixtures__/fake-provider';
import { pair } from './__fixtures__/routers';
import { createRouter } from './router';

// Router.embed, and a stream request refused before it starts.

describe('Router.embed and Router.stream', () => {
  it('embeds through the group, and passes over a deployment whose provider cannot', async () => {
    const a = fakeProvider('a');
    const b = fakeProvider('b');
    const noEmbed = { complete: a.complete };
    const router = createRouter({
      deployments: [
        { id: 'chat-only', group: 'embed', provider: noEmbed, model: 'x' },
        { id: 'b', group: 'embed', provider: b, model: 'e', priority: 1 },
      ],
    });
    const answer = await router.embed({ model: 'embed', input: 'hello' });
    expect(answer).toMatchObject({
      embeddings: [[1, 0]],
      route: { deployment: 'b', attempts: [] },
    });
    expect(router.stats()).toMatchObject({ embeddings: 1, successes: 1 });
    expect(router.stats().deployments['chat-only']!.skipped).toBe(1);
  });

  it('throws at once for a stream request naming an unknown group', () => {
    const { router } = pair();
    // @ts-expect-error an unknown group does not compile; from JavaScript it is a RangeError
    expect(() => router.stream({ model: 'nope', messages: HI })).toThrow(RangeError);
  });
});
