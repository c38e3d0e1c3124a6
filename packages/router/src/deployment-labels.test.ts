// A deployment's id and group appear in errors, events, stats, Prometheus labels and Redis keys:
// one that holds a credential (an id written as the server's URL, password included) is refused
// at construction, as a provider's or a breaker's name is, and never shown.
import { describe, expect, it } from 'vitest';
import { fakeProvider } from './__fixtures__/fake-provider';
import { createRouter } from './router';

const PW = 'hunter2-Secret';

describe('a deployment label', () => {
  it.each([
    ['id', { group: 'chat', id: `http://ops:${PW}@gpu-1:11434` }],
    ['group', { group: `https://ops:${PW}@gpu-1` }],
    ['id', { group: 'chat', id: 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789' }],
  ])('holding a credential in its %s is refused, and not shown', (field, labels) => {
    const build = () =>
      createRouter({ deployments: [{ ...labels, provider: fakeProvider('a'), model: 'm' }] });
    expect(build).toThrow(new RegExp(`deployments\\[0\\]\\.${field}`));
    try {
      build();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(PW);
      expect(String((error as Error).message)).not.toContain('abcdefghijklmnop');
    }
  });

  it('with a lone surrogate is refused: written to Redis or a label it would be another id', () => {
    // 'a\uD800' reaches Redis as 'a\uFFFD': two deployments would share one cooldown key
    for (const labels of [{ group: 'chat', id: 'a\uD800' }, { group: 'chat\uDC00' }]) {
      expect(() =>
        createRouter({ deployments: [{ ...labels, provider: fakeProvider('a'), model: 'm' }] }),
      ).toThrow(RangeError);
    }
  });

  it('of plain words is taken as given', () => {
    const router = createRouter({
      deployments: [
        { group: 'chat-small', id: 'gpu-1 (eu)', provider: fakeProvider('a'), model: 'm' },
      ],
    });
    const stats = router.stats();
    expect(Object.keys(stats.deployments)).toEqual(['gpu-1 (eu)']);
    expect(Object.keys(stats.groups)).toEqual(['chat-small']);
  });
});
