// Ollama's error texts that name the caller's mistake, mapped to what they mean: a prompt too long
// for the window (its texts from the MLX runner and /api/embed), and 500s that would fail the same
// way again (not retried, not counted by the breaker).

import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type Handler, startServer, type TestServer } from './__fixtures__/server';
import { isContextOverflowError, isOllamaApiError } from './errors';
import { createOllamaProvider, type OllamaProvider, type OllamaProviderOptions } from './index';

const servers: TestServer[] = [];
const providers: OllamaProvider[] = [];

afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setup(
  routes: Record<string, Handler>,
  options: OllamaProviderOptions = {},
): Promise<{ server: TestServer; provider: OllamaProvider }> {
  const server = await startServer(routes);
  servers.push(server);
  const provider = createOllamaProvider({
    baseUrl: server.url,
    tokens: false,
    retry: { baseDelayMs: 1 },
    ...options,
  });
  providers.push(provider);
  return { server, provider };
}

/** Ollama's JSON error answer. */
const answer =
  (status: number, error: string): Handler =>
  (_req, res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ error }));
  };

const ask = { model: 'llama3.2', messages: [{ role: 'user' as const, content: 'hi' }] };
const at = (server: TestServer, path: string) => server.requests.filter((r) => r.path === path);

describe('a 400 saying the prompt exceeds the maximum context length', () => {
  it('is a ContextOverflowError from chat (the MLX runner, passed on by Ollama)', async () => {
    const { server, provider } = await setup({
      '/api/chat': answer(
        400,
        "input length (9000 tokens) exceeds the model's maximum context length (8192 tokens)",
      ),
    });
    const error = await provider.complete(ask).catch((e: unknown) => e);
    expect(isContextOverflowError(error)).toBe(true);
    expect(error).toMatchObject({ source: 'server', model: 'llama3.2', retryable: false });
    expect(at(server, '/api/chat')).toHaveLength(1);
  });

  it.each([
    'input exceeds maximum context length and cannot be truncated further',
    'input after truncation exceeds maximum context length',
  ])('is a ContextOverflowError from embed (%s)', async (text) => {
    const { server, provider } = await setup({ '/api/embed': answer(400, text) });
    const error = await provider
      .embed({ model: 'all-minilm', input: 'hi', truncate: false })
      .catch((e: unknown) => e);
    expect(isContextOverflowError(error)).toBe(true);
    expect(error).toMatchObject({ source: 'server', model: 'all-minilm' });
    expect((error as Error).message).toContain(text);
    expect(at(server, '/api/embed')).toHaveLength(1);
  });
});

describe('a 500 that is the caller’s mistake', () => {
  it('is not retried nor counted by the breaker: option "stop" must be of an array of strings', async () => {
    const { server, provider } = await setup(
      { '/api/chat': answer(500, 'option "stop" must be of an array of strings') },
      { breaker: { failureThreshold: 1 } },
    );
    const error = await provider.complete(ask).catch((e: unknown) => e);
    expect(isOllamaApiError(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 500, retryable: false });
    expect(at(server, '/api/chat')).toHaveLength(1);
    expect(provider.breaker?.state).toBe('closed');
  });

  it("is not retried: pull's `insecure protocol http` (a plain-http registry without insecure)", async () => {
    const { server, provider } = await setup({
      '/api/pull': answer(500, 'insecure protocol http'),
    });
    const pulled = (async () => {
      for await (const _ of provider.pull({ model: 'registry.local/me/model' }));
    })();
    const error = await pulled.catch((e: unknown) => e);
    expect(isOllamaApiError(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 500, retryable: false });
    expect(at(server, '/api/pull')).toHaveLength(1);
  });
});

describe('options.stop checked before sending', () => {
  it('refuses an item that is not a string, naming it, and a stop that is not an array', async () => {
    const { server, provider } = await setup({ '/api/chat': answer(500, 'unreachable') });
    const item = await provider
      .complete({ ...ask, options: { stop: ['\n', 1] } })
      .catch((e: unknown) => e);
    expect(item).toBeInstanceOf(TypeError);
    expect((item as Error).message).toMatch(
      /^Expected `request\.options\.stop\[1\]` to be a string/,
    );
    const text = await provider
      .generate({ model: 'llama3.2', prompt: 'hi', options: { stop: 'END' } })
      .catch((e: unknown) => e);
    expect(text).toBeInstanceOf(TypeError);
    expect((text as Error).message).toMatch(/`request\.options\.stop` to be an array of strings/);
    expect(server.requests).toHaveLength(0);
  });
});
