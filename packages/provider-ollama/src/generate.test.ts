import { afterEach, describe, expect, it } from 'vitest';
import { loadFixture, splitFixture, startServer, type TestServer } from './__fixtures__/server';
import { createOllamaProvider, type OllamaProvider } from './provider';
import type { GenerateChunk } from './types';

const servers: TestServer[] = [];
const providers: OllamaProvider[] = [];

afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setup(routes: Parameters<typeof startServer>[0]) {
  const server = await startServer({
    '/api/show': loadFixture('05-show-llama3.2.json'),
    ...routes,
  });
  servers.push(server);
  const provider = createOllamaProvider({ baseUrl: server.url, retry: { baseDelayMs: 1 } });
  providers.push(provider);
  return { server, provider };
}

const generated = (server: TestServer) => server.requests.filter((r) => r.path === '/api/generate');

const generateAnswer =
  (extra: Record<string, unknown> = {}) =>
  (_req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(
      JSON.stringify({
        model: 'llama3.2',
        created_at: '2026-08-24T09:16:02.5Z',
        response: 'def add(a, b):\n    return a + b',
        done: true,
        done_reason: 'stop',
        context: [1, 2, 3],
        prompt_eval_count: 12,
        eval_count: 9,
        eval_duration: 90_000_000,
        ...extra,
      }),
    );
  };

describe('OllamaProvider.generate', () => {
  it('sends prompt, suffix, system, template, images, context and sampling in Ollama shape', async () => {
    const { server, provider } = await setup({ '/api/generate': generateAnswer() });
    const answer = await provider.generate({
      model: 'llama3.2',
      prompt: 'def add(',
      suffix: '\nprint(add(1, 2))',
      system: 'You write Python.',
      template: '{{ .Prompt }}',
      images: [new Uint8Array([1, 2, 3])],
      context: [7, 8],
      temperature: 0,
      maxTokens: 64,
      format: 'json',
      think: false,
      keepAlive: '10m',
      logprobs: true,
      topLogprobs: 3,
    });
    expect(generated(server)[0]!.json).toMatchObject({
      model: 'llama3.2',
      prompt: 'def add(',
      suffix: '\nprint(add(1, 2))',
      system: 'You write Python.',
      template: '{{ .Prompt }}',
      images: ['AQID'],
      context: [7, 8],
      format: 'json',
      think: false,
      keep_alive: '10m',
      logprobs: true,
      top_logprobs: 3,
      stream: false,
      options: { temperature: 0, num_predict: 64 },
    });
    expect(answer).toMatchObject({
      content: 'def add(a, b):\n    return a + b',
      context: [1, 2, 3],
      finishReason: 'stop',
      usage: { promptTokens: 12, completionTokens: 9, totalTokens: 21 },
      attempts: 1,
      cached: false,
    });
  });

  it('serves the second identical deterministic completion from the cache', async () => {
    const { server, provider } = await setup({ '/api/generate': generateAnswer() });
    const request = { model: 'llama3.2', prompt: 'hi', temperature: 0 };
    await provider.generate(request);
    const again = await provider.generate(request);
    expect(again).toMatchObject({ cached: true, context: [1, 2, 3] });
    expect(generated(server)).toHaveLength(1);
  });

  it('refuses raw with a template, system or context before sending (Ollama answers 400)', async () => {
    const { server, provider } = await setup({ '/api/generate': generateAnswer() });
    await expect(
      provider.generate({ model: 'llama3.2', prompt: 'x', raw: true, system: 'y' }),
    ).rejects.toThrow(/request\.system.*raw/);
    await expect(
      provider.generate({ model: 'llama3.2', prompt: 'x', topLogprobs: 21 }),
    ).rejects.toThrow(RangeError);
    await expect(provider.generate({ model: 'llama3.2', promt: 'x' } as never)).rejects.toThrow(
      'Unknown option `request.promt`: did you mean `request.prompt`?',
    );
    expect(generated(server)).toHaveLength(0);
  });
});

describe('OllamaProvider.streamGenerate', () => {
  it('yields the text of fixture 03 split across reads, then the response with its context', async () => {
    const fixture = loadFixture('03-generate-stream.json');
    const { provider } = await setup({
      '/api/generate': splitFixture(fixture, [7, 50, 51, 200, 333, 600]),
    });
    const chunks: GenerateChunk[] = [];
    for await (const chunk of provider.streamGenerate({
      model: 'llama3.2',
      prompt: 'Write a haiku about the ocean.',
      temperature: 0.7,
    })) {
      chunks.push(chunk);
    }
    const text = chunks
      .filter((c) => !c.done)
      .map((c) => c.content)
      .join('');
    const final = chunks.at(-1)!;
    expect(final.done).toBe(true);
    expect(final.response!.content).toBe(text);
    expect(text.startsWith('Waves caress the shore')).toBe(true);
    expect(Array.isArray(final.response!.context)).toBe(true);
    expect(final.response!.context!.length).toBeGreaterThan(0);
  });
});

describe('logprobs', () => {
  it('returns typed log probabilities per chunk and on the chat answer', async () => {
    const line = (content: string, token: string, extra: Record<string, unknown> = {}) =>
      `${JSON.stringify({
        model: 'llama3.2',
        message: { role: 'assistant', content },
        done: false,
        logprobs: [
          {
            token,
            logprob: -0.25,
            bytes: [...Buffer.from(token)],
            top_logprobs: [
              { token, logprob: -0.25 },
              { token: 'x', logprob: -2 },
            ],
          },
        ],
        ...extra,
      })}\n`;
    const { server, provider } = await setup({
      '/api/chat': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.write(line('Hi', 'Hi'));
        res.end(
          `${JSON.stringify({ model: 'llama3.2', message: { role: 'assistant', content: '' }, done: true, eval_count: 1 })}\n`,
        );
      },
    });
    const chunks = [];
    for await (const chunk of provider.stream({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'hello' }],
      logprobs: true,
      topLogprobs: 2,
    })) {
      chunks.push(chunk);
    }
    expect(server.requests.find((r) => r.path === '/api/chat')!.json).toMatchObject({
      logprobs: true,
      top_logprobs: 2,
    });
    const expected = [
      {
        token: 'Hi',
        logprob: -0.25,
        bytes: [72, 105],
        topLogprobs: [
          { token: 'Hi', logprob: -0.25 },
          { token: 'x', logprob: -2 },
        ],
      },
    ];
    expect(chunks[0]!.logprobs).toEqual(expected);
    expect(chunks.at(-1)!.response!.logprobs).toEqual(expected);
  });
});

describe('embeddings and typing', () => {
  it('serves a repeated embedding from the cache under the default strategy', async () => {
    const { server, provider } = await setup({ '/api/embed': loadFixture('17-embed.json') });
    const request = { model: 'nomic-embed-text', input: ['first', 'second'] };
    const fresh = await provider.embed(request);
    const again = await provider.embed(request);
    expect(fresh.cached).toBe(false);
    expect(again).toMatchObject({ cached: true, attempts: 0, embeddings: fresh.embeddings });
    expect(server.requests.filter((r) => r.path === '/api/embed')).toHaveLength(1);
    expect(provider.stats().cacheHits).toBe(1);
  });

  it('accepts messages parsed from JSON (role: string) and checks the role at run time', async () => {
    const { provider } = await setup({ '/api/chat': loadFixture('01-chat-nonstream.json') });
    const parsed: { role: string; content: string }[] = JSON.parse(
      '[{"role":"user","content":"Why is the sky blue?"}]',
    );
    await expect(provider.complete({ model: 'llama3.2', messages: parsed })).resolves.toMatchObject(
      {
        attempts: 1,
      },
    );
    const bad: { role: string; content: string }[] = [{ role: 'robot', content: 'x' }];
    await expect(provider.complete({ model: 'llama3.2', messages: bad })).rejects.toThrow(
      /request\.messages\[0\]\.role/,
    );
  });
});
