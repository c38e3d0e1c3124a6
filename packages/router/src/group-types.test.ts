import type { BaseChatRequest, BaseChatResponse } from '@x/provider-core';
import { createOllamaProvider } from '@x/provider-ollama';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { DeploymentOptions } from './deployment-options';
import type { RouterOptions } from './options';
import { createRouter, type Router } from './router';
import type { RoutableProvider } from './types';

/** A provider with `complete()` only (never called): its groups cannot embed. */
const chatOnly = {
  complete: (_request: BaseChatRequest): Promise<BaseChatResponse> =>
    Promise.reject(new Error('never called')),
};

/**
 * Type-level: checked by `tsc` (`pnpm typecheck`); the runtime part only builds the routers, and
 * the calls that would not compile are never made.
 */
describe('request.model types', () => {
  it('names a group of the deployments written out, so a misspelt one does not compile', async () => {
    const ollama = createOllamaProvider({ baseUrl: 'http://127.0.0.1:9' });
    const router = createRouter({
      deployments: [
        { group: 'chat', provider: ollama, model: 'llama3.2' },
        { group: 'embed', provider: ollama, model: 'nomic-embed-text' },
      ],
    });
    type Request = Parameters<typeof router.complete>[0];
    expectTypeOf<Request['model']>().toEqualTypeOf<'chat' | 'embed'>();
    expectTypeOf<Parameters<typeof router.stream>[0]['model']>().toEqualTypeOf<'chat' | 'embed'>();
    expectTypeOf<Parameters<typeof router.embed>[0]['model']>().toEqualTypeOf<'chat' | 'embed'>();
    expectTypeOf(router.groups).toEqualTypeOf<('chat' | 'embed')[]>();
    const misspelt = () => [
      // @ts-expect-error `chta` is no group of the router
      router.complete({ model: 'chta', messages: [{ role: 'user', content: 'hi' }] }),
      // @ts-expect-error `chta` is no group of the router
      router.stream({ model: 'chta', messages: [] }),
      // @ts-expect-error `embd` is no group of the router
      router.embed({ model: 'embd', input: 'x' }),
      router.complete({ model: 'chat', messages: [], think: true }),
    ];
    expectTypeOf(misspelt).toBeFunction();

    // `as const` deployments, built before the call, keep their names too.
    const listed = [{ group: 'chat-small', provider: ollama, model: 'qwen3:4b' }] as const;
    const fromList = createRouter({ deployments: listed });
    expectTypeOf<Parameters<typeof fromList.complete>[0]['model']>().toEqualTypeOf<'chat-small'>();

    expect([router.groups, fromList.groups]).toEqual([['chat', 'embed'], ['chat-small']]);
    await ollama.close();
  });

  it('offers embed() only the groups with a deployment that embeds', () => {
    const ollama = createOllamaProvider({ baseUrl: 'http://127.0.0.1:9' });
    const router = createRouter({
      deployments: [
        { group: 'chat', provider: chatOnly, model: 'm' },
        { group: 'both', provider: chatOnly, model: 'm' },
        { group: 'both', provider: ollama, model: 'nomic-embed-text' },
      ],
    });
    expectTypeOf<Parameters<typeof router.complete>[0]['model']>().toEqualTypeOf<'chat' | 'both'>();
    expectTypeOf<Parameters<typeof router.embed>[0]['model']>().toEqualTypeOf<'both'>();
    const noEmbeddings = () =>
      // @ts-expect-error no deployment of `chat` has embed()
      router.embed({ model: 'chat', input: 'x' });
    expectTypeOf(noEmbeddings).toBeFunction();
    expect(router.groups).toEqual(['chat', 'both']);
    return ollama.close();
  });

  it('stays string for groups built from configuration', async () => {
    const ollama = createOllamaProvider({ baseUrl: 'http://127.0.0.1:9' });
    const names: string[] = ['chat'];
    const configured: DeploymentOptions[] = names.map((group) => ({
      group,
      provider: ollama,
      model: 'llama3.2',
    }));
    const fromConfig = createRouter({ deployments: configured });
    // A group name of a variable among written-out ones makes them all `string`.
    const group: string = 'chat';
    const mixed = createRouter({
      deployments: [
        { group: 'chat', provider: ollama, model: 'llama3.2' },
        { group, provider: ollama, model: 'llama3.2' },
      ],
    });
    expectTypeOf<Parameters<typeof fromConfig.complete>[0]['model']>().toEqualTypeOf<string>();
    expectTypeOf<Parameters<typeof fromConfig.embed>[0]['model']>().toEqualTypeOf<string>();
    expectTypeOf<Parameters<typeof mixed.stream>[0]['model']>().toEqualTypeOf<string>();
    expectTypeOf(fromConfig.groups).toEqualTypeOf<string[]>();
    // Any string compiles (an unknown group is the RangeError it always was).
    const anyName = (model: string) => [
      fromConfig.complete({ model, messages: [] }),
      fromConfig.embed({ model, input: 'x' }),
      mixed.complete({ model: 'chta', messages: [] }),
    ];
    expectTypeOf(anyName).toBeFunction();
    expect([fromConfig.groups, mixed.groups]).toEqual([['chat'], ['chat']]);
    await ollama.close();
  });

  it('keeps a router of named groups a Router, and a provider of another router', async () => {
    const ollama = createOllamaProvider({ baseUrl: 'http://127.0.0.1:9' });
    const inner = createRouter({
      deployments: [{ group: 'chat', provider: ollama, model: 'llama3.2' }],
    });
    expectTypeOf(inner).toExtend<Router>();
    expectTypeOf(inner).toExtend<RoutableProvider>();
    const plain: Router = inner;
    const outer = createRouter({
      deployments: [{ group: 'front', provider: inner, model: 'chat' }],
    });
    expectTypeOf<Parameters<typeof outer.complete>[0]['model']>().toEqualTypeOf<'front'>();
    expect([plain.groups, outer.groups]).toEqual([['chat'], ['front']]);
    await ollama.close();
  });

  it('checks the groups of fallbacks against the deployments written out, and takes any from configuration', async () => {
    const ollama = createOllamaProvider({ baseUrl: 'http://127.0.0.1:9' });
    const deployments = [
      { group: 'small', provider: ollama, model: 'qwen3:4b' },
      { group: 'large', provider: ollama, model: 'qwen3:32b' },
    ] as const;
    const fine = createRouter({
      deployments,
      fallbacks: { small: ['large'] },
      contextFallbacks: { small: ['large'], large: undefined },
    });
    const misspelt = () => [
      // @ts-expect-error `smal` is no group of the router
      createRouter({ deployments, fallbacks: { smal: ['large'] } }),
      // @ts-expect-error `lrge` is no group of the router
      createRouter({ deployments, fallbacks: { small: ['lrge'] } }),
      // @ts-expect-error `lrge` is no group of the router
      createRouter({ deployments, contextFallbacks: { small: ['lrge'] } }),
    ];
    expectTypeOf(misspelt).toBeFunction();

    // A map in a variable keeps its lists literal with `as const`; widened to `string[]`, it does not
    // compile against the groups (as a request's `model` in a variable).
    const held = { small: ['large'] } as const;
    const widened = { small: ['large'] };
    const fromVariables = () => [
      createRouter({ deployments, fallbacks: held }),
      // @ts-expect-error `string[]` is not a list of the router's groups: `as const` keeps it one
      createRouter({ deployments, fallbacks: widened }),
    ];
    expectTypeOf(fromVariables).toBeFunction();

    // Options shared as a `RouterOptions` (groups: `string`) leave the deployments' names as they are.
    const shared: Omit<RouterOptions, 'deployments'> = { fallbacks: { small: ['large'] } };
    const spread = createRouter({ deployments, ...shared });
    expectTypeOf(spread.groups).toEqualTypeOf<('small' | 'large')[]>();
    // Built from configuration: any name compiles, and an unknown one is a RangeError at run time.
    const configured: Record<string, string[]> = { small: ['large'] };
    const fromConfig = createRouter({ deployments, fallbacks: configured });
    configured.tiny = ['large'];
    expect(() => createRouter({ deployments, fallbacks: configured })).toThrow(RangeError);
    expect([fine.groups, spread.groups, fromConfig.groups]).toEqual([
      ['small', 'large'],
      ['small', 'large'],
      ['small', 'large'],
    ]);
    await ollama.close();
  });
});
