import { type Fixture, type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import { createOllamaProvider } from '@x/provider-ollama';
import { createOpenAIProvider, type OpenAIProviderOptions } from '@x/provider-openai';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeProvider } from './__fixtures__/fake-provider';
import { isRouterError, type RouterError } from './errors';
import { createRouter } from './router';
import type { EmbedRequestLike } from './types';

/**
 * Embedding inputs through the router, against one simulator serving Ollama's API (an
 * @x/provider-ollama deployment) and `/v1` (an @x/provider-openai deployment). Ollama's own OpenAI
 * layer refuses token ids, as the simulator does; a hosted OpenAI API embeds them, so its answers
 * are recorded exchanges the simulator replays when the request's body matches exactly: a body
 * that arrived changed would not match.
 */
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

const HOSTED_MODEL = 'text-embedding-3-small';

/** A `/v1/embeddings` exchange as a hosted OpenAI API answers `body`: one vector per input. */
function embeddings(body: Record<string, unknown>, vectors: number[][]): Fixture {
  const data = vectors.map((embedding, index) => ({ object: 'embedding', embedding, index }));
  const usage = { prompt_tokens: 3, total_tokens: 3 };
  return {
    request: { method: 'POST', path: '/v1/embeddings', body },
    response: {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ object: 'list', data, model: body.model, usage }),
    },
  };
}

async function setup(fixtures: Fixture[] = [], hosted: OpenAIProviderOptions = {}) {
  const sim = await startOllamaSim({ fixtures });
  const off = { retry: false, cache: false, rateLimit: false } as const;
  const ollama = createOllamaProvider({ baseUrl: sim.url, ...off });
  const openai = createOpenAIProvider({
    baseUrl: `${sim.url}/v1`,
    apiKey: 'sk-test',
    ...off,
    ...hosted,
  });
  open.push(sim, ollama, openai);
  return { sim, ollama, openai };
}

const bodiesOf = (sim: OllamaSim, path: string) =>
  sim.requests.filter((r) => r.path === path).map((r) => r.body);

describe('Router.embed inputs', () => {
  it('sends token ids, dimensions and encodingFormat to the OpenAI deployment intact, passing over the Ollama one before it', async () => {
    const many = [[9906, 1917], [15339]];
    const one = [9906, 1917];
    const wireMany = {
      model: HOSTED_MODEL,
      input: many,
      dimensions: 2,
      encoding_format: 'float',
      user: 'u-1',
    };
    const wireOne = { model: HOSTED_MODEL, input: one, dimensions: 2, encoding_format: 'float' };
    const { sim, ollama, openai } = await setup([
      embeddings(wireMany, [
        [0.6, 0.8],
        [1, 0],
      ]),
      embeddings(wireOne, [[0, 1]]),
    ]);
    const router = createRouter({
      deployments: [
        { id: 'local', group: 'embed', provider: ollama, model: 'nomic-embed-text' },
        { id: 'hosted', group: 'embed', provider: openai, model: HOSTED_MODEL, priority: 1 },
      ],
    });
    const answer = await router.embed({
      model: 'embed',
      input: many,
      dimensions: 2,
      encodingFormat: 'float',
      user: 'u-1',
    });
    expect(answer.embeddings).toEqual([
      [0.6, 0.8],
      [1, 0],
    ]);
    expect(answer.route).toMatchObject({ deployment: 'hosted', model: HOSTED_MODEL, attempts: [] });
    const single = await router.embed({
      model: 'embed',
      input: one,
      dimensions: 2,
      encodingFormat: 'float',
    });
    expect(single.embeddings).toEqual([[0, 1]]);
    expect(bodiesOf(sim, '/v1/embeddings')).toEqual([wireMany, wireOne]);
    // The Ollama deployment was passed over, never called: nothing reached /api/embed.
    expect(bodiesOf(sim, '/api/embed')).toEqual([]);
    expect(router.stats().deployments.local).toMatchObject({ calls: 0, skipped: 2 });
  });

  it('falls back from a failing OpenAI deployment to Ollama with text and dimensions, never with token ids', async () => {
    const { sim, ollama, openai } = await setup();
    sim.setFaults([{ route: '/v1/embeddings', fault: { kind: 'status', status: 503 } }]);
    const router = createRouter({
      deployments: [
        { id: 'hosted', group: 'embed', provider: openai, model: 'nomic-embed-text' },
        { id: 'local', group: 'embed-local', provider: ollama, model: 'nomic-embed-text' },
      ],
      fallbacks: { embed: ['embed-local'] },
      cooldown: false,
    });
    // Text means the same to every deployment: it falls back, its fields intact.
    const text = await router.embed({ model: 'embed', input: ['a', 'b'], dimensions: 8 });
    expect(text.route).toMatchObject({ deployment: 'local', servedBy: 'embed-local' });
    expect(text.embeddings.map((v) => v.length)).toEqual([8, 8]);
    expect(bodiesOf(sim, '/api/embed')).toEqual([
      { model: 'nomic-embed-text', input: ['a', 'b'], dimensions: 8 },
    ]);
    // Token ids are not sent where they are not taken: the call ends, naming why.
    const error = (await router
      .embed({ model: 'embed', input: [[1, 2, 3]], dimensions: 8 })
      .catch((e: unknown) => e)) as RouterError;
    expect(isRouterError(error)).toBe(true);
    expect(error.attempts).toMatchObject([
      { deployment: 'hosted', error: { statusCode: 503 } },
      {
        deployment: 'local',
        skipped: 'unsupported',
        error: {
          code: 'X_ROUTER_UNSUPPORTED',
          message: 'it takes no token ids as embedding input (`embedTokenIds`)',
        },
      },
    ]);
    expect(error).toMatchObject({ kind: 'server-busy', retryable: true });
    expect(bodiesOf(sim, '/api/embed')).toHaveLength(1);
    expect(bodiesOf(sim, '/v1/embeddings')).toHaveLength(2);
  });

  it('refuses token ids before anything is sent when no deployment the call can reach takes them', async () => {
    const { sim, ollama, openai } = await setup();
    const router = createRouter({
      deployments: [
        { group: 'local', provider: ollama, model: 'nomic-embed-text', tags: ['eu'] },
        { group: 'hosted', provider: openai, model: HOSTED_MODEL, tags: ['us'] },
      ],
      fallbacks: { hosted: ['local'] },
    });
    await expect(router.embed({ model: 'local', input: [[1, 2]] })).rejects.toThrow(
      new TypeError(
        'Expected `request.input` to be text: no deployment of "local" or its fallbacks takes token ids (`embedTokenIds`), got `[[1,2]]` (array)',
      ),
    );
    // The OpenAI deployment would take them, but the tags asked for keep it out.
    await expect(router.embed({ model: 'hosted', input: [1, 2], tags: ['eu'] })).rejects.toThrow(
      /^Expected `request.input` to be text: no deployment of "hosted"/,
    );
    expect(sim.stats().requests).toBe(0);
    expect(router.stats()).toMatchObject({ requests: 0, embeddings: 0 });
  });

  it('refuses token ids that deployments of two models could receive, unless tags keep one', async () => {
    const wire = { model: HOSTED_MODEL, input: [[5, 6]], encoding_format: 'base64' };
    const { sim, openai } = await setup([embeddings(wire, [[1, 0]])]);
    const vllm = createOpenAIProvider({
      preset: 'vllm',
      baseUrl: `${sim.url}/v1`,
      retry: false,
      cache: false,
    });
    open.push(vllm);
    const router = createRouter({
      deployments: [
        { group: 'embed', provider: openai, model: HOSTED_MODEL, tags: ['te3'] },
        { group: 'embed-other', provider: vllm, model: 'BAAI/bge-m3' },
      ],
      fallbacks: { embed: ['embed-other'] },
    });
    await expect(router.embed({ model: 'embed', input: [[5, 6]] })).rejects.toThrow(
      new RangeError(
        'Expected `request.input` to be text, or token ids of one model: the deployments of "embed" and its fallbacks that take them serve "text-embedding-3-small", "BAAI/bge-m3" (keep one with `tags`), got `[[5,6]]` (array)',
      ),
    );
    expect(sim.stats().requests).toBe(0);
    // With tags keeping one model, the ids go to it, intact.
    const answer = await router.embed({ model: 'embed', input: [[5, 6]], tags: ['te3'] });
    expect(answer.embeddings).toEqual([[1, 0]]);
    expect(bodiesOf(sim, '/v1/embeddings')).toEqual([wire]);
  });

  it('sends token ids to the deployments whose embedTokenIds says they take them', async () => {
    const own = fakeProvider('own');
    const seen: unknown[] = [];
    const embed = own.embed;
    const ownEmbed = {
      embed: (request: Parameters<typeof embed>[0]) => {
        seen.push(request.input);
        return embed(request);
      },
    };
    const { sim, openai } = await setup([], { preset: 'ollama' });
    const hosted = createOpenAIProvider({ baseUrl: `${sim.url}/v1`, apiKey: 'sk-test' });
    open.push(hosted);
    const router = createRouter({
      deployments: [
        // Ollama's OpenAI layer refuses token ids: not taken by default on preset `ollama`.
        { id: 'ollama-v1', group: 'embed', provider: openai, model: 'nomic-embed-text' },
        {
          id: 'told-not-to',
          group: 'embed',
          provider: hosted,
          model: HOSTED_MODEL,
          priority: 1,
          embedTokenIds: false,
        },
        {
          id: 'own',
          group: 'embed',
          provider: ownEmbed,
          model: 'm',
          priority: 2,
          embedTokenIds: true,
        },
      ],
    });
    const answer = await router.embed({ model: 'embed', input: [[7, 8]] });
    expect(answer.route.deployment).toBe('own');
    expect(seen).toEqual([[[7, 8]]]);
    const { deployments } = router.stats();
    expect([deployments['ollama-v1']!.skipped, deployments['told-not-to']!.skipped]).toEqual([
      1, 1,
    ]);
    expect(sim.stats().requests).toBe(0);
    expect(() =>
      createRouter({
        deployments: [{ group: 'g', provider: ownEmbed, model: 'm', embedTokenIds: 'yes' }],
      } as never),
    ).toThrow(
      new TypeError(
        'Expected `deployments[0].embedTokenIds` to be a boolean, got `"yes"` (string)',
      ),
    );
  });

  it("reads an @x/provider-openai provider's own rules: a preset of your own that extends 'ollama' takes no ids", async () => {
    const { sim } = await setup([]);
    const custom = createOpenAIProvider({
      preset: { name: 'my-ollama', baseUrl: `${sim.url}/v1`, extends: 'ollama' },
      retry: false,
      cache: false,
    });
    open.push(custom);
    expect(custom.embeddingInput.tokenIds).toBe(false);
    const router = createRouter({
      deployments: [{ group: 'embed', provider: custom, model: 'all-minilm' }],
    });
    open.push(router);
    await expect(router.embed({ model: 'embed', input: [[5, 6]] })).rejects.toThrow(
      /^Expected `request.input` to be text: no deployment of "embed" or its fallbacks takes token ids/,
    );
    expect(sim.stats().requests).toBe(0);
  });

  it('defaults embedTokenIds to the embeddingInput a provider states, before what its preset name suggests', async () => {
    const stating = (name: string, about: Record<string, unknown>) => {
      const fake = fakeProvider(name);
      // Takes token ids as any provider's `embed()` may (the fake's type says text only).
      const embed = (request: EmbedRequestLike) => fake.embed(request as never);
      return { embed, requests: fake.requests, ...about };
    };
    // A preset of your own that extends 'ollama': its name says nothing, its rules refuse ids.
    const gateway = stating('gateway', {
      preset: 'my-gateway',
      embeddingInput: { emptyText: false, tokenIds: false, maxItems: undefined },
    });
    // The provider's word wins over its name.
    const saysYes = stating('says-yes', { preset: 'ollama', embeddingInput: { tokenIds: true } });
    // Rules that do not say: the preset's name decides, as before.
    const named = stating('named', { preset: 'vllm', embeddingInput: {} });
    const router = createRouter({
      deployments: [
        { id: 'gateway', group: 'a', provider: gateway, model: 'm' },
        { id: 'says-yes', group: 'a', provider: saysYes, model: 'm', priority: 1 },
        { id: 'named', group: 'b', provider: named, model: 'm' },
        { id: 'gateway-alone', group: 'c', provider: gateway, model: 'm' },
      ],
    });
    open.push(router);
    const ids = await router.embed({ model: 'a', input: [[7, 8]] });
    expect(ids.route.deployment).toBe('says-yes');
    expect(router.stats().deployments.gateway).toMatchObject({ calls: 0, skipped: 1 });
    expect((await router.embed({ model: 'b', input: [7, 8] })).route.deployment).toBe('named');
    await expect(router.embed({ model: 'c', input: [[7, 8]] })).rejects.toThrow(
      /^Expected `request.input` to be text: no deployment of "c" or its fallbacks takes token ids/,
    );
    // Text still goes to it.
    expect((await router.embed({ model: 'c', input: 'sky' })).route.deployment).toBe(
      'gateway-alone',
    );
    expect([gateway.requests.length, saysYes.requests.length, named.requests.length]).toEqual([
      1, 1, 1,
    ]);
    expect(() =>
      createRouter({
        deployments: [
          {
            group: 'g',
            provider: stating('x', { embeddingInput: { tokenIds: 'no' } }),
            model: 'm',
          },
        ],
      }),
    ).toThrow(
      new TypeError(
        'Expected `deployments[0].provider.embeddingInput.tokenIds` to be a boolean, got `"no"` (string)',
      ),
    );
    expect(() =>
      createRouter({
        deployments: [{ group: 'g', provider: stating('x', { embeddingInput: 1 }), model: 'm' }],
      } as never),
    ).toThrow(
      new TypeError(
        'Expected `deployments[0].provider.embeddingInput` to be an object (`{ tokenIds?: boolean }`), got `1` (number)',
      ),
    );
  });
});
