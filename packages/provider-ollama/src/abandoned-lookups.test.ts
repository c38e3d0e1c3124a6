// The lookups the provider shares between callers (`/api/show` per model, the `/api/ps` window
// hint, the `/api/version` feature check) are cancelled once no caller waits for them any more.
// Before, one whose every caller had aborted ran on to its own deadline (300 s by default against
// a hung server), holding a pooled socket and a queue slot for nobody. Each test waits for the
// server to see the request's connection closed: on the old code it never was within `until`'s
// bound.
import type { ServerResponse } from 'node:http';
import { type Handler, startRouteServer, until } from '@x/internal/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createOllamaProvider, type OllamaProvider } from './provider';

const providers: OllamaProvider[] = [];
const servers: { close(): Promise<unknown> }[] = [];

afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.destroy()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const SHOW = JSON.stringify({ model_info: { 'llama.context_length': 131_072 }, parameters: '' });
const CHAT_LINE = `${JSON.stringify({ model: 'llama3.2', message: { role: 'assistant', content: 'ok' }, done: true, done_reason: 'stop', prompt_eval_count: 3, eval_count: 1 })}\n`;

/** Never answers: the request stays open until the client lets go of it. */
const hang: Handler = () => {};

async function setup(routes: Record<string, Handler | Handler[]>) {
  const server = await startRouteServer(routes);
  servers.push(server);
  const provider = createOllamaProvider({ baseUrl: server.url, cache: false });
  providers.push(provider);
  const sent = (path: string) => server.requests.filter((r) => r.path === path).length;
  return { server, provider, sent };
}

describe('a shared /api/show lookup', () => {
  it('is cancelled when its only caller aborts: the server sees the connection closed', async () => {
    const { server, provider, sent } = await setup({ '/api/show': hang });
    const controller = new AbortController();
    const call = provider.modelInfo('llama3.2', { signal: controller.signal });
    await until(() => sent('/api/show') === 1);
    const reason = new Error('caller left');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    await until(() => server.aborted() === 1);
  });

  it('still answers a caller that stays, from one request, when another aborts', async () => {
    const held: ServerResponse[] = [];
    const { server, provider, sent } = await setup({
      '/api/show': (_req, res) => void held.push(res),
    });
    const leaving = new AbortController();
    const staying = new AbortController();
    const left = provider.modelInfo('llama3.2', { signal: leaving.signal });
    const kept = provider.modelInfo('llama3.2', { signal: staying.signal });
    await until(() => held.length === 1);
    const reason = new Error('one caller left');
    leaving.abort(reason);
    await expect(left).rejects.toBe(reason);
    held[0]!.end(SHOW);
    expect((await kept).contextLength).toBe(131_072);
    expect(sent('/api/show')).toBe(1);
    expect(server.aborted()).toBe(0);
  });

  it('is kept to its end by a caller without a signal', async () => {
    const held: ServerResponse[] = [];
    const { server, provider } = await setup({ '/api/show': (_req, res) => void held.push(res) });
    const leaving = new AbortController();
    const left = provider.modelInfo('llama3.2', { signal: leaving.signal });
    const kept = provider.modelInfo('llama3.2');
    await until(() => held.length === 1);
    leaving.abort(new Error('left'));
    await expect(left).rejects.toThrow('left');
    held[0]!.end(SHOW);
    expect((await kept).contextLength).toBe(131_072);
    expect(server.aborted()).toBe(0);
  });

  it('is asked afresh by a caller that comes after it was abandoned', async () => {
    const { server, provider, sent } = await setup({
      '/api/show': [hang, (_req, res) => void res.end(SHOW)],
    });
    const controller = new AbortController();
    const first = provider.modelInfo('llama3.2', { signal: controller.signal });
    await until(() => sent('/api/show') === 1);
    controller.abort(new Error('left'));
    await expect(first).rejects.toThrow('left');
    await until(() => server.aborted() === 1);
    expect((await provider.modelInfo('llama3.2')).contextLength).toBe(131_072);
    expect(sent('/api/show')).toBe(2);
  });
});

describe('the other shared lookups', () => {
  it('cancels the /api/ps window hint once its only caller aborts', async () => {
    const { server, provider, sent } = await setup({
      '/api/ps': hang,
      '/api/show': (_req, res) => void res.end(SHOW),
      '/api/chat': (_req, res) => void res.end(CHAT_LINE),
    });
    const controller = new AbortController();
    const call = provider.complete({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'hi' }],
      signal: controller.signal,
    });
    await until(() => sent('/api/ps') === 1);
    const reason = new Error('caller left');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    await until(() => server.aborted() === 1);
    expect(sent('/api/chat')).toBe(0);
  });

  it('cancels the /api/version feature check once its only caller aborts', async () => {
    const { server, provider, sent } = await setup({
      '/api/version': [hang, (_req, res) => void res.end('{"version":"0.13.0"}')],
      '/api/ps': (_req, res) => void res.end('{"models":[]}'),
      '/api/show': (_req, res) => void res.end(SHOW),
      '/api/chat': (_req, res) => void res.end(CHAT_LINE),
    });
    const ask = { model: 'llama3.2', messages: [{ role: 'user' as const, content: 'hi' }] };
    const controller = new AbortController();
    const call = provider.complete({ ...ask, logprobs: true, signal: controller.signal });
    await until(() => sent('/api/version') === 1);
    const reason = new Error('caller left');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    await until(() => server.aborted() === 1);
    // The next call asks again rather than joining the cancelled lookup.
    expect((await provider.complete({ ...ask, logprobs: true })).content).toBe('ok');
    expect(sent('/api/version')).toBe(2);
  });
});
