// A deployment's id and group appear in errors, events, stats, Prometheus labels and Redis keys:
// one that holds a credential (an id written as the server's URL, password included) is refused
// at construction, as a provider's or a breaker's name is, and never shown. Its model shows in
// stats, attempts and events as well: one holding a login is refused alike.
import { inspect } from 'node:util';
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

  it.each([
    `http://ops:${PW}@gpu-1:11434/m`,
    `https://ops:${PW}@hf.co/org/model`,
    `ops:${PW}@registry.example.com/ns/model:tag`,
  ])('as a model holding a login (%s) is refused, and not shown', (model) => {
    const build = () =>
      createRouter({ deployments: [{ group: 'chat', provider: fakeProvider('a'), model }] });
    expect(build).toThrow(RangeError);
    expect(build).toThrow(/deployments\[0\]\.model/);
    try {
      build();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(PW);
      expect(inspect(error)).not.toContain(PW);
    }
  });

  it('as a model name, a path or a pinned reference is taken as given', async () => {
    const models = [
      'hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M',
      `smollm2:latest@sha256:${'0123456789abcdef'.repeat(4)}`,
      '/models/snapshots/0e9e39f249a16976918f6564b8830bc894c89659',
      'claude-3-5-sonnet-v2@20241022',
    ];
    const router = createRouter({
      deployments: models.map((model) => ({ group: 'chat', provider: fakeProvider('a'), model })),
    });
    expect(Object.values(router.stats().deployments).map((d) => d.model)).toEqual(models);
    await router.close();
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
