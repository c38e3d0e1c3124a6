// A metadata call's deadline names the request it sent and what it asked for, from the core. A
// chat looks its model up first (`/api/show`: its context window, and whether `think: false` can
// be honoured); when that lookup hung, the call used to fail "waiting for the whole answer
// (timeouts.firstTokenMs)", which read as the chat's own answer although `/api/chat` was never
// sent. These tests use the real clock: the server never answers the metadata endpoints, and a
// short `firstTokenMs` ends each call.
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

const SHOW = `the server to answer POST /api/show (the details of model "llama3.2")`;

/** The chat's lookup, said as that: the request was not sent. */
const LOOKUP_TIMEOUT = `Timed out after ${FIRST_TOKEN_MS} ms waiting for ${SHOW}, a lookup made before POST /api/chat; that request was not sent (timeouts.firstTokenMs)`;

async function setup() {
  const server = await startRouteServer({
    '/api/show': hang,
    '/api/ps': hang,
    '/api/tags': hang,
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

function failure(pending: Promise<unknown>): Promise<unknown> {
  return pending.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
}

async function streamed(iterable: AsyncIterable<unknown>): Promise<unknown> {
  return failure(
    (async () => {
      for await (const _ of iterable) {
        // nothing arrives: the lookup fails first
      }
    })(),
  );
}

describe('a chat whose /api/show lookup hangs (real clock)', () => {
  it('fails naming the lookup, the model, the request not sent and the option, when complete() waits', {
    timeout: 30_000,
  }, async () => {
    const { provider, sent } = await setup();
    const error = await failure(provider.complete(request));
    expect((error as Error).message).toBe(LOOKUP_TIMEOUT);
    expect(isOllamaTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeout: 'firstToken', timeoutMs: FIRST_TOKEN_MS });
    expect(sent('/api/chat')).toBe(0);
  });

  it('fails the same way when stream() waits', { timeout: 30_000 }, async () => {
    const { provider, sent } = await setup();
    const error = await streamed(provider.stream(request));
    expect((error as Error).message).toBe(LOOKUP_TIMEOUT);
    expect(isOllamaTimeoutError(error)).toBe(true);
    expect(sent('/api/chat')).toBe(0);
  });

  it('fails the same way when the lookup is the think check of think: false, complete() and stream()', {
    timeout: 30_000,
  }, async () => {
    const { provider, sent } = await setup();
    const [whole, chunks] = await Promise.all([
      failure(provider.complete({ ...request, think: false })),
      streamed(provider.stream({ ...request, think: false })),
    ]);
    expect((whole as Error).message).toBe(LOOKUP_TIMEOUT);
    expect((chunks as Error).message).toBe(LOOKUP_TIMEOUT);
    expect(sent('/api/chat')).toBe(0);
  });
});

describe('metadata calls to a server that never answers them (real clock)', () => {
  it('name the request each sent and what it asked for: modelInfo(), ps(), listModels()', {
    timeout: 30_000,
  }, async () => {
    const { provider } = await setup();
    const [info, loaded, listed] = await Promise.all([
      failure(provider.modelInfo('llama3.2')),
      failure(provider.ps()),
      failure(provider.listModels()),
    ]);
    const waited = (what: string) =>
      `Timed out after ${FIRST_TOKEN_MS} ms waiting for ${what} (timeouts.firstTokenMs)`;
    expect((info as Error).message).toBe(waited(SHOW));
    expect((loaded as Error).message).toBe(
      waited('the server to answer GET /api/ps (the models loaded)'),
    );
    expect((listed as Error).message).toBe(
      waited('the server to answer GET /api/tags (the models installed)'),
    );
    for (const error of [info, loaded, listed]) {
      expect(isOllamaTimeoutError(error)).toBe(true);
      expect(error).toMatchObject({ timeout: 'firstToken', timeoutMs: FIRST_TOKEN_MS });
    }
  });
});
