// `/api/generate` answers carry the calls a model's built-in parser found as top-level
// `tool_calls` (api.GenerateResponse), on the final chunk: read as chat reads its own.

import { afterEach, describe, expect, it } from 'vitest';
import { type Handler, startServer, type TestServer } from './__fixtures__/server';
import { createOllamaProvider, type OllamaProvider, type OllamaProviderOptions } from './index';
import type { GenerateChunk } from './types';

const servers: TestServer[] = [];
const providers: OllamaProvider[] = [];

afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const CALLS = [
  { id: 'call_1', function: { index: 0, name: 'get_weather', arguments: { city: 'Paris' } } },
];

/** Lines as Ollama's GenerateHandler writes them: text, then a final chunk with the calls. */
const LINES = [
  { model: 'qwen3:4b', created_at: '2026-08-24T09:16:02.5Z', response: '', done: false },
  {
    model: 'qwen3:4b',
    created_at: '2026-08-24T09:16:02.6Z',
    response: '',
    tool_calls: CALLS,
    done: true,
    done_reason: 'stop',
    prompt_eval_count: 20,
    eval_count: 12,
  },
];

/** Streamed (NDJSON) when the request asks for it, else the one JSON answer. */
const generateAnswer: Handler = (_req, res, received) => {
  const streamed = received.json?.stream !== false;
  if (streamed) {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.end(LINES.map((line) => `${JSON.stringify(line)}\n`).join(''));
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(LINES[1]));
};

async function setup(options: OllamaProviderOptions = {}): Promise<OllamaProvider> {
  const server = await startServer({ '/api/generate': generateAnswer });
  servers.push(server);
  const provider = createOllamaProvider({
    baseUrl: server.url,
    tokens: false,
    cache: false,
    ...options,
  });
  providers.push(provider);
  return provider;
}

const request = { model: 'qwen3:4b', prompt: 'Weather in Paris?' };
const expected = [{ id: 'call_1', index: 0, name: 'get_weather', arguments: { city: 'Paris' } }];

describe('OllamaProvider.generate with tool calls', () => {
  it.each(['stream', 'whole'] as const)(
    'returns the top-level tool_calls and finishReason tool_calls (completeAs: %s)',
    async (completeAs) => {
      const provider = await setup({ completeAs });
      const answer = await provider.generate(request);
      expect(answer.toolCalls).toEqual(expected);
      expect(answer.message.toolCalls).toEqual(expected);
      expect(answer.finishReason).toBe('tool_calls');
    },
  );

  it('streamGenerate yields the calls in a chunk and in the final response', async () => {
    const provider = await setup();
    const chunks: GenerateChunk[] = [];
    for await (const chunk of provider.streamGenerate(request)) chunks.push(chunk);
    expect(chunks.filter((c) => c.toolCalls !== undefined).map((c) => c.toolCalls)).toEqual([
      expected,
    ]);
    const last = chunks.at(-1)!;
    expect(last.done).toBe(true);
    expect(last.response).toMatchObject({ toolCalls: expected, finishReason: 'tool_calls' });
  });
});
