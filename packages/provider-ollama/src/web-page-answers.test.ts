import { startRouteServer } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { collect, hostileSetup } from './__fixtures__/server';
import { isIncompleteStreamError, isOllamaStreamError } from './errors';
import { createOllamaProvider } from './provider';
import type { ChatRequest, StreamChunk } from './types';

const { providers, servers } = hostileSetup();

const ask: ChatRequest = { model: 'hostile', messages: [{ role: 'user', content: 'hi' }] };

describe('a web page or another service where Ollama should be (real clock)', () => {
  // What Open WebUI serves for a path of its own: its single-page app, 200 text/html.
  const page = `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8" />\n<title>Open WebUI</title>\n</head>\n<body><div id="app"></div></body>\n</html>\n`;

  async function webUi(contentType: string, body = page) {
    const server = await startRouteServer({
      '/api/chat': (_req, res) => {
        res.writeHead(200, { 'content-type': contentType });
        res.end(body);
      },
    });
    const provider = createOllamaProvider({ baseUrl: server.url, tokens: false });
    providers.push(provider);
    servers.push(server);
    return { server, provider };
  }

  function expectWebPageError(error: unknown, contentType: string) {
    expect(isOllamaStreamError(error)).toBe(true);
    expect(isIncompleteStreamError(error)).toBe(false);
    expect(error).toMatchObject({ reason: 'invalid-json', retryable: false });
    const { message } = error as Error;
    expect(message).toContain(`Ollama's /api/chat answered with a web page (${contentType})`);
    expect(message).toContain('not application/x-ndjson');
    expect(message).toContain('baseUrl');
    expect(message).toContain('Its title: "Open WebUI"');
  }

  it('ends complete() with a typed error naming the content type and the page, not retried', async () => {
    const { server, provider } = await webUi('text/html; charset=utf-8');
    expectWebPageError(
      await provider.complete(ask).catch((e: unknown) => e),
      'text/html; charset=utf-8',
    );
    expect(server.requests).toHaveLength(1);
    expect(provider.stats()).toMatchObject({ failures: 1, inFlight: 0 });
  });

  it("ends complete() with completeAs: 'whole' with the same error", async () => {
    const { provider: streamed } = await webUi('text/html');
    const provider = createOllamaProvider({
      baseUrl: streamed.baseUrl,
      tokens: false,
      completeAs: 'whole',
    });
    providers.push(provider);
    const error = await provider.complete(ask).catch((e: unknown) => e);
    expect(isOllamaStreamError(error)).toBe(true);
    expect((error as Error).message).toContain(
      "Ollama's /api/chat answered with a web page (text/html), not application/json",
    );
    expect((error as Error).message).toContain('Its title: "Open WebUI"');
  });

  it('ends stream() with the same error before yielding anything', async () => {
    const { provider } = await webUi('text/html');
    const chunks: StreamChunk[] = [];
    const error = await (async () => {
      for await (const chunk of provider.stream(ask)) chunks.push(chunk);
    })().catch((e: unknown) => e);
    expect(chunks).toEqual([]);
    expectWebPageError(error, 'text/html');
  });

  it("ends every read with a typed error, before any chunk, when another service's JSON answers", async () => {
    const { provider: streamed, server } = await webUi(
      'application/json',
      '{"detail":"Not Found"}',
    );
    const whole = createOllamaProvider({ baseUrl: server.url, tokens: false, completeAs: 'whole' });
    providers.push(whole);
    const chunks: StreamChunk[] = [];
    const errors = [
      await streamed.complete(ask).catch((e: unknown) => e),
      await whole.complete(ask).catch((e: unknown) => e),
      await (async () => {
        for await (const chunk of streamed.stream(ask)) chunks.push(chunk);
      })().catch((e: unknown) => e),
    ];
    expect(chunks).toEqual([]);
    for (const error of errors) {
      expect(isOllamaStreamError(error)).toBe(true);
      expect(error).toMatchObject({ reason: 'invalid-json' });
      expect((error as Error).message).toContain(
        'not a chat or generate chunk (no done, message or response): {"detail":"Not Found"}',
      );
    }
  });

  it('still reads an NDJSON answer sent with a charset parameter', async () => {
    const line = (content: string, done: boolean) =>
      `${JSON.stringify({ model: 'hostile', message: { role: 'assistant', content }, done, ...(done ? { done_reason: 'stop' } : {}) })}\n`;
    const { provider } = await webUi(
      'application/x-ndjson; charset=utf-8',
      line('Hel', false) + line('lo', true),
    );
    expect((await provider.complete(ask)).content).toBe('Hello');
    const chunks = await collect(provider.stream({ ...ask, cache: 'bypass' }));
    expect(chunks.at(-1)!.response!.content).toBe('Hello');
  });
});
