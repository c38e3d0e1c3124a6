import { type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import { createOllamaProvider } from '@x/provider-ollama';
import { createOpenAIProvider } from '@x/provider-openai';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeProvider, HI } from './__fixtures__/fake-provider';
import { createRouter } from './router';

/**
 * What a deployment receives of a request: the request with the deployment's model for the group
 * and without `tags`, every other field as given. Checked on the wire: the body a provider sends
 * for a request through the router is the body it sends for that request called directly.
 */
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

const tools = [
  {
    type: 'function' as const,
    function: {
      name: 'get_weather',
      description: 'The weather of a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } } },
    },
  },
];
const messages = [{ role: 'user', content: 'Weather in Paris?' }];

async function sims() {
  const sim = await startOllamaSim();
  const off = { retry: false, cache: false, rateLimit: false } as const;
  const ollama = createOllamaProvider({ baseUrl: sim.url, ...off });
  const openai = createOpenAIProvider({ baseUrl: `${sim.url}/v1`, apiKey: 'sk-test', ...off });
  const router = createRouter({
    deployments: [
      { group: 'local', provider: ollama, model: 'qwen3:4b', tags: ['eu'] },
      { group: 'hosted', provider: openai, model: 'qwen3:4b', tags: ['eu'] },
    ],
  });
  open.push(sim, ollama, openai, router);
  return { sim, ollama, openai, router };
}

/** The body of each request the simulator received on `path`, in order. */
const bodies = (sim: OllamaSim, path: string) =>
  sim.requests.filter((r) => r.path === path).map((r) => r.body);

const drain = async (stream: AsyncIterable<unknown>) => {
  for await (const _ of stream) {
    // read to the end
  }
};

describe('requests pass through the router unchanged', () => {
  it("sends OpenAI's fields (tools, toolChoice, responseFormat, reasoningEffort, user, extraBody) as the provider alone does", async () => {
    const { sim, openai, router } = await sims();
    const fields = {
      messages,
      tools,
      toolChoice: { type: 'function', function: { name: 'get_weather' } },
      parallelToolCalls: false,
      responseFormat: {
        type: 'json_schema',
        jsonSchema: { name: 'w', schema: { type: 'object' } },
      },
      reasoningEffort: 'low',
      user: 'u-1',
      seed: 7,
      temperature: 0,
      maxTokens: 16,
      stop: ['\n\n'],
      extraBody: { top_k: 5 },
    } as const;
    await openai.complete({ model: 'qwen3:4b', ...fields });
    await router.complete({ model: 'hosted', ...fields, tags: ['eu'] });
    await drain(openai.stream({ model: 'qwen3:4b', ...fields }));
    await drain(router.stream({ model: 'hosted', ...fields, tags: ['eu'] }));
    const [direct, routed, directStream, routedStream] = bodies(sim, '/v1/chat/completions');
    expect(direct).toMatchObject({ tool_choice: fields.toolChoice, reasoning_effort: 'low' });
    expect(routed).toEqual(direct);
    expect(routedStream).toEqual(directStream);
  });

  it("sends Ollama's fields (tools, format, think, keepAlive, numCtx, options) as the provider alone does", async () => {
    const { sim, ollama, router } = await sims();
    const fields = {
      messages,
      tools,
      format: { type: 'object', properties: { city: { type: 'string' } } },
      think: true,
      keepAlive: '10m',
      numCtx: 2048,
      topK: 20,
      options: { num_thread: 2 },
      seed: 7,
      temperature: 0,
    } as const;
    await ollama.complete({ model: 'qwen3:4b', ...fields });
    await router.complete({ model: 'local', ...fields, tags: ['eu'] });
    await drain(ollama.stream({ model: 'qwen3:4b', ...fields }));
    await drain(router.stream({ model: 'local', ...fields, tags: ['eu'] }));
    const [direct, routed, directStream, routedStream] = bodies(sim, '/api/chat');
    expect(direct).toMatchObject({ think: true, keep_alive: '10m', format: fields.format });
    expect(routed).toEqual(direct);
    expect(routedStream).toEqual(directStream);
  });

  it("hands each deployment the caller's own objects and signal, with its model and without tags", async () => {
    const a = fakeProvider('a');
    const router = createRouter({ deployments: [{ group: 'chat', provider: a, model: 'm-a' }] });
    const signal = new AbortController().signal;
    const request = { model: 'chat', messages: HI, tools, signal, tags: [] as string[] };
    await router.complete(request);
    await drain(router.stream(request));
    for (const received of a.requests) {
      expect(received).toEqual({ model: 'm-a', messages: HI, tools, signal });
      expect(received.signal).toBe(signal);
      expect(received.tools).toBe(tools);
      expect(received.messages).toBe(HI);
    }
    expect(a.requests).toHaveLength(2);
  });
});
