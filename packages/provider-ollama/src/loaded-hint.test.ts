// Before a chat, the provider looks at /api/ps for the model's loaded window (the hint). Callers
// that need it at the same time share one look, as they share /api/show: a cold burst of calls
// sent one /api/ps each, outside every limit the provider was given. And the look is an answer
// read whole: a server trickling it ends it at firstTokenMs, and the call goes on without it.
import { startRouteServer } from '@x/internal/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createOllamaProvider, type OllamaProvider } from './provider';

const providers: OllamaProvider[] = [];
const servers: { close(): Promise<unknown> }[] = [];

afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.destroy()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const CHAT_LINE = `${JSON.stringify({ model: 'llama3.2', message: { role: 'assistant', content: 'ok' }, done: true, done_reason: 'stop', prompt_eval_count: 3, eval_count: 1 })}\n`;
const SHOW = JSON.stringify({ model_info: { 'llama.context_length': 131_072 }, parameters: '' });

describe('the loaded-window hint', () => {
  it('is one /api/ps for a cold burst of calls', async () => {
    const server = await startRouteServer({
      '/api/ps': (_req, res) =>
        void setTimeout(
          () =>
            res.end(
              JSON.stringify({ models: [{ name: 'llama3.2:latest', context_length: 4096 }] }),
            ),
          50,
        ),
      '/api/show': (_req, res) => void res.end(SHOW),
      '/api/chat': (_req, res) => void res.end(CHAT_LINE),
    });
    servers.push(server);
    const provider = createOllamaProvider({ baseUrl: server.url, cache: false });
    providers.push(provider);
    const ask = { model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] };
    const answers = await Promise.all(Array.from({ length: 20 }, () => provider.complete(ask)));
    expect(answers.map((a) => a.content)).toEqual(Array(20).fill('ok'));
    expect(server.requests.filter((r) => r.path === '/api/ps')).toHaveLength(1);
    expect(server.requests.filter((r) => r.path === '/api/chat')).toHaveLength(20);
  });

  it('ends at firstTokenMs when /api/ps trickles, and the call goes on without it', async () => {
    const server = await startRouteServer({
      '/api/ps': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const timer = setInterval(() => res.write(' '), 50);
        res.on('close', () => clearInterval(timer));
      },
      '/api/show': (_req, res) => void res.end(SHOW),
      '/api/chat': (_req, res) => void res.end(CHAT_LINE),
    });
    servers.push(server);
    const provider = createOllamaProvider({
      baseUrl: server.url,
      cache: false,
      timeouts: { firstTokenMs: 500, idleMs: 300 },
    });
    providers.push(provider);
    const started = performance.now();
    const answer = await provider.complete({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(answer.content).toBe('ok');
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});
