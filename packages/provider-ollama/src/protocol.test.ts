// What answers on Ollama's address but is not an Ollama answer over HTTP: bytes of another
// protocol, or a body a proxy compressed. Each ends at once in OllamaProtocolError, never retried
// (a server that answered may have started generating), with nothing of the answer in it.
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  chatChunk,
  doneChunk,
  type Handler,
  startServer,
  type TestServer,
} from './__fixtures__/server';
import {
  isOllamaConnectionError,
  isOllamaError,
  isOllamaProtocolError,
  isServerBusyError,
  OllamaProtocolError,
} from './errors';
import { createOllamaProvider, type OllamaProvider } from './provider';
import type { ChatRequest, StreamChunk } from './types';

const servers: TestServer[] = [];
const providers: OllamaProvider[] = [];

afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A server answering `/api/chat` with `chat`, and a provider on it that would retry twice. */
async function setup(chat: Handler): Promise<{ server: TestServer; provider: OllamaProvider }> {
  const server = await startServer({ '/api/chat': chat });
  servers.push(server);
  // Tokens off: no /api/show lookup before the chat request.
  const provider = createOllamaProvider({
    baseUrl: server.url,
    tokens: false,
    retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 1 },
  });
  providers.push(provider);
  return { server, provider };
}

const ask: ChatRequest = { model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] };

async function drain(iterable: AsyncIterable<StreamChunk>): Promise<StreamChunk[]> {
  const out: StreamChunk[] = [];
  for await (const chunk of iterable) out.push(chunk);
  return out;
}

describe('an answer that is not HTTP', () => {
  it('ends in OllamaProtocolError, sent once, when another service answers on the port', async () => {
    const { server, provider } = await setup((_req, res) => {
      res.socket!.end('SSH-2.0-OpenSSH_9.6\r\n');
    });
    const error = await provider.complete(ask).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OllamaProtocolError);
    expect(isOllamaProtocolError(error) && isOllamaError(error)).toBe(true);
    expect(isOllamaConnectionError(error)).toBe(false);
    const { causeCode } = error as OllamaProtocolError;
    expect(causeCode).toMatch(/^HPE_/);
    expect(error).toMatchObject({
      code: 'X_PROVIDER_OLLAMA_PROTOCOL',
      kind: 'protocol',
      retryable: false,
      origin: server.url,
      message: `Ollama at ${server.url} answered with something that is not valid HTTP (${causeCode}): is another service listening on that port, or a proxy in between altering the answer?`,
    });
    expect(server.requests).toHaveLength(1);
    expect(provider.stats()).toMatchObject({ attempts: 1, retries: 0, failures: 1 });
  });
});

describe('an encoded answer', () => {
  const gzipped: Handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' });
    res.end(gzipSync(chatChunk('Hel') + doneChunk()));
  };

  it('asks for identity, and refuses a gzip-encoded answer at its headers, sent once', async () => {
    const { server, provider } = await setup(gzipped);
    for (const call of [() => provider.complete(ask), () => drain(provider.stream(ask))]) {
      const error = await call().catch((e: unknown) => e);
      expect(isOllamaProtocolError(error)).toBe(true);
      expect(error).toMatchObject({
        code: 'X_PROVIDER_OLLAMA_PROTOCOL',
        causeCode: 'CONTENT_ENCODING',
        contentEncoding: 'gzip',
        retryable: false,
      });
      expect((error as Error).message).toBe(
        `Ollama at ${server.url} answered with a body in Content-Encoding "gzip" (CONTENT_ENCODING), though the request asked for identity: is a proxy in between compressing answers? It must pass them on unencoded`,
      );
    }
    expect(server.requests.map((r) => r.headers['accept-encoding'])).toEqual([
      'identity',
      'identity',
    ]);
  });

  it('reports a gzip-encoded error answer by its status, with no binary in its message', async () => {
    const { provider } = await setup((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify({ error: 'server busy, please try again' })));
    });
    const error = await provider.complete({ ...ask, cache: 'bypass' }).catch((e: unknown) => e);
    expect(isServerBusyError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe('health() when the answer is not HTTP', () => {
  it('reports the server reached but unhealthy, not unreachable', async () => {
    const server = await startServer({
      'HEAD /': (_req, res) => {
        res.socket!.end('SSH-2.0-OpenSSH_9.6\r\n');
      },
    });
    servers.push(server);
    const provider = createOllamaProvider({ baseUrl: server.url });
    providers.push(provider);
    const report = await provider.health();
    expect(report).toMatchObject({ status: 'unhealthy', reachable: true });
    expect(report.reasons.join(' ')).toMatch(/^not Ollama's API: .*not valid HTTP/);
    expect(report.reasons.join(' ')).not.toMatch(/unreachable/);
  });
});
