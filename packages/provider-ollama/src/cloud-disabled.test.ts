// Ollama's 403 for a cloud or remote model on a server with its cloud switched off
// (`OLLAMA_NO_CLOUD`, `disable_ollama_cloud`): the error says so, not to check a key.

import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { closedAfterEach, type Handler, startServer, type TestServer } from './__fixtures__/server';
import { isOllamaApiError } from './errors';
import { createOllamaProvider, type OllamaProvider } from './index';

const { servers, providers } = closedAfterEach<TestServer>();

async function setup(routes: Record<string, Handler>): Promise<OllamaProvider> {
  const server = await startServer(routes);
  servers.push(server);
  const provider = createOllamaProvider({
    baseUrl: server.url,
    tokens: false,
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
    breaker: { failureThreshold: 1 },
  });
  providers.push(provider);
  return provider;
}

const forbidden =
  (error: string): Handler =>
  (_req, res: ServerResponse) => {
    res.writeHead(403, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ error }));
  };

function expectCloudDisabled(error: unknown, endpoint: string, text: string): void {
  expect(isOllamaApiError(error)).toBe(true);
  expect(error).toMatchObject({ statusCode: 403, retryable: false, endpoint, serverMessage: text });
  const { message } = error as Error;
  expect(message).toMatch(new RegExp(`^Ollama ${endpoint} answered 403: ${text}\\. `));
  expect(message).toContain("has Ollama's cloud disabled");
  expect(message).toContain('`OLLAMA_NO_CLOUD`');
  expect(message).toContain('`disable_ollama_cloud`');
  expect(message).toContain('use a local model');
  // Neither the key advice nor Ollama's Origin and Host 403s: neither is the cause.
  expect(message).not.toContain('apiKey');
  expect(message).not.toContain('OLLAMA_API_KEY');
  expect(message).not.toContain('OLLAMA_ORIGINS');
}

describe("a 403 saying the server's Ollama cloud is disabled", () => {
  it('from chat with a cloud model: says the cloud is off, sent once, breaker closed', async () => {
    const text = 'ollama cloud is disabled: remote model is unavailable';
    let sent = 0;
    const provider = await setup({
      '/api/chat': (req, res, received) => {
        sent++;
        return forbidden(text)(req, res, received);
      },
    });
    const error = await provider
      .complete({ model: 'gpt-oss:120b-cloud', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expectCloudDisabled(error, '/api/chat', text);
    expect(sent).toBe(1);
    expect(provider.breaker?.state).toBe('closed');
  });

  it("from /api/show (show() of a remote model's details)", async () => {
    const text = 'ollama cloud is disabled: remote model details are unavailable';
    const provider = await setup({ '/api/show': forbidden(text) });
    const error = await provider.show('qwen3-coder:480b:cloud').catch((e: unknown) => e);
    expectCloudDisabled(error, '/api/show', text);
  });

  it('leaves any other 403 with the key and OLLAMA_ORIGINS advice', async () => {
    const provider = await setup({ '/api/chat': forbidden('forbidden') });
    const error = await provider
      .complete({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect((error as Error).message).toContain('`apiKey`');
    expect((error as Error).message).toContain('OLLAMA_ORIGINS');
    expect((error as Error).message).not.toContain('OLLAMA_NO_CLOUD');
  });
});
