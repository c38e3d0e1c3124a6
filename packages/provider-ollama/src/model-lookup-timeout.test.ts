// Before a chat is sent the provider looks the model up (`/api/show`: its context window and
// capabilities). When that lookup hung, the call failed with the core's wording of a metadata
// call's deadline, "waiting for the whole answer (timeouts.firstTokenMs)", which reads as the
// chat's own answer although `/api/chat` was never sent. These tests use the real clock: the
// server never answers the lookup, and a short `firstTokenMs` ends it.
import { type Handler, startRouteServer } from '@x/internal/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { isOllamaTimeoutError } from './errors';
import { createOllamaProvider, type OllamaProvider } from './provider';

const providers: OllamaProvider[] = [];
const servers: { close(): Promise<unknown> }[] = [];

afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.destroy()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const CHAT_LINE = `${JSON.stringify({ model: 'llama3.2', message: { role: 'assistant', content: 'ok' }, done: true, done_reason: 'stop', prompt_eval_count: 3, eval_count: 1 })}\n`;

/** Never answers: the request stays open until the client lets go of it. */
const hang: Handler = () => {};

const FIRST_TOKEN_MS = 1000;

const LOOKUP_TIMEOUT = `Timed out after ${FIRST_TOKEN_MS} ms waiting for Ollama to answer the model lookup /api/show for model "llama3.2" (its context window and capabilities, asked before the request; the request itself was not sent): the server is slow loading the model's info; check the server, or raise the deadline (timeouts.firstTokenMs)`;

async function setup() {
  const server = await startRouteServer({
    '/api/show': hang,
    '/api/ps': hang,
    '/api/chat': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.end(CHAT_LINE);
    },
  });
  servers.push(server);
  const provider = createOllamaProvider({
    baseUrl: server.url,
    retry: false,
    cache: false,
    timeouts: { firstTokenMs: FIRST_TOKEN_MS },
  });
  providers.push(provider);
  const sent = (path: string) => server.requests.filter((r) => r.path === path).length;
  return { provider, sent };
}

const request = { model: 'llama3.2', messages: [{ role: 'user' as const, content: 'hi' }] };

describe('a chat whose /api/show lookup hangs (real clock)', () => {
  it('fails naming the lookup, the model, the option and the remedy, when complete() waits', async () => {
    const { provider, sent } = await setup();
    const error = await provider.complete(request).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect((error as Error).message).toBe(LOOKUP_TIMEOUT);
    expect(isOllamaTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeout: 'firstToken', timeoutMs: FIRST_TOKEN_MS });
    expect(sent('/api/chat')).toBe(0);
  });

  it('fails the same way when stream() waits', async () => {
    const { provider, sent } = await setup();
    const read = async () => {
      for await (const _ of provider.stream(request)) {
        // nothing arrives: the lookup fails first
      }
    };
    const error = await read().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect((error as Error).message).toBe(LOOKUP_TIMEOUT);
    expect(isOllamaTimeoutError(error)).toBe(true);
    expect(sent('/api/chat')).toBe(0);
  });
});
