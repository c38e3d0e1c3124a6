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
    // The numbers the text states, for a router to learn the window from.
    expect(error).toMatchObject({ contextWindow: 8192, promptTokens: 9000, overflowBy: 808 });
    expect(at(server, '/api/chat')).toHaveLength(1);
  });

  it("carries the window and the prompt's size of llama.cpp's text, passed on by Ollama", async () => {
    const { provider } = await setup({
      '/api/chat': answer(
        400,
        'request (9000 tokens) exceeds the available context size (8192 tokens), try increasing it',
      ),
    });
    const error = await provider.complete(ask).catch((e: unknown) => e);
    expect(isContextOverflowError(error)).toBe(true);
    expect(error).toMatchObject({ source: 'server', contextWindow: 8192, promptTokens: 9000 });
  });

  it("leaves them unknown for Ollama's own text, which names no number", async () => {
    const { provider } = await setup({
      '/api/chat': answer(
        400,
        'the prompt is longer than the context length currently available to the model; shorten the prompt, adjust the context length in settings, or use a model with a longer context length',
      ),
    });
    const error = await provider.complete(ask).catch((e: unknown) => e);
    expect(isContextOverflowError(error)).toBe(true);
    expect(error).toMatchObject({ contextWindow: undefined, promptTokens: undefined });
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

describe('a 500 of the prompt rendering (the same request fails the same way)', () => {
  it('is not retried nor counted by the breaker: a bad generate template', async () => {
    const { server, provider } = await setup(
      { '/api/generate': answer(500, 'template: :1: function "foo" not defined') },
      { breaker: { failureThreshold: 1 } },
    );
    const error = await provider
      .generate({ model: 'llama3.2', prompt: 'hi', template: '{{ foo }}' })
      .catch((e: unknown) => e);
    expect(isOllamaApiError(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 500, retryable: false });
    expect(at(server, '/api/generate')).toHaveLength(1);
    expect(provider.breaker?.state).toBe('closed');
  });

  it.each([
    'template: :1:3: executing "" at <.Foo>: can\'t evaluate field Foo in type *template.Values',
    'template: :2: unexpected "}" in operand',
    'undefined action in template',
    'this model only supports one image while more than one image requested',
    'system message cannot contain images',
    'no user query found in messages',
    'unsupported Qwen3.8 reasoning effort "max"',
  ])('is not retried nor counted by the breaker from chat: %s', async (text) => {
    const { server, provider } = await setup(
      { '/api/chat': answer(500, text) },
      { breaker: { failureThreshold: 1 } },
    );
    const error = await provider.complete(ask).catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 500, retryable: false, serverMessage: text });
    expect(at(server, '/api/chat')).toHaveLength(1);
    expect(provider.breaker?.state).toBe('closed');
  });

  it.each([
    // The runner's failures that only mention a template or images stay the server's.
    'llama-server apply-template error: dial tcp 127.0.0.1:40123: connect: connection refused',
    'failed reading llama-server template response: unexpected EOF',
    'llama runner process has terminated: exit status 2',
  ])('stays retryable when it is the server failing: %s', async (text) => {
    const { server, provider } = await setup({ '/api/chat': answer(500, text) });
    const error = await provider.complete(ask).catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 500, retryable: true });
    expect(at(server, '/api/chat')).toHaveLength(3);
  });
});

describe('/api/embed with a model that cannot embed (501, Ollama 0.30+)', () => {
  const NO_EMBEDDINGS = 'This server does not support embeddings. Start it with `--embeddings`';

  it('is a non-retryable OllamaApiError that says to use an embedding model, sent once', async () => {
    const { server, provider } = await setup({ '/api/embed': answer(501, NO_EMBEDDINGS) });
    const error = await provider.embed({ model: 'llama3.2', input: 'hi' }).catch((e: unknown) => e);
    expect(isOllamaApiError(error)).toBe(true);
    expect(error).toMatchObject({
      kind: 'api',
      statusCode: 501,
      retryable: false,
      serverMessage: NO_EMBEDDINGS,
    });
    expect((error as Error).message).toMatch(/^Model "llama3\.2" cannot make embeddings/);
    expect((error as Error).message).toContain('embedding model');
    expect(at(server, '/api/embed')).toHaveLength(1);
  });
});

describe('a 401 with a sign-in link (a cloud model, the server not signed in)', () => {
  const link = 'https://ollama.com/connect?name=box&key=c3NoLWVkMjU1MTkgQUFBQQ';

  it('keeps the link on the error (signinUrl) and in its message', async () => {
    const { provider } = await setup({
      '/api/chat': (_req, res: ServerResponse) => {
        res.writeHead(401, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: 'unauthorized', signin_url: link }));
      },
    });
    const error = await provider
      .complete({ ...ask, model: 'gpt-oss:120b-cloud' })
      .catch((e: unknown) => e);
    expect(isOllamaApiError(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 401, retryable: false, signinUrl: link });
    expect((error as Error).message).toContain(link);
  });

  it.each([
    ['holds the API key', `https://ollama.com/connect?key=${'sk-test-1234567890abcdef'}`],
    ['is not an http(s) URL', 'javascript:alert(1)'],
    ['has credentials', 'https://user:pass@ollama.com/connect'],
  ])('drops a link that %s', async (_what, url) => {
    const { provider } = await setup(
      {
        '/api/chat': (_req, res: ServerResponse) => {
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'unauthorized', signin_url: url }));
        },
      },
      { apiKey: 'sk-test-1234567890abcdef' },
    );
    const error = await provider.complete(ask).catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 401, signinUrl: undefined });
    expect((error as Error).message).not.toContain('sk-test-1234567890abcdef');
    expect((error as Error).message).not.toContain(url);
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
