// Real clock and real sockets: every call below would wait for minutes (the default first-token
// deadline is 300 s, a Retry-After 60 s) unless destroy() ends it.

import type http from 'node:http';
import { fileURLToPath } from 'node:url';
import { runModuleScript, until } from '@x/internal/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadFixture, startServer, type TestServer } from './__fixtures__/server';
import { isProviderClosedError, ProviderClosedError } from './errors';
import { createOllamaProvider, type OllamaProvider } from './provider';
import type { ChatRequest } from './types';

const servers: TestServer[] = [];
const providers: OllamaProvider[] = [];

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(providers.splice(0).map((p) => p.destroy()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** The answers held open, to end them when the test ends. */
const held: http.ServerResponse[] = [];

/**
 * A chat answered by the request's model: `partial` with one line and then nothing, `busy` with a
 * 503 and `Retry-After: 60`, any other never. A pull reports one step, then nothing.
 */
async function stallingServer(): Promise<TestServer> {
  const server = await startServer({
    '/api/show': loadFixture('05-show-llama3.2.json'),
    'POST /api/chat': (_req, res, { json }) => {
      held.push(res);
      if (json?.model === 'partial') {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.write(
          `${JSON.stringify({ model: 'partial', message: { role: 'assistant', content: 'Hel' }, done: false })}\n`,
        );
      } else if (json?.model === 'busy') {
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '60' });
        res.end('{"error":"server busy"}');
      }
    },
    'POST /api/pull': (_req, res) => {
      held.push(res);
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write('{"status":"pulling manifest"}\n');
    },
    'GET /api/tags': (_req, res) => {
      held.push(res);
    },
    'HEAD /': (_req, res) => {
      held.push(res);
    },
  });
  servers.push(server);
  return server;
}

const ask = (model: string): ChatRequest => ({
  model,
  messages: [{ role: 'user', content: 'Why is the sky blue?' }],
});

const outcome = (promise: Promise<unknown>): Promise<unknown> =>
  promise.catch((error: unknown) => error);

describe('OllamaProvider.destroy', () => {
  it('ends a chat on its socket, a stream mid-answer, a pull, a model list and a retry backoff at once', async () => {
    const server = await stallingServer();
    const provider = createOllamaProvider({ baseUrl: server.url, retry: { retries: 2 } });
    providers.push(provider);
    const stream = provider.stream(ask('partial'))[Symbol.asyncIterator]();
    await expect(stream.next()).resolves.toMatchObject({ value: { content: 'Hel' } });
    const pull = provider.pull({ model: 'llama3.2' })[Symbol.asyncIterator]();
    await expect(pull.next()).resolves.toMatchObject({ value: { status: 'pulling manifest' } });
    const calls = [
      outcome(provider.complete(ask('llama3.2'))),
      outcome(stream.next()),
      outcome(pull.next()),
      outcome(provider.listModels()),
      outcome(provider.complete(ask('busy'))),
    ];
    await vi.waitFor(() => expect(provider.stats().retries).toBe(1));
    const paths = () => server.requests.map((r) => r.path).filter((path) => path !== '/api/show');
    await vi.waitFor(() => expect(paths().filter((path) => path === '/api/chat')).toHaveLength(3));
    await vi.waitFor(() => expect(paths()).toContain('/api/tags'));
    await provider.destroy();
    for (const call of calls) {
      const error = await call;
      expect(error).toBeInstanceOf(ProviderClosedError);
      expect(isProviderClosedError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'X_PROVIDER_OLLAMA_CLOSED' });
    }
    // The socket of every answer held open was closed by the client.
    await vi.waitFor(() => expect(server.aborted()).toBe(4));
    expect(provider.pool!.stats().totals.connected).toBe(0);
    await expect(provider.complete(ask('llama3.2'))).rejects.toBeInstanceOf(ProviderClosedError);
    for (const res of held.splice(0)) res.destroy();
  });

  it('ends initialize() waiting out its backoff for a server that is still starting', async () => {
    // Fake timers, never advanced: the backoff cannot end by itself; the answers are real I/O.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const server = await startServer({
      'GET /api/version': (_req, res) => {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('starting');
      },
    });
    servers.push(server);
    const provider = createOllamaProvider({ baseUrl: server.url });
    providers.push(provider);
    const initializing = outcome(provider.initialize({ timeoutMs: 60_000 }));
    await until(() => server.requests.length === 1);
    const waiting = vi.getTimerCount();
    // The answer read, the backoff starts: one more timer.
    await until(() => vi.getTimerCount() > waiting);
    await provider.destroy();
    expect(await initializing).toBeInstanceOf(ProviderClosedError);
    expect(server.requests).toHaveLength(1);
  });

  it("leaves another provider's pool it was given open, and that provider's calls running", async () => {
    const server = await stallingServer();
    const owner = createOllamaProvider({ baseUrl: server.url });
    const provider = createOllamaProvider({ baseUrl: server.url, pool: owner.pool });
    providers.push(provider, owner);
    const theirs = outcome(owner.complete(ask('llama3.2')));
    const mine = outcome(provider.complete(ask('llama3.2')));
    await vi.waitFor(() =>
      expect(server.requests.filter((r) => r.path === '/api/chat')).toHaveLength(2),
    );
    await provider.destroy();
    expect(await mine).toBeInstanceOf(ProviderClosedError);
    await vi.waitFor(() => expect(server.aborted()).toBe(1));
    expect(owner.pool!.closed).toBe(false);
    await expect(owner.show('llama3.2')).resolves.toMatchObject({
      modified_at: expect.any(String),
    });
    await owner.destroy();
    expect(await theirs).toBeInstanceOf(ProviderClosedError);
    for (const res of held.splice(0)) res.destroy();
  });
});

const entry = fileURLToPath(new URL('./index.ts', import.meta.url));

describe('OllamaProvider.destroy in a process of its own', () => {
  it('lets the process exit once it resolved, with calls on sockets and in a backoff (real clock, child process)', async () => {
    const server = await stallingServer();
    const result = await runModuleScript(
      entry,
      'ollama',
      `
      const provider = ollama.createOllamaProvider({ baseUrl: ${JSON.stringify(server.url)}, retry: { retries: 1 } });
      const ask = (model) => ({ model, messages: [{ role: 'user', content: 'Why?' }] });
      const code = (promise) => promise.then(() => 'answered', (error) => error.code);
      const retried = new Promise((resolve) => provider.onRetry(resolve));
      const stream = provider.stream(ask('partial'))[Symbol.asyncIterator]();
      await stream.next();
      const calls = [code(provider.complete(ask('llama3.2'))), code(stream.next()), code(provider.complete(ask('busy')))];
      await retried;
      await provider.destroy();
      console.log((await Promise.all(calls)).join(' '));
    `,
    );
    expect(result).toMatchObject({
      code: 0,
      stdout: 'X_PROVIDER_OLLAMA_CLOSED X_PROVIDER_OLLAMA_CLOSED X_PROVIDER_OLLAMA_CLOSED\n',
    });
    for (const res of held.splice(0)) res.destroy();
  }, 30_000);
});

describe('health() and destroy()', () => {
  it('rejects a check in flight with ProviderClosedError instead of reporting the server unreachable', async () => {
    const server = await stallingServer();
    const provider = createOllamaProvider({ baseUrl: server.url });
    providers.push(provider);
    const report = provider.health({ timeoutMs: 30_000 }).catch((e: unknown) => e);
    await until(() => server.requests.some((r) => r.method === 'HEAD'));
    await provider.destroy();
    expect(await report).toBeInstanceOf(ProviderClosedError);
  });
});
