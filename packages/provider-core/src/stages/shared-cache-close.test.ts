// Real clock and real sockets: providers of different servers sharing one cache, where a call of
// one waits on the other's load when its provider is closed or destroyed. The other's failure is
// never the call's to report, and the call, holding no socket of its provider, still ends before
// that provider's close() resolves.
import { createCache } from '@x/cache';
import { describe, expect, it, vi } from 'vitest';
import { lineCore as core, streamed } from '../__fixtures__/line-core';
import {
  destroyAfterEach,
  outcome,
  startModelServer as startServer,
  to,
} from '../__fixtures__/model-server';

destroyAfterEach();

const same = { ...streamed, cacheKey: () => ({ q: 'same' }) };

describe("a call waiting on another provider's load", () => {
  it.each([
    { what: 'no first-token deadline', options: { timeouts: false as const } },
    {
      what: 'a first-token deadline it did not reach',
      options: { timeouts: { firstTokenMs: 30_000 } },
    },
  ])(
    'ends with its own closed error when that load fails after close() ($what)',
    async ({ options }) => {
      const stalled = await startServer();
      const healthy = await startServer();
      await using cache = createCache({ strategy: 'aggressive' });
      // a's load fails by a's own first-token deadline: `quiet` sends headers and then nothing.
      const a = core(stalled.url, { cache, timeouts: { firstTokenMs: 300 } });
      const b = core(healthy.url, { cache, ...options });
      const failed = outcome(a.complete(same, to('quiet')));
      await vi.waitFor(() => expect(stalled.received).toEqual(['quiet']), { timeout: 5_000 });
      const waiting = outcome(b.complete(same, to('quiet')));
      expect(b.stats().inFlight).toBe(1);
      await b.close();
      // close() waited for the call, which holds no socket of b's.
      expect(b.stats().inFlight).toBe(0);
      expect(await waiting).toMatchObject({ name: 'ProviderClosedError', destroyed: false });
      expect(await failed).toMatchObject({ name: 'ProviderTimeoutError' });
      // Closed: nothing new was sent to b's server.
      expect(healthy.received).toEqual([]);
    },
  );

  it('ends at once with its own error at destroy(), however long that load runs', async () => {
    const stalled = await startServer();
    const healthy = await startServer();
    await using cache = createCache({ strategy: 'aggressive' });
    // Neither has a deadline: a's load runs until a is destroyed, b's call waits on it for ever.
    const a = core(stalled.url, { cache, timeouts: false });
    const b = core(healthy.url, { cache, timeouts: false });
    const running = outcome(a.complete(same, to('quiet')));
    await vi.waitFor(() => expect(stalled.received).toEqual(['quiet']), { timeout: 5_000 });
    const waiting = outcome(b.complete(same, to('quiet')));
    await b.destroy();
    // destroy() ended the call and waited for it; a's load runs on for a's caller.
    expect(b.stats().inFlight).toBe(0);
    expect(a.stats().inFlight).toBe(1);
    expect(await waiting).toMatchObject({ name: 'ProviderClosedError', destroyed: true });
    await a.destroy();
    expect(await running).toMatchObject({ name: 'ProviderClosedError', destroyed: true });
    expect(healthy.received).toEqual([]);
  });
});
