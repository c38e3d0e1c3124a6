import { startOllamaSim } from '@x/ollama-sim';
import { chatResponse } from '@x/provider-core';
import { createOllamaProvider } from '@x/provider-ollama';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeProvider, HI, overflowError } from './__fixtures__/fake-provider';
import { createRouter } from './router';

/**
 * After a context overflow, the window a deployment is judged by is the one its server runs the
 * model with, not the model's trained maximum: the request's `num_ctx`, else the loaded model's
 * window (`/api/ps` `context_length`), else the trained maximum as an upper bound only. Against a
 * real simulator on 127.0.0.1 that runs models with a 4096-token window by default.
 */
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

const MODEL = 'llama3.2'; // trained for 131 072 tokens

/**
 * x overflows with a 9 000-token prompt on its 8 192 tokens; b is an Ollama deployment of another
 * model (its window unknown to the router), tried after x; c, in the context fallback group,
 * answers.
 */
async function setup(options: { preload?: boolean; model?: string; promptTokens?: number } = {}) {
  const sim = await startOllamaSim({ defaultNumCtx: 4096 });
  open.push(sim);
  const b = createOllamaProvider({
    baseUrl: sim.url,
    retry: false,
    cache: false,
    rateLimit: false,
  });
  open.push(b);
  const model = options.model ?? MODEL;
  // Loaded by a short chat: the server sizes it with its default window.
  if (options.preload === true) await b.complete({ model, messages: [...HI] });
  const x = fakeProvider('x');
  x.fallback = overflowError({
    model: 'm',
    promptTokens: options.promptTokens ?? 9_000,
    contextWindow: 8_192,
  });
  const c = fakeProvider('c');
  const router = createRouter({
    deployments: [
      { id: 'x', group: 'chat', provider: x, model: 'm' },
      { id: 'b', group: 'chat', provider: b, model, priority: 1 },
      { id: 'c', group: 'long', provider: c, model: 'big' },
    ],
    contextFallbacks: { chat: ['long'] },
  });
  open.push(router);
  const chats = () => sim.stats().byRoute['/api/chat'] ?? 0;
  const asked = (route: string) => sim.stats().byRoute[route] ?? 0;
  return { router, chats, asked };
}

describe('the window of an Ollama deployment after a context overflow', () => {
  it("is the loaded model's window from /api/ps, not its trained maximum: a prompt past it is not sent", async () => {
    const { router, chats } = await setup({ preload: true });
    const answer = await router.complete({ model: 'chat', messages: HI });
    expect(answer.route.deployment).toBe('c');
    expect(chats()).toBe(1); // the preload only
    expect(router.stats().deployments.b).toMatchObject({ contextWindow: 4096, skipped: 1 });
  });

  it("is the request's num_ctx when it sets one, without asking the server", async () => {
    const { router, chats, asked } = await setup();
    const answer = await router.complete({
      model: 'chat',
      messages: HI,
      options: { num_ctx: 4096 },
    });
    expect(answer.route.deployment).toBe('c');
    expect(chats()).toBe(0);
    expect(asked('/api/ps') + asked('/api/show')).toBe(0);
  });

  it('is unknown for a model not loaded: the trained maximum is kept as an upper bound only', async () => {
    const { router, chats } = await setup();
    const answer = await router.complete({ model: 'chat', messages: HI });
    // 9 001 tokens may fit a model trained for 131 072: b is tried.
    expect(answer.route.deployment).toBe('b');
    expect(chats()).toBe(1);
    expect(router.stats().deployments.b).toMatchObject({
      contextWindow: undefined,
      contextWindowMax: 131_072,
    });
  });

  it('passes over a model not loaded whose trained maximum is below the prompt', async () => {
    // qwen2.5:7b is trained for 32 768 tokens; a 40 000-token prompt overflowed elsewhere.
    const { router, chats } = await setup({ model: 'qwen2.5:7b', promptTokens: 40_000 });
    const answer = await router.complete({ model: 'chat', messages: HI });
    expect(answer.route.deployment).toBe('c');
    expect(chats()).toBe(0);
    expect(router.stats().deployments.b).toMatchObject({ contextWindowMax: 32_768, skipped: 1 });
  });
});

describe('the window of a deployment whose window was unknown at the first lookup', () => {
  it('is asked of ps() again by a later call that overflowed, once the model is loaded', async () => {
    const { router, chats } = await setup();
    // Not loaded: b is tried (and so loaded with the server's default 4096 window).
    expect((await router.complete({ model: 'chat', messages: HI })).route.deployment).toBe('b');
    expect(chats()).toBe(1);
    const answer = await router.complete({ model: 'chat', messages: HI });
    expect(answer.route.deployment).toBe('c');
    expect(chats()).toBe(1);
    expect(router.stats().deployments.b).toMatchObject({ contextWindow: 4096, skipped: 1 });
  });
});

describe('the window of a provider with modelInfo() and no ps()', () => {
  it("is modelInfo()'s contextLength, a prompt past it not sent", async () => {
    const x = fakeProvider('x');
    x.fallback = overflowError({ model: 'm', promptTokens: 9_000, contextWindow: 8_192 });
    let infos = 0;
    let bCalls = 0;
    const b = {
      complete: async (r: { model: string }) => {
        bCalls++;
        return chatResponse({ content: 'b', model: r.model });
      },
      modelInfo: async () => {
        infos++;
        return { contextLength: 8_000 };
      },
    };
    const c = fakeProvider('c');
    const router = createRouter({
      deployments: [
        { id: 'x', group: 'chat', provider: x, model: 'm' },
        { id: 'b', group: 'chat', provider: b, model: 'other', priority: 1 },
        { id: 'c', group: 'long', provider: c, model: 'big' },
      ],
      contextFallbacks: { chat: ['long'] },
    });
    open.push(router);
    for (let i = 0; i < 2; i++) {
      expect((await router.complete({ model: 'chat', messages: HI })).route.deployment).toBe('c');
    }
    expect(bCalls).toBe(0);
    expect(infos).toBe(1);
    expect(router.stats().deployments.b).toMatchObject({
      contextWindow: 8_000,
      contextWindowMax: undefined,
    });
  });
});
