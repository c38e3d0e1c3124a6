// What a new user meets following the README's "try it without an account": the default `openai`
// preset pointed at @x/ollama-sim's `/v1` (which answers as Ollama's does). `maxTokens` must
// hold there (Ollama's `/v1` reads `max_tokens` only), a `developer` message must arrive (as
// `system`: Ollama's `/v1` drops a role it does not know), and an embedding asked of a chat model must
// say what to change (Ollama passes on llama.cpp's 501, which names a flag no Ollama user sets).
import { type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { hello } from './__fixtures__/server';
import { chats, setup, track } from './__fixtures__/setup';
import { isOpenAIApiError } from './errors';
import { createOpenAIProvider, type OpenAIProvider } from './provider';

const sims: OllamaSim[] = [];

afterEach(async () => {
  await Promise.all(sims.splice(0).map((sim) => sim.close()));
});

/** A simulator and the `openai` preset (the default) on its `/v1`, as the README shows it. */
async function openAIAtSim(): Promise<{ sim: OllamaSim; provider: OpenAIProvider }> {
  const sim = await startOllamaSim({ loadTimeMs: 0 });
  sims.push(sim);
  const provider = track(
    createOpenAIProvider({
      baseUrl: `${sim.url}/v1`,
      apiKey: 'sk-any-key-the-simulator-takes',
      cache: false,
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
    }),
  );
  return { sim, provider };
}

const question = [{ role: 'user' as const, content: 'Why is the sky blue?' }];
/** A conversation with a `developer` message, the role only OpenAI's API (and Azure's) knows. */
const instructed = [{ role: 'developer' as const, content: 'Be brief.' }, ...question];

describe('maxTokens and developer messages on the openai preset', () => {
  it('stops the answer at maxTokens with finishReason length at an Ollama /v1 (the simulator)', async () => {
    const { provider } = await openAIAtSim();
    const answer = await provider.complete({ model: 'llama3.2', messages: question, maxTokens: 3 });
    expect(answer.usage.completionTokens).toBe(3);
    expect(answer.finishReason).toBe('length');
    const chunks = [];
    for await (const chunk of provider.stream({
      model: 'llama3.2',
      messages: question,
      maxTokens: 3,
    })) {
      chunks.push(chunk);
    }
    expect(chunks.at(-1)!.response!.finishReason).toBe('length');
    expect(chunks.at(-1)!.response!.usage.completionTokens).toBe(3);
  }, 30_000);

  it('is sent as max_tokens, and a developer message as system, to a server that is not OpenAI (a gateway, vLLM, Ollama)', async () => {
    const { server, provider } = await setup(
      { '/chat/completions': hello },
      { completeAs: 'whole' },
    );
    await provider.complete({ model: 'llama3.2', messages: instructed, maxTokens: 9 });
    expect(chats(server)[0]!.json).toMatchObject({
      max_tokens: 9,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: question[0]!.content },
      ],
    });
    expect(chats(server)[0]!.json).not.toHaveProperty('max_completion_tokens');
  });

  it.each([
    ["OpenAI's own host", undefined],
    ['Azure OpenAI (*.openai.azure.com)', 'https://my-resource.openai.azure.com/openai/v1'],
    ['Azure OpenAI in US Government', 'https://my-resource.openai.azure.us/openai/v1'],
    ['Azure AI Services', 'https://my-resource.cognitiveservices.azure.com/openai/v1'],
    ['Azure AI Foundry', 'https://My-Resource.services.ai.azure.com./openai/v1'],
  ])(
    'is sent as max_completion_tokens, and a developer message as developer, to %s, whose o-series and gpt-5 refuse max_tokens',
    async (_, baseUrl) => {
      const bodies: unknown[] = [];
      const provider = track(
        createOpenAIProvider({
          ...(baseUrl === undefined ? {} : { baseUrl }),
          apiKey: 'sk-test',
          retry: false,
          cache: false,
          completeAs: 'whole',
          transport: async (_url, request) => {
            bodies.push(JSON.parse(String(request.body)));
            throw new Error('nothing leaves the machine');
          },
        }),
      );
      await provider
        .complete({ model: 'o4-mini', messages: instructed, maxTokens: 9 })
        .catch(() => {});
      expect(bodies).toEqual([expect.objectContaining({ max_completion_tokens: 9 })]);
      expect(bodies[0]).toMatchObject({ messages: [{ role: 'developer' }, { role: 'user' }] });
      expect(bodies[0]).not.toHaveProperty('max_tokens');
    },
    30_000,
  );

  it('is sent as max_completion_tokens, with developer messages, by a preset of your own that extends openai, at any address', async () => {
    const { server, provider } = await setup(
      { '/chat/completions': hello },
      {
        preset: { name: 'azure', extends: 'openai', baseUrl: 'https://example.invalid/openai/v1' },
        completeAs: 'whole',
      },
    );
    await provider.complete({ model: 'o4-mini', messages: instructed, maxTokens: 9 });
    expect(chats(server)[0]!.json).toMatchObject({
      max_completion_tokens: 9,
      messages: [{ role: 'developer' }, { role: 'user' }],
    });
    expect(chats(server)[0]!.json).not.toHaveProperty('max_tokens');
  });
});

describe('embed() with a model that makes no embeddings', () => {
  it('says the model cannot make embeddings and names embedding models, without a retry', async () => {
    const { sim, provider } = await openAIAtSim();
    const error = await provider.embed({ model: 'llama3.2', input: 'x' }).catch((e) => e);
    expect(isOpenAIApiError(error)).toBe(true);
    expect(error).toMatchObject({
      statusCode: 501,
      retryable: false,
      serverMessage: 'This server does not support embeddings. Start it with `--embeddings`',
    });
    expect(error.message).toMatch(
      /^Model "llama3\.2" cannot make embeddings on 127\.0\.0\.1:\d+: \/embeddings answered 501 \(This server does not support embeddings\. Start it with `--embeddings`\)\. Use an embedding model \(on Ollama, one whose capabilities list "embedding": nomic-embed-text, all-minilm\.\.\.\)/,
    );
    expect(sim.requests.filter((r) => r.path === '/v1/embeddings')).toHaveLength(1);
    const made = await provider.embed({ model: 'nomic-embed-text', input: 'x' });
    expect(made.embeddings).toHaveLength(1);
  }, 30_000);
});
