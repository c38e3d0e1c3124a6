import { undefinedOptionsRefused } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { fakeProvider } from './__fixtures__/fake-provider';
import { createRouter } from './router';

// What createRouter accepts and refuses, before anything runs.

describe('createRouter', () => {
  it('throws a TypeError naming an unknown option and the closest known one', () => {
    const deployments = [{ group: 'g', provider: fakeProvider('a'), model: 'm' }];
    expect(() => createRouter({ deployments, fallback: {} } as never)).toThrow(
      new TypeError('Unknown option `fallback`: did you mean `fallbacks`?'),
    );
    expect(() => createRouter({ deployments, cooldown: { duration: 1 } } as never)).toThrow(
      new TypeError('Unknown option `cooldown.duration`: did you mean `cooldown.durationMs`?'),
    );
    expect(() =>
      createRouter({ deployments: [{ ...deployments[0]!, weigth: 2 }] } as never),
    ).toThrow(
      new TypeError(
        'Unknown option `deployments[0].weigth`: did you mean `deployments[0].weight`?',
      ),
    );
    expect(() => createRouter({ deployments, latency: { exploraton: 1 } } as never)).toThrow(
      /Unknown option `latency.exploraton`: did you mean `latency.exploration`\?/,
    );
  });

  it('throws TypeError for a wrong type and RangeError for a wrong value, before anything runs', () => {
    const provider = fakeProvider('a');
    const d = { group: 'g', provider, model: 'm' };
    expect(() => createRouter({ deployments: [] })).toThrow(RangeError);
    expect(() => createRouter({ deployments: 'x' } as never)).toThrow(
      new TypeError('Expected `deployments` to be an array of deployments, got `"x"` (string)'),
    );
    expect(() => createRouter({ deployments: [{ ...d, provider: {} }] } as never)).toThrow(
      /Expected `deployments\[0\]\.provider` to be a provider with complete\(\), stream\(\) or embed\(\)/,
    );
    expect(() => createRouter({ deployments: [{ ...d, weight: 0 }] })).toThrow(RangeError);
    expect(() => createRouter({ deployments: [{ ...d, weight: '1' }] } as never)).toThrow(
      TypeError,
    );
    expect(() => createRouter({ deployments: [{ ...d, priority: 1.5 }] })).toThrow(RangeError);
    expect(() => createRouter({ deployments: [{ ...d, maxConcurrent: 0 }] })).toThrow(RangeError);
    expect(() => createRouter({ deployments: [{ ...d, group: '' }] })).toThrow(RangeError);
    expect(() => createRouter({ deployments: [{ ...d, tags: 'eu' }] } as never)).toThrow(TypeError);
    expect(() => createRouter({ deployments: [d, { ...d, id: 'g/0' }] })).toThrow(
      new RangeError(
        'Expected `deployments[1].id` to be an id no other deployment has, got `"g/0"` (string)',
      ),
    );
    expect(() => createRouter({ deployments: [d], strategy: 'fastest' } as never)).toThrow(
      RangeError,
    );
    expect(() => createRouter({ deployments: [d], strategy: 1 } as never)).toThrow(TypeError);
    expect(() => createRouter({ deployments: [d], fallbacks: { g: ['nope'] } })).toThrow(
      new RangeError(
        'Expected `fallbacks.g[0]` to be another model group ("g"), got `"nope"` (string)',
      ),
    );
    expect(() => createRouter({ deployments: [d], fallbacks: { g: ['g'] } })).toThrow(RangeError);
    expect(() => createRouter({ deployments: [d], contextFallbacks: { x: [] } })).toThrow(
      RangeError,
    );
    expect(() => createRouter({ deployments: [d], cooldown: { durationMs: 2 ** 31 } })).toThrow(
      RangeError,
    );
    expect(() => createRouter({ deployments: [d], cooldown: { failures: 0 } })).toThrow(RangeError);
    expect(() => createRouter({ deployments: [d], latency: { smoothing: 0 } })).toThrow(RangeError);
    expect(() => createRouter({ deployments: [d], random: 4 } as never)).toThrow(TypeError);
    expect(() => createRouter({ deployments: [d], state: {} } as never)).toThrow(TypeError);
  });

  it('never repeats a secret in an option error: a Redis URL for state, a key for a provider', () => {
    const dep = { group: 'chat', provider: fakeProvider('a'), model: 'm' };
    const messages = [
      () =>
        createRouter({
          deployments: [dep],
          state: 'redis://:hunter2secret@redis.local:6379',
        } as never),
      () =>
        createRouter({
          deployments: [
            { group: 'chat', model: 'm', provider: { apiKey: 'sk-proj-SECRETSECRET1234567890' } },
          ],
        } as never),
    ].map((build) => {
      try {
        build();
      } catch (error) {
        expect(error).toBeInstanceOf(TypeError);
        return (error as Error).message;
      }
      throw new Error('createRouter accepted it');
    });
    expect(messages[0]).toMatch(/^Expected `state` to be a router state/);
    expect(messages[1]).toMatch(/^Expected `deployments\[0\]\.provider` to be a provider/);
    for (const message of messages) {
      expect(message).not.toContain('hunter2secret');
      expect(message).not.toContain('SECRETSECRET');
    }
  });

  it('names deployments `<group>/<n>` when they have no id', async () => {
    const router = createRouter({
      deployments: [
        { group: 'chat', provider: fakeProvider('a'), model: 'm' },
        { group: 'embed', provider: fakeProvider('b'), model: 'e' },
        { group: 'chat', provider: fakeProvider('c'), model: 'm' },
      ],
    });
    expect(Object.keys(router.stats().deployments)).toEqual(['chat/0', 'embed/0', 'chat/1']);
    expect(router.groups).toEqual(['chat', 'embed']);
  });
});

describe('an option set to undefined', () => {
  it('is the same as leaving it out, for every option createRouter accepts', async () => {
    const deployments = [{ id: 'a', group: 'chat', model: 'm', provider: fakeProvider('a') }];
    expect(
      await undefinedOptionsRefused(
        (o) => createRouter(o as never),
        { deployments },
        (r) => r.close(),
      ),
    ).toEqual([]);
  });
});
