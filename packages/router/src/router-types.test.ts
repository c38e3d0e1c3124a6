import type { EventEmitter } from 'node:events';
import type { ChatResponse as OllamaResponse } from '@x/provider-ollama';
import { createOllamaProvider } from '@x/provider-ollama';
import type { ChatResponse as OpenAIResponse, UrlCitation } from '@x/provider-openai';
import { createOpenAIProvider } from '@x/provider-openai';
import type Redis from 'ioredis';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { RedisSubscriberLike } from './redis-types';
import type { ProviderOf, RoutedChunk } from './router';
import { createRouter } from './router';
import type { Routed } from './types';

/** Type-level: checked by `tsc` (`pnpm typecheck`); the runtime part only builds the routers. */
describe('Router.stream types', () => {
  it("gives the last chunk the routed answer of its providers, every provider's fields", async () => {
    const ollama = createOllamaProvider({ baseUrl: 'http://127.0.0.1:9' });
    const openai = createOpenAIProvider({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-test' });

    const local = createRouter({ deployments: [{ group: 'g', provider: ollama, model: 'm' }] });
    // Never called: the server does not exist. Compiles only if the last chunk's answer is
    // Ollama's, routed.
    const readLocal = async () => {
      for await (const ch of local.stream({ model: 'g', messages: [] })) {
        if (ch.done) return [ch.response.content, ch.response.numCtx, ch.response.route.deployment];
        expectTypeOf(ch.response).toEqualTypeOf<undefined>();
      }
      return [];
    };
    expectTypeOf(readLocal).toBeFunction();
    type LocalLast = Extract<RoutedChunk<ChunkOfRouter<typeof local>>, { done: true }>;
    expectTypeOf<LocalLast['response']>().toEqualTypeOf<Routed<OllamaResponse>>();

    const both = createRouter({
      deployments: [
        { group: 'g', provider: ollama, model: 'm' },
        { group: 'g', provider: openai, model: 'gpt-4o-mini' },
      ],
    });
    type BothLast = Extract<ChunkOfRouter<typeof both>, { done: true }>;
    expectTypeOf<BothLast['response']>().toEqualTypeOf<Routed<OllamaResponse | OpenAIResponse>>();
    const readBoth = async () => {
      for await (const ch of both.stream({ model: 'g', messages: [] })) {
        if (ch.done) return `${ch.response.content} ${ch.response.route.servedBy}`;
      }
      return '';
    };
    expectTypeOf(readBoth).toBeFunction();
    expectTypeOf<ProviderOf<{ group: 'g'; provider: typeof ollama; model: 'm' }>>().toEqualTypeOf<
      typeof ollama
    >();

    expect([local.groups, both.groups]).toEqual([['g'], ['g']]);
    await Promise.all([ollama.close(), openai.close()]);
  });

  it("keeps the fields a provider's chunks add (OpenAI's requestId and annotations)", async () => {
    const openai = createOpenAIProvider({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-test' });
    const hosted = createRouter({ deployments: [{ group: 'g', provider: openai, model: 'm' }] });
    type Chunk = ChunkOfRouter<typeof hosted>;
    expectTypeOf<Chunk['requestId']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Chunk['annotations']>().toEqualTypeOf<UrlCitation[] | undefined>();
    type Last = Extract<Chunk, { done: true }>;
    expectTypeOf<Last['response']>().toEqualTypeOf<Routed<OpenAIResponse>>();
    expectTypeOf<Last['response']['requestId']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Extract<Chunk, { done: false }>['response']>().toEqualTypeOf<undefined>();
    expect(hosted.groups).toEqual(['g']);
    await openai.close();
  });
});

describe('createRouter deployment types', () => {
  it('refuses a key no deployment has, and still infers every provider', async () => {
    const ollama = createOllamaProvider({ baseUrl: 'http://127.0.0.1:9' });
    const openai = createOpenAIProvider({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: 'sk-test' });
    // Never called: the typo would be a TypeError at run time too.
    const typo = () =>
      createRouter({
        // @ts-expect-error `wieght` is no key of a deployment
        deployments: [{ group: 'g', provider: ollama, model: 'm', wieght: 2 }],
      });
    expectTypeOf(typo).toBeFunction();
    const router = createRouter({
      deployments: [
        { group: 'g', provider: ollama, model: 'm', weight: 2, tags: ['eu'] },
        { group: 'g', provider: openai, model: 'gpt-4o-mini', priority: 1 },
      ],
    });
    type Request = Parameters<typeof router.complete>[0];
    expectTypeOf<{ model: 'g'; messages: []; think: true }>().toExtend<Request>();
    expectTypeOf<{ model: 'g'; messages: []; parallelToolCalls: true }>().toExtend<Request>();
    expect(router.groups).toEqual(['g']);
    await Promise.all([ollama.close(), openai.close()]);
  });
});

/** The chunk type a router's `stream()` yields. */
type ChunkOfRouter<R extends { stream(request: never): AsyncIterable<unknown> }> =
  ReturnType<R['stream']> extends AsyncIterable<infer C> ? C : never;

describe('RedisSubscriberLike types', () => {
  it('takes an ioredis connection or any emitter, and types the listeners the router adds', () => {
    expectTypeOf<Redis>().toExtend<RedisSubscriberLike>();
    expectTypeOf<
      EventEmitter & Pick<Redis, 'subscribe' | 'quit'>
    >().toExtend<RedisSubscriberLike>();
    const subscriber: RedisSubscriberLike = {
      subscribe: async () => 1,
      on: () => undefined,
      removeListener: () => undefined,
      quit: async () => 'OK',
    };
    subscriber.on('message', (channel, message) =>
      expectTypeOf([channel, message]).toEqualTypeOf<string[]>(),
    );
    subscriber.on('error', (error) => expectTypeOf(error).toBeUnknown());
    // @ts-expect-error a message listener is called with strings
    subscriber.on('message', (channel: number) => channel);
    // @ts-expect-error the router listens to no such event
    subscriber.removeListener('mesage', () => undefined);
    expect(subscriber.on('ready', () => undefined)).toBeUndefined();
  });
});
