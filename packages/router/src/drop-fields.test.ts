import { recordingLogger } from '@x/internal/testing';
import { type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import { createOllamaProvider } from '@x/provider-ollama';
import { createOpenAIProvider } from '@x/provider-openai';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeProvider, HI } from './__fixtures__/fake-provider';
import type { RouterResponseEvent } from './events';
import type { RouterOptions } from './options';
import { createRouter } from './router';

/**
 * `dropUnknownFields`, against one simulator serving Ollama's API (an @x/provider-ollama
 * deployment) and `/v1` (an @x/provider-openai deployment): the common "local Ollama first,
 * hosted OpenAI as fallback" group, where a field only one provider takes must not fail the
 * fallback, and a field none takes must still fail the call.
 */
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

const off = { retry: false, cache: false, rateLimit: false } as const;

async function setup(options: Omit<RouterOptions, 'deployments'> = {}) {
  const sim = await startOllamaSim();
  const ollama = createOllamaProvider({ baseUrl: sim.url, ...off });
  const openai = createOpenAIProvider({ baseUrl: `${sim.url}/v1`, apiKey: 'sk-test', ...off });
  const router = createRouter({
    deployments: [
      { id: 'local', group: 'chat', provider: ollama, model: 'qwen3:4b' },
      { id: 'hosted', group: 'chat', provider: openai, model: 'qwen3:4b', priority: 1 },
    ],
    cooldown: false,
    ...options,
  });
  open.push(sim, ollama, openai, router);
  return { sim, ollama, openai, router };
}

/** The body of each request the simulator received on `path`, in order. */
const bodies = (sim: OllamaSim, path: string) =>
  sim.requests.filter((r) => r.path === path).map((r) => r.body as Record<string, unknown>);

const ollamaDown = (sim: OllamaSim, route = '/api/chat') =>
  sim.setFaults([{ route, fault: { kind: 'status', status: 503 } }]);

const thinking = { model: 'chat', messages: HI, think: true, keepAlive: '5m' } as const;

describe('Router dropUnknownFields', () => {
  it("falls back from a failing Ollama deployment to OpenAI without Ollama's think and keepAlive, listing them in route.droppedFields", async () => {
    const { sim, router } = await setup({ dropUnknownFields: true });
    ollamaDown(sim);
    const events: RouterResponseEvent[] = [];
    router.onResponse((e) => events.push(e));
    const answer = await router.complete(thinking);
    expect(answer.route).toMatchObject({
      deployment: 'hosted',
      droppedFields: ['think', 'keepAlive'],
      attempts: [{ deployment: 'local', error: { statusCode: 503 } }],
    });
    // The Ollama deployment was sent them, the OpenAI server never saw them.
    expect(bodies(sim, '/api/chat')[0]).toMatchObject({ think: true, keep_alive: '5m' });
    const [sent] = bodies(sim, '/v1/chat/completions');
    expect(sent).toMatchObject({ model: 'qwen3:4b', messages: [{ role: 'user', content: 'Hi' }] });
    for (const key of ['think', 'keepAlive', 'keep_alive']) expect(sent).not.toHaveProperty(key);
    expect(events).toMatchObject([{ deployment: 'hosted', droppedFields: ['think', 'keepAlive'] }]);
    // A stream too: its last chunk's route says so.
    let last: { route?: unknown } | undefined;
    for await (const chunk of router.stream(thinking)) if (chunk.done) last = chunk.response;
    expect(last?.route).toMatchObject({
      deployment: 'hosted',
      droppedFields: ['think', 'keepAlive'],
    });
    expect(bodies(sim, '/v1/chat/completions')[1]).not.toHaveProperty('think');
  });

  it("fails the fallback with the OpenAI provider's TypeError for Ollama's think when off (the default)", async () => {
    for (const options of [{ dropUnknownFields: false }, { dropUnknownFields: undefined }]) {
      const { sim, router } = await setup(options);
      ollamaDown(sim);
      const error = await router.complete(thinking).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(/^Unknown option `request\.think`/);
      expect(bodies(sim, '/api/chat')).toHaveLength(1);
      expect(bodies(sim, '/v1/chat/completions')).toEqual([]);
    }
  });

  it('refuses a field no provider of the group takes (a typo) in both modes, naming the closest key', async () => {
    for (const dropUnknownFields of [true, false]) {
      const { sim, router } = await setup({ dropUnknownFields });
      const typo = { model: 'chat', messages: HI, temprature: 0.2 } as never;
      await expect(router.complete(typo)).rejects.toThrow(
        new TypeError('Unknown option `request.temprature`: did you mean `request.temperature`?'),
      );
      // A spelling both providers know the field by still gets its hint, and is not dropped.
      const alias = { model: 'chat', messages: HI, maxCompletionTokens: 8 } as never;
      await expect(router.complete(alias)).rejects.toThrow(
        'Unknown option `request.maxCompletionTokens`: did you mean `request.maxTokens`?',
      );
      // Refused before anything was sent, and never a fallback.
      expect(sim.requests.filter((r) => r.path !== '/api/show')).toEqual([]);
    }
  });

  it("embeds from Ollama without OpenAI's encodingFormat when the OpenAI deployment fails", async () => {
    const sim = await startOllamaSim();
    const ollama = createOllamaProvider({ baseUrl: sim.url, ...off });
    const openai = createOpenAIProvider({ baseUrl: `${sim.url}/v1`, apiKey: 'sk-test', ...off });
    const router = createRouter({
      deployments: [
        { id: 'hosted', group: 'embed', provider: openai, model: 'nomic-embed-text' },
        { id: 'local', group: 'embed-local', provider: ollama, model: 'nomic-embed-text' },
      ],
      fallbacks: { embed: ['embed-local'] },
      cooldown: false,
      dropUnknownFields: true,
    });
    open.push(sim, ollama, openai, router);
    ollamaDown(sim, '/v1/embeddings');
    const request = {
      model: 'embed',
      input: ['a'],
      dimensions: 8,
      encodingFormat: 'float',
    } as const;
    const answer = await router.embed(request);
    expect(answer.route).toMatchObject({
      deployment: 'local',
      servedBy: 'embed-local',
      droppedFields: ['encodingFormat'],
    });
    expect(answer.embeddings.map((v) => v.length)).toEqual([8]);
    expect(bodies(sim, '/v1/embeddings')[0]).toMatchObject({ encoding_format: 'float' });
    expect(bodies(sim, '/api/embed')).toEqual([
      { model: 'nomic-embed-text', input: ['a'], dimensions: 8 },
    ]);
    // The caller's request is left as it was.
    expect(request).toHaveProperty('encodingFormat', 'float');
  });

  it('never drops a field both providers take, and sets no droppedFields when nothing was dropped', async () => {
    const { sim, router } = await setup({ dropUnknownFields: true });
    ollamaDown(sim);
    const shared = { temperature: 0, topP: 0.5, seed: 7, maxTokens: 16, stop: ['\n\n'] };
    const answer = await router.complete({ model: 'chat', messages: HI, ...shared });
    expect(answer.route.deployment).toBe('hosted');
    expect(answer.route).not.toHaveProperty('droppedFields');
    expect(bodies(sim, '/v1/chat/completions')[0]).toMatchObject({
      temperature: 0,
      top_p: 0.5,
      seed: 7,
      stop: ['\n\n'],
    });
    // OpenAI's own field reaches OpenAI, and Ollama's reach Ollama, when each answers.
    const hosted = await router.complete({ model: 'chat', messages: HI, reasoningEffort: 'low' });
    expect(hosted.route.deployment).toBe('hosted');
    expect(hosted.route).not.toHaveProperty('droppedFields');
    expect(bodies(sim, '/v1/chat/completions')[1]).toMatchObject({ reasoning_effort: 'low' });
    sim.setFaults([]);
    const local = await router.complete({ ...thinking, responseFormat: { type: 'text' } });
    expect(local.route).toMatchObject({ deployment: 'local', droppedFields: ['responseFormat'] });
    expect(bodies(sim, '/api/chat').at(-1)).toMatchObject({ think: true, keep_alive: '5m' });
  });

  it("lets a deployment's own dropUnknownFields override the router's", async () => {
    const { sim, ollama, openai } = await setup();
    ollamaDown(sim);
    const router = createRouter({
      deployments: [
        { id: 'local', group: 'chat', provider: ollama, model: 'qwen3:4b' },
        {
          id: 'hosted',
          group: 'chat',
          provider: openai,
          model: 'qwen3:4b',
          priority: 1,
          dropUnknownFields: true,
        },
      ],
      cooldown: false,
    });
    open.push(router);
    const answer = await router.complete(thinking);
    expect(answer.route).toMatchObject({
      deployment: 'hosted',
      droppedFields: ['think', 'keepAlive'],
    });
    // The Ollama deployment does not drop: OpenAI's field is its TypeError.
    sim.setFaults([]);
    await expect(
      router.complete({ model: 'chat', messages: HI, responseFormat: { type: 'text' } }),
    ).rejects.toThrow(/^Unknown option `request\.responseFormat`/);
  });

  it('sends a provider without requestFields the request unchanged, and logs what was dropped', async () => {
    const { logger, entries } = recordingLogger();
    const sim = await startOllamaSim();
    const openai = createOpenAIProvider({ baseUrl: `${sim.url}/v1`, apiKey: 'sk-test', ...off });
    const fake = fakeProvider('fake');
    const ollamaLike = Object.assign(fakeProvider('ollama-like'), {
      requestFields: { chat: new Set(['think']) },
    });
    ollamaLike.fallback = new Error('down');
    const router = createRouter({
      deployments: [
        { id: 'ollama-like', group: 'chat', provider: ollamaLike, model: 'qwen3:4b' },
        { id: 'fake', group: 'chat', provider: fake, model: 'qwen3:4b', priority: 1 },
        { id: 'hosted', group: 'other', provider: openai, model: 'qwen3:4b' },
      ],
      fallbacks: { other: ['chat'] },
      dropUnknownFields: true,
      logger,
    });
    open.push(sim, openai, router);
    const answer = await router.complete({ model: 'chat', messages: HI, think: true } as never);
    expect(answer.route).not.toHaveProperty('droppedFields');
    expect(fake.requests[0]).toMatchObject({ think: true });
    // From `other`, the OpenAI deployment drops what the fake Ollama of its fallback group takes.
    const routed = await router.complete({ model: 'other', messages: HI, think: true } as never);
    expect(routed.route).toMatchObject({ deployment: 'hosted', droppedFields: ['think'] });
    expect(entries).toContainEqual([
      'debug',
      expect.objectContaining({
        event: 'response',
        deployment: 'hosted',
        droppedFields: ['think'],
      }),
      'other answered by hosted (sent without think)',
    ]);
  });

  it('refuses a dropUnknownFields that is not a boolean, and a provider whose requestFields holds no sets', () => {
    const provider = fakeProvider('a');
    const deployments = [{ group: 'chat', provider, model: 'm' }];
    expect(() => createRouter({ deployments, dropUnknownFields: 1 as never })).toThrow(
      new TypeError('Expected `dropUnknownFields` to be a boolean, got `1` (number)'),
    );
    const odd = Object.assign(fakeProvider('b'), { requestFields: { chat: ['think'] } }) as never;
    expect(() =>
      createRouter({
        deployments: [{ group: 'chat', provider: odd, model: 'm' }],
        dropUnknownFields: true,
      }),
    ).toThrow(
      /^Expected `deployments\[0\]\.provider\.requestFields\.chat` to be a set of field names/,
    );
  });
});
