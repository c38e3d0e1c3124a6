// Real clock and real sockets: every call below would wait for minutes (the default first-token
// deadline is 300 s, the concurrency queue 60 s) unless destroy() ends it.

import type http from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { chunk } from './__fixtures__/server';
import { ask, chats, setup } from './__fixtures__/setup';
import { isProviderClosedError, ProviderClosedError } from './errors';

/** The answers held open, to end them when the test ends. */
const held: http.ServerResponse[] = [];

const outcome = (promise: Promise<unknown>): Promise<unknown> =>
  promise.catch((error: unknown) => error);

describe('OpenAIProvider.destroy', () => {
  it('ends a chat on its socket, a stream mid-answer, a model list and a call queued behind maxConcurrent', async () => {
    const { server, provider } = await setup(
      {
        'POST /chat/completions': (_req, res, { json }) => {
          held.push(res);
          if (json?.stream === true) {
            res.writeHead(200, { 'content-type': 'text/event-stream' });
            res.write(chunk({ role: 'assistant', content: 'Hel' }));
          }
        },
        'GET /models': (_req, res) => {
          held.push(res);
        },
      },
      { maxConcurrent: 2 },
    );
    const stream = provider.stream(ask())[Symbol.asyncIterator]();
    await expect(stream.next()).resolves.toMatchObject({ value: { content: 'Hel' } });
    const calls = [
      outcome(stream.next()),
      outcome(provider.complete(ask())),
      outcome(provider.complete(ask())),
      outcome(provider.listModels()),
    ];
    await vi.waitFor(() => expect(provider.concurrencyLimiter!.queued).toBe(1), { timeout: 5_000 });
    await vi.waitFor(() => expect(server.requests.map((r) => r.path)).toContain('/v1/models'), {
      timeout: 5_000,
    });
    await provider.destroy();
    for (const call of calls) {
      const error = await call;
      expect(error).toBeInstanceOf(ProviderClosedError);
      expect(isProviderClosedError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'X_PROVIDER_OPENAI_CLOSED' });
    }
    // The queued call was never sent; every answer held open had its socket closed by the client.
    expect(chats(server)).toHaveLength(2);
    await vi.waitFor(() => expect(server.aborted()).toBe(3), { timeout: 5_000 });
    expect(provider.pool!.stats().totals.connected).toBe(0);
    expect(provider.concurrencyLimiter!.stats()).toMatchObject({ active: 0, queued: 0 });
    // Idempotent, and close() afterwards has nothing left to wait for.
    await provider.destroy();
    await provider.close();
    for (const res of held.splice(0)) res.destroy();
  });
});
