import { createOllamaProvider } from '@x/provider-ollama';
import { createOpenAIProvider } from '@x/provider-openai';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { DeploymentOptions } from './deployment-options';
import { createRouter } from './router';
import type { EmbedInput } from './types';

/** Type-level: checked by `tsc` (`pnpm typecheck`); the runtime part only builds the routers. */
describe('Router.embed types', () => {
  it("takes the inputs and fields of its providers' embed(), and token ids only where a provider takes them", async () => {
    const ollama = createOllamaProvider({ baseUrl: 'http://127.0.0.1:9' });
    const openai = createOpenAIProvider({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-test' });

    // Deployments built from configuration, typed `DeploymentOptions[]`: the fields every
    // provider's embedding request may have, text or token ids.
    const configured: DeploymentOptions[] = [
      { group: 'e', provider: openai, model: 'text-embedding-3-small' },
      { group: 'e', provider: ollama, model: 'nomic-embed-text' },
    ];
    const any = createRouter({ deployments: configured });
    type AnyRequest = Parameters<typeof any.embed>[0];
    expectTypeOf<AnyRequest['input']>().toEqualTypeOf<EmbedInput>();
    expectTypeOf<{ model: 'e'; input: number[][]; dimensions: 256 }>().toExtend<AnyRequest>();
    expectTypeOf<{ model: 'e'; input: readonly number[] }>().toExtend<AnyRequest>();
    expectTypeOf<AnyRequest['dimensions']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<AnyRequest['cache']>().toEqualTypeOf<
      'default' | 'bypass' | 'refresh' | undefined
    >();
    expectTypeOf<{ model: 'e'; input: number }>().not.toExtend<AnyRequest>();
    expectTypeOf<{ model: 'e'; input: (string | number)[] }>().not.toExtend<AnyRequest>();
    expectTypeOf<{ model: 'e'; input: 'x'; dimensions: '256' }>().not.toExtend<AnyRequest>();
    const notAnInput = () =>
      // @ts-expect-error a number is no embedding input
      any.embed({ model: 'e', input: 42 });
    expectTypeOf(notAnInput).toBeFunction();

    // Inferred from the deployments: each provider's own fields; token ids, which OpenAI takes.
    const both = createRouter({
      deployments: [
        { group: 'e', provider: ollama, model: 'nomic-embed-text' },
        { group: 'e', provider: openai, model: 'text-embedding-3-small' },
      ],
    });
    // Object literals, so an unknown key is an error (never called: the servers do not exist).
    const calls = () => [
      both.embed({
        model: 'e',
        input: [[9906, 1917], [15339]],
        dimensions: 256,
        encodingFormat: 'float',
        user: 'u-1',
      }),
      both.embed({ model: 'e', input: [9906, 1917], tags: ['eu'] }),
      both.embed({
        model: 'e',
        input: ['a', 'b'],
        truncate: false,
        keepAlive: '5m',
        options: { num_thread: 4 },
        cache: 'bypass',
      }),
      // @ts-expect-error `truncat` is a field of no provider's embedding request
      both.embed({ model: 'e', input: 'x', truncat: false }),
    ];
    expectTypeOf(calls).toBeFunction();
    type BothAnswer = Awaited<ReturnType<typeof both.embed>>;
    expectTypeOf<BothAnswer>().toExtend<{
      embeddings: number[][];
      route: { deployment: string };
    }>();

    // Over Ollama only: no provider takes token ids, and neither does the router.
    const local = createRouter({
      deployments: [{ group: 'e', provider: ollama, model: 'nomic-embed-text' }],
    });
    type LocalRequest = Parameters<typeof local.embed>[0];
    expectTypeOf<{ model: 'e'; input: number[][] }>().not.toExtend<LocalRequest>();
    expectTypeOf<{ model: 'e'; input: ['a']; dimensions: 64 }>().toExtend<LocalRequest>();
    const tokenIds = () =>
      // @ts-expect-error token ids, which no deployment's provider takes
      local.embed({ model: 'e', input: [[1, 2]] });
    expectTypeOf(tokenIds).toBeFunction();

    expect([any.groups, both.groups, local.groups]).toEqual([['e'], ['e'], ['e']]);
    await Promise.all([ollama.close(), openai.close()]);
  });
});
