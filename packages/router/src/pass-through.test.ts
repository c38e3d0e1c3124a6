import { type Handler, recordingLogger, startRouteServer } from '@x/internal/testing';
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
    const request = { model: 'chat' as const, messages: HI, tools, signal, tags: [] as string[] };
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

const CITED_URL = 'https://en.wikipedia.org/wiki/Rayleigh_scattering';
const CITATION = {
  type: 'url_citation',
  url: CITED_URL,
  title: 'Sky',
  startIndex: 0,
  endIndex: 4,
};

/**
 * A bare OpenAI-compatible server on 127.0.0.1: every answer has its own `x-request-id` (listed in
 * `ids`, in order) and cites a web page (`url_citation`), whole or as stream events.
 */
async function citingServer() {
  const ids: string[] = [];
  const cited = {
    type: 'url_citation',
    url_citation: { url: CITED_URL, title: 'Sky', start_index: 0, end_index: 4 },
  };
  const usage = { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 };
  const head = { id: 'chatcmpl-1', created: 1, model: 'gpt-4o-search' };
  const event = (choices: unknown[], totals: unknown = null) =>
    `data: ${JSON.stringify({ ...head, object: 'chat.completion.chunk', choices, usage: totals })}\n\n`;
  const answer: Handler = (_req, res, received) => {
    const requestId = `req_${ids.length}f3c9a7d2e8b14c6a9f0e5d7b3a1c8e2`;
    ids.push(requestId);
    if (received.json?.stream !== true) {
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': requestId });
      const message = { role: 'assistant', content: 'Blue.', annotations: [cited] };
      const choices = [{ index: 0, message, finish_reason: 'stop' }];
      res.end(JSON.stringify({ ...head, object: 'chat.completion', choices, usage }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': requestId });
    res.end(
      [
        event([{ index: 0, delta: { role: 'assistant', content: 'Blue' }, finish_reason: null }]),
        event([{ index: 0, delta: { content: '.', annotations: [cited] }, finish_reason: null }]),
        event([{ index: 0, delta: {}, finish_reason: 'stop' }]),
        event([], usage),
        'data: [DONE]\n\n',
      ].join(''),
    );
  };
  const server = await startRouteServer({ 'POST /v1/chat/completions': answer });
  open.push(server);
  return { server, ids };
}

async function openAIRouter(url: string, completeAs?: 'whole') {
  const openai = createOpenAIProvider({
    baseUrl: `${url}/v1`,
    apiKey: 'sk-test',
    retry: false,
    cache: false,
    rateLimit: false,
    completeAs,
  });
  const { logger, entries } = recordingLogger();
  const router = createRouter({
    deployments: [{ id: 'hosted', group: 'search', provider: openai, model: 'gpt-4o-search' }],
    logger,
  });
  open.push(openai, router);
  return { openai, router, entries };
}

describe('content parts and answer fields pass through the router unchanged', () => {
  it("sends a user message's images with detail, audio and files as the provider alone does", async () => {
    const { server } = await citingServer();
    const { openai, router } = await openAIRouter(server.url);
    const png = 'data:image/png;base64,iVBORw0KGgo=';
    const messages = [
      {
        role: 'user' as const,
        content: 'What is in these?',
        images: [png, { image: png, detail: 'low' as const }, { image: 'https://x.test/a.png' }],
        audio: [{ data: 'UklGRg==', format: 'wav' as const }],
        files: [{ fileId: 'file-abc123' }, { filename: 'a.pdf', data: 'JVBERi0=' }],
      },
    ];
    await openai.complete({ model: 'gpt-4o-search', messages });
    await router.complete({ model: 'search', messages });
    await drain(openai.stream({ model: 'gpt-4o-search', messages }));
    await drain(router.stream({ model: 'search', messages }));
    const [direct, routed, directStream, routedStream] = server.requests.map((r) => r.json);
    expect((direct!.messages as Array<{ content: unknown }>)[0]!.content).toEqual([
      { type: 'text', text: 'What is in these?' },
      { type: 'image_url', image_url: { url: png } },
      { type: 'image_url', image_url: { url: png, detail: 'low' } },
      { type: 'image_url', image_url: { url: 'https://x.test/a.png' } },
      { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
      { type: 'file', file: { file_id: 'file-abc123' } },
      {
        type: 'file',
        file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' },
      },
    ]);
    expect(routed).toEqual(direct);
    expect(routedStream).toEqual(directStream);
    // The caller's message objects reach the provider as given (not copied, nothing stripped).
    expect(messages[0]!.images[1]).toEqual({ image: png, detail: 'low' });
  });

  it("hands over an answer's requestId and annotations, whole or streamed, and keeps them out of events, logs, stats and metrics", async () => {
    const { server, ids } = await citingServer();
    const { router, entries } = await openAIRouter(server.url, 'whole');
    const events: unknown[] = [];
    router.onResponse((e) => events.push(e));
    const messages = [{ role: 'user' as const, content: 'Why is the sky blue?' }];
    const answer = await router.complete({ model: 'search', messages });
    expect(answer).toMatchObject({
      content: 'Blue.',
      requestId: ids[0],
      annotations: [CITATION],
      route: { deployment: 'hosted' },
    });
    const chunks = [];
    for await (const chunk of router.stream({ model: 'search', messages })) chunks.push(chunk);
    const last = chunks.at(-1)!;
    expect(last.response).toMatchObject({
      requestId: ids[1],
      annotations: [CITATION],
      route: { deployment: 'hosted' },
    });
    const before = chunks.slice(0, -1);
    expect(before.length).toBeGreaterThan(0);
    expect(before.map((c) => c.requestId)).toEqual(before.map(() => ids[1]));
    expect(before.flatMap((c) => c.annotations ?? [])).toEqual([CITATION]);
    expect(ids).toHaveLength(2);
    // One value per request: never a label, an event field or a log field (cardinality).
    const seen = JSON.stringify([events, entries, router.stats()]) + router.toPrometheus();
    expect(events).toHaveLength(2);
    expect(entries.map(([, fields]) => fields.event)).toEqual(['response', 'response']);
    for (const value of [...ids, CITED_URL, 'wikipedia']) expect(seen).not.toContain(value);
  });
});
