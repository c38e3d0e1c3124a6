import { describe, expect, it } from 'vitest';
import { ask, collect, fixtureSetup, type Handler } from './__fixtures__/server';
import {
  isContextOverflowError,
  isModelNotFoundError,
  isOllamaApiError,
  isOllamaTimeoutError,
} from './errors';
import { createOllamaProvider } from './provider';

const { providers, setup } = fixtureSetup();

describe('error mapping', () => {
  it('maps undici connect timeouts to a retryable OllamaTimeoutError connect', async () => {
    let calls = 0;
    const provider = createOllamaProvider({
      baseUrl: 'http://127.0.0.1:9',
      tokens: false,
      breaker: false,
      retry: { baseDelayMs: 1, maxDelayMs: 1 },
      timeouts: { connectMs: 1234 },
      transport: async () => {
        calls++;
        throw Object.assign(new Error('Connect Timeout Error'), {
          code: 'UND_ERR_CONNECT_TIMEOUT',
        });
      },
    });
    providers.push(provider);
    const error = await provider.complete(ask()).catch((e) => e);
    expect(isOllamaTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeout: 'connect', timeoutMs: 1234, retryable: true });
    expect(calls).toBe(3);
  });

  it('maps a 400 "prompt is longer than the context length" to ContextOverflowError', async () => {
    const { provider } = await setup({
      '/api/chat': (_req, res) => {
        res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' });
        res.end(
          JSON.stringify({
            error:
              'the prompt is longer than the context length currently available to the model; shorten the prompt',
          }),
        );
      },
    });
    const error = await provider.complete(ask()).catch((e) => e);
    expect(isContextOverflowError(error)).toBe(true);
    expect(error).toMatchObject({ source: 'server', model: 'llama3.2', retryable: false });
  });

  it("maps llama-server's context error, which Ollama passes on for a prompt with images, to ContextOverflowError", async () => {
    // Ollama does not truncate a prompt with images: llama-server's 400 body becomes the message
    const runner = JSON.stringify({
      error: {
        code: 400,
        message:
          'request (9000 tokens) exceeds the available context size (4096 tokens), try increasing it',
        type: 'exceed_context_size_error',
      },
    });
    const { provider } = await setup({
      '/api/chat': (_req, res) => {
        res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: runner }));
      },
    });
    const error = await provider.complete(ask()).catch((e) => e);
    expect(isContextOverflowError(error)).toBe(true);
    expect(error).toMatchObject({ source: 'server', model: 'llama3.2', retryable: false });
  });

  it('maps a redirect (a proxy sending http to https) to an OllamaApiError naming the new address', async () => {
    const moved: Handler = (req, res) => {
      res.writeHead(301, {
        location: `https://ollama.example${req.url}`,
        'content-type': 'text/html',
      });
      res.end('<html><body>Moved Permanently</body></html>');
    };
    const { server, provider } = await setup(
      { '/api/chat': moved, '/api/tags': moved },
      { tokens: false },
    );
    for (const call of [
      () => provider.complete(ask()),
      () => collect(provider.stream(ask())),
      () => provider.listModels(),
    ]) {
      const error = await call().catch((e) => e);
      expect(isOllamaApiError(error)).toBe(true);
      expect(error).toMatchObject({ statusCode: 301, retryable: false });
      expect(error.message).toContain('https://ollama.example/api/');
    }
    expect(server.requests).toHaveLength(3);
    expect(provider.breaker?.state).toBe('closed');
  });

  it('names a redirect without the credentials its Location carries', async () => {
    const locations = [
      'http://user:hunter2-pass@evil.example/api/chat',
      '/x?model=m&api_key=abcd1234abcd1234&X-Amz-Signature=0f0f0f0f0f0f',
      // An API moved under a prefix: its base, without the endpoint baseUrl would refuse.
      'https://api.example/ollama/api/chat?token=abcd1234abcd1234',
      // Back to the address asked: its base is the baseUrl already set, no advice to follow.
      '/api/chat',
    ];
    let answered = 0;
    const { provider } = await setup(
      {
        '/api/chat': (_req, res) => {
          res.writeHead(302, { location: locations[answered++ % locations.length]! });
          res.end();
        },
      },
      { tokens: false },
    );
    const messages: string[] = [];
    for (let i = 0; i < locations.length; i++) {
      messages.push(((await provider.complete(ask()).catch((e) => e)) as Error).message);
    }
    expect(messages).toEqual([
      'Ollama /api/chat answered 302: redirected to http://[redacted]@evil.example/api/chat; use http://evil.example as baseUrl',
      'Ollama /api/chat answered 302: redirected to /x?model=m&api_key=[redacted]&X-Amz-Signature=[redacted]; not followed: set baseUrl to the address the API answers at',
      'Ollama /api/chat answered 302: redirected to https://api.example/ollama/api/chat?token=[redacted]; use https://api.example/ollama as baseUrl',
      'Ollama /api/chat answered 302: redirected to /api/chat; the address asked (a redirect loop, or a proxy in front of the API): not followed, check what answers at baseUrl',
    ]);
  });

  it('maps a 404 with a text body (unknown path) to OllamaApiError, not ModelNotFoundError', async () => {
    const { provider } = await setup({}, { tokens: false });
    const error = await provider.embed({ model: 'nomic-embed-text', input: 'x' }).catch((e) => e);
    expect(isOllamaApiError(error)).toBe(true);
    expect(isModelNotFoundError(error)).toBe(false);
    expect(error).toMatchObject({ statusCode: 404, serverMessage: '404 page not found' });
  });

  it('says where a 404 for a path not served went and asks about baseUrl', async () => {
    const { server } = await setup({});
    const provider = createOllamaProvider({
      baseUrl: `${server.url}/v1`,
      retry: false,
      tokens: false,
    });
    providers.push(provider);
    const error = await provider.complete(ask()).catch((e) => e);
    expect(isOllamaApiError(error)).toBe(true);
    expect(error.message).toMatch(
      /^Ollama \/api\/chat answered 404 \(404 page not found\): nothing is served at POST http:\/\/127\.0\.0\.1:\d+\/v1\/api\/chat\. Is baseUrl right\? Ollama's API is at the server's root/,
    );
    expect(error.serverMessage).toBe('404 page not found');
  });
});
