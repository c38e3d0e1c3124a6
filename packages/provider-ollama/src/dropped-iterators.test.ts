import { getEventListeners } from 'node:events';
import { startEndlessNdjson, startRouteServer, until } from '@x/internal/testing';
import { describe, expect, it, vi } from 'vitest';
import { hostileSetup } from './__fixtures__/server';
import { createOllamaProvider } from './provider';
import type { ChatRequest } from './types';

const { against, providers, servers } = hostileSetup();

const ask: ChatRequest = { model: 'hostile', messages: [{ role: 'user', content: 'hi' }] };

describe('a dropped stream iterator', () => {
  it('gives its socket and in-flight slot back after timeouts.consumerMs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { server, provider } = await against(() => startEndlessNdjson({ intervalMs: 0 }));
    const iterator = provider.stream(ask)[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    // The caller never asks for more (the iterator is dropped).
    expect(provider.stats().inFlight).toBe(1);
    await vi.advanceTimersByTimeAsync(300_000);
    await until(() => server.stats.clientGone);
    expect(provider.stats()).toMatchObject({ inFlight: 0, cancelled: 1 });
    expect(provider.pool!.stats().totals.running).toBe(0);
    // A read after the bound says what happened, and carries what had arrived.
    const error = await iterator.next().catch((e: unknown) => e);
    expect(error).toMatchObject({ timeout: 'consumer', partial: { content: expect.any(String) } });
    expect((error as { partial: { chunks: number } }).partial.chunks).toBeGreaterThan(0);
  });
});

describe('dropped iterators under a long-lived signal', () => {
  it('leave no listener on it once consumerMs has passed', async () => {
    // Fake timers, as the tests around: the shared deadline timer is process-wide.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { provider } = await against(() => startEndlessNdjson({ intervalMs: 0 }), {
      timeouts: { consumerMs: 50 },
    });
    const app = new AbortController();
    for (let i = 0; i < 3; i++) {
      const iterator = provider.stream({ ...ask, signal: app.signal })[Symbol.asyncIterator]();
      expect((await iterator.next()).done).toBe(false);
      // dropped: the caller never asks for more, nor returns
    }
    // One listener for the three calls (a signal gets one however many calls share it).
    expect(getEventListeners(app.signal, 'abort')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    await until(() => provider.stats().inFlight === 0);
    expect(getEventListeners(app.signal, 'abort')).toHaveLength(0);
    expect(provider.pool!.stats().totals.running).toBe(0);
  });
});

describe('a dropped pull() iterator', () => {
  it('gives its socket back after timeouts.consumerMs, and a later read says why', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { server, provider } = await against(() =>
      startEndlessNdjson({
        message: {
          status: 'pulling 8eeb52dfb3bb',
          digest: 'sha256:8eeb',
          total: 100,
          completed: 1,
        },
      }),
    );
    const iterator = provider.pull({ model: 'hostile' })[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first).toMatchObject({ done: false, value: { status: 'pulling 8eeb52dfb3bb' } });
    // The caller never asks for more (the iterator is dropped).
    expect(provider.pool!.stats().totals.running).toBe(1);
    await vi.advanceTimersByTimeAsync(300_000);
    await until(() => server.stats.clientGone);
    expect(provider.pool!.stats().totals.running).toBe(0);
    await expect(iterator.next()).rejects.toMatchObject({ timeout: 'consumer' });
  });

  it('still ends normally when the download had ended while the caller held a message', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const server = await startRouteServer({
      '/api/pull': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.end('{"status":"pulling manifest"}\n{"status":"success"}\n');
      },
    });
    servers.push(server);
    const provider = createOllamaProvider({
      baseUrl: server.url,
      tokens: false,
      timeouts: { consumerMs: 50 },
    });
    providers.push(provider);
    const statuses: string[] = [];
    for await (const progress of provider.pull({ model: 'hostile' })) {
      statuses.push(progress.status);
      // held past consumerMs: the transfer was already read to its end
      await vi.advanceTimersByTimeAsync(150);
    }
    expect(statuses).toEqual(['pulling manifest', 'success']);
  });
});
