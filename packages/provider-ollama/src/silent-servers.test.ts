import { startNeverResponds, startTrickle, until } from '@x/internal/testing';
import { describe, expect, it, vi } from 'vitest';
import { hostileSetup } from './__fixtures__/server';
import { isOllamaTimeoutError } from './errors';
import { createOllamaProvider } from './provider';
import type { ChatRequest } from './types';

const { against, providers } = hostileSetup();

const ask: ChatRequest = { model: 'hostile', messages: [{ role: 'user', content: 'hi' }] };

describe('a server that never answers', () => {
  it('ends complete() with a first-token timeout under default options', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { server, provider } = await against(() => startNeverResponds(), { retry: false });
    const pending = provider.complete(ask).catch((e: unknown) => e);
    await until(() => server.stats.connections === 1);
    await vi.advanceTimersByTimeAsync(300_000);
    const error = await pending;
    expect(isOllamaTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeout: 'firstToken' });
  });

  it('ends every call that is answered at once (metadata, embeddings) at firstTokenMs, and close() then ends', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { server, provider } = await against(() => startNeverResponds(), { retry: false });
    const calls = [
      provider.embed({ model: 'm', input: 'x' }),
      provider.listModels(),
      provider.version(),
      provider.modelInfo('m'),
      provider.ps(),
    ].map((call) => (call as Promise<unknown>).catch((e: unknown) => e));
    await until(() => server.stats.connections === calls.length);
    await vi.advanceTimersByTimeAsync(300_000);
    // Embeddings are the answer asked for; a metadata call names the request it sent.
    const waitedFor = [
      'the whole answer',
      'the server to answer GET /api/tags (the models installed)',
      "the server to answer GET /api/version (the server's version)",
      'the server to answer POST /api/show (the details of model "m")',
      'the server to answer GET /api/ps (the models loaded)',
    ];
    for (const [i, error] of (await Promise.all(calls)).entries()) {
      expect(isOllamaTimeoutError(error)).toBe(true);
      expect((error as Error).message).toBe(
        `Timed out after 300000 ms waiting for ${waitedFor[i]} (timeouts.firstTokenMs)`,
      );
    }
    await provider.close();
    expect(provider.pool!.stats().totals).toMatchObject({ running: 0, queued: 0 });
  });

  it('ends a metadata answer that trickles whitespace at firstTokenMs, whatever arrives', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { provider } = await against(
      () => startTrickle({ body: `{"models": []${' '.repeat(100_000)}}`, intervalMs: 100 }),
      { retry: false },
    );
    const pending = provider.listModels().catch((e: unknown) => e);
    for (let t = 0; t < 300_000 + 1_000; t += 1_000) await vi.advanceTimersByTimeAsync(1_000);
    const error = await pending;
    expect(isOllamaTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeout: 'firstToken', timeoutMs: 300_000 });
  });

  it('ends a trickle that never completes a line with a deadline, not never', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { createServer } = await import('node:http');
    const trickle = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      const tick = () => {
        if (res.destroyed) return;
        res.write('x');
        setTimeout(tick, 50);
      };
      tick();
    });
    await new Promise<void>((resolve) => trickle.listen(0, '127.0.0.1', resolve));
    const port = (trickle.address() as { port: number }).port;
    const provider = createOllamaProvider({
      baseUrl: `http://127.0.0.1:${port}`,
      tokens: false,
      retry: false,
    });
    providers.push(provider);
    try {
      const pending = provider.complete(ask).catch((e: unknown) => e);
      for (let t = 0; t < 300_000 + 1_000; t += 1_000) await vi.advanceTimersByTimeAsync(1_000);
      const error = await pending;
      expect(isOllamaTimeoutError(error)).toBe(true);
      expect(error).toMatchObject({ timeout: 'firstToken' });
    } finally {
      trickle.closeAllConnections();
      await new Promise((resolve) => trickle.close(resolve));
    }
  });
});
