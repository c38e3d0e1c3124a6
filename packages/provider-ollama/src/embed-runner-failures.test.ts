// `/api/embed` answers 400 to any failure that is not Ollama's own status error, the runner's
// included (server/routes.go's EmbedHandler): those texts are the server failing, retried and
// counted by the breaker as the same texts are on a 500, while a 400 of the request stays the
// caller's.

import type { ServerResponse } from 'node:http';
import { releaseSharedBreaker } from '@x/breaker';
import { describe, expect, it } from 'vitest';
import { closedAfterEach, type Handler, startServer, type TestServer } from './__fixtures__/server';
import { isOllamaApiError } from './errors';
import { createOllamaProvider, type OllamaProvider, type OllamaProviderOptions } from './index';

const { servers, providers } = closedAfterEach<TestServer>();

async function setup(
  routes: Record<string, Handler | Handler[]>,
  options: OllamaProviderOptions = {},
): Promise<{ server: TestServer; provider: OllamaProvider }> {
  const server = await startServer(routes);
  servers.push(server);
  const provider = createOllamaProvider({
    baseUrl: server.url,
    tokens: false,
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
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

const embedded: Handler = (_req, res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ model: 'all-minilm', embeddings: [[0.6, 0.8]], prompt_eval_count: 1 }));
};

const at = (server: TestServer, path: string) => server.requests.filter((r) => r.path === path);

const RUNNER_FAILURES = [
  'llama-server process no longer running: exit status 1 ',
  'llama runner process no longer running: -1 ',
  'no slots available after 10 retries',
  'unexpected server status: llm server loading model',
  'do embedding request: Post "http://127.0.0.1:41523/v1/embeddings": EOF',
  'health resp: Get "http://127.0.0.1:41523/health": read: connection reset by peer',
  'server not responding',
  'Post "http://127.0.0.1:41523/tokenize": dial tcp 127.0.0.1:41523: connect: connection refused',
];

describe('a 400 of /api/embed that is the runner failing', () => {
  it.each(RUNNER_FAILURES)('is retried, and the retry answers: %s', async (text) => {
    const { server, provider } = await setup({ '/api/embed': [answer(400, text), embedded] });
    const result = await provider.embed({ model: 'all-minilm', input: 'hi' });
    expect(result.embeddings).toEqual([[0.6, 0.8]]);
    expect(at(server, '/api/embed')).toHaveLength(2);
  });

  it('is a retryable OllamaApiError with the status and text the server sent, once retries are spent', async () => {
    const text = 'llama-server process no longer running: exit status 1';
    const { server, provider } = await setup({ '/api/embed': answer(400, text) });
    const error = await provider.embed({ model: 'all-minilm', input: 'hi' }).catch((e) => e);
    expect(isOllamaApiError(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 400, retryable: true, serverMessage: text });
    expect(at(server, '/api/embed')).toHaveLength(3);
  });

  it('is counted by the breaker, which opens after failureThreshold of them', async () => {
    const { server, provider } = await setup(
      { '/api/embed': answer(400, 'no slots available after 10 retries') },
      { retry: false, breaker: { failureThreshold: 2 } },
    );
    for (let i = 0; i < 2; i++) {
      await expect(provider.embed({ model: 'all-minilm', input: 'hi' })).rejects.toMatchObject({
        statusCode: 400,
      });
    }
    expect(provider.breaker?.state).toBe('open');
    expect(at(server, '/api/embed')).toHaveLength(2);
  });

  it('is counted with `breaker.classify: undefined`, as with it left out; a classify given wins', async () => {
    const text = 'no slots available after 10 retries';
    const counted = await setup(
      { '/api/embed': answer(400, text) },
      { retry: false, breaker: { failureThreshold: 1, classify: undefined } },
    );
    await counted.provider.embed({ model: 'all-minilm', input: 'hi' }).catch(() => {});
    expect(counted.provider.breaker?.state).toBe('open');
    const own = await setup(
      { '/api/embed': answer(400, text) },
      { retry: false, breaker: { failureThreshold: 1, classify: () => 'ignore' } },
    );
    await own.provider.embed({ model: 'all-minilm', input: 'hi' }).catch(() => {});
    expect(own.provider.breaker?.state).toBe('closed');
  });

  it('is counted by a breaker shared through `share` too', async () => {
    const share = `embed-runner-400-${Math.random().toString(36).slice(2, 8)}`;
    try {
      const { provider } = await setup(
        { '/api/embed': answer(400, 'unexpected server status: llm server error') },
        { retry: false, share, breaker: { failureThreshold: 1 } },
      );
      await expect(provider.embed({ model: 'all-minilm', input: 'hi' })).rejects.toMatchObject({
        statusCode: 400,
        retryable: true,
      });
      expect(provider.breaker?.state).toBe('open');
      await provider.close();
    } finally {
      releaseSharedBreaker(share);
    }
  });
});

describe('a 400 that is not the runner failing', () => {
  it.each([
    ['/api/embed', 'invalid input type'],
    ['/api/embed', 'embedding contains NaN or Inf values'],
    // Only /api/embed answers the runner's failures with 400: elsewhere a 400 is the request's.
    ['/api/chat', 'no slots available after 10 retries'],
  ])('is not retried nor counted by the breaker: %s %s', async (path, text) => {
    const { server, provider } = await setup(
      { [path]: answer(400, text) },
      { breaker: { failureThreshold: 1 } },
    );
    const error =
      path === '/api/embed'
        ? await provider.embed({ model: 'all-minilm', input: 'hi' }).catch((e) => e)
        : await provider
            .complete({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] })
            .catch((e) => e);
    expect(isOllamaApiError(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 400, retryable: false, serverMessage: text });
    expect(at(server, path)).toHaveLength(1);
    expect(provider.breaker?.state).toBe('closed');
  });
});
