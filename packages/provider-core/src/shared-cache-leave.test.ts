// Real clock and real sockets: providers of different servers sharing one cache, where the load
// a call joined is another provider's and hangs. The call leaves it at its own first-token
// deadline, whatever the other provider's deadlines and whenever it joined the cache.
import { createCache } from '@x/cache';
import { describe, expect, it, vi } from 'vitest';
import { lineCore as core, streamed } from './__fixtures__/line-core';
import {
  destroyAfterEach,
  outcome,
  startModelServer as startServer,
  to,
} from './__fixtures__/model-server';

destroyAfterEach();

// Waits for real I/O (a request arriving, a socket closing) get 5 s, not vi.waitFor's 1 s: a
// loaded CI machine can take longer, and a bug still fails them.

const same = { ...streamed, cacheKey: () => ({ q: 'same' }) };

describe("a call that joined another provider's hanging load", () => {
  it.each([
    { what: 'has no first-token deadline', options: { timeouts: false as const } },
    { what: 'has its first-token deadline off', options: { timeouts: { firstTokenMs: 0 } } },
  ])('leaves it when the provider that started it $what', async ({ options }) => {
    const hanging = await startServer();
    const healthy = await startServer();
    await using cache = createCache({ strategy: 'aggressive' });
    const a = core(hanging.url, { cache, ...options });
    const b = core(healthy.url, { cache, timeouts: { firstTokenMs: 300 } });
    const hung = outcome(a.complete(same, to('never')));
    await vi.waitFor(() => expect(hanging.received).toEqual(['never']), { timeout: 5_000 });
    await expect(b.complete(same, to('m'))).resolves.toMatchObject({ content: 'hi' });
    expect(healthy.received).toEqual(['m']);
    await a.destroy();
    expect(await hung).toMatchObject({ name: 'ProviderClosedError' });
  });

  it('leaves it when the load began before the cache was shared', async () => {
    const hanging = await startServer();
    const healthy = await startServer();
    await using cache = createCache({ strategy: 'aggressive' });
    const a = core(hanging.url, { cache });
    const hung = outcome(a.complete(same, to('never')));
    await vi.waitFor(() => expect(hanging.received).toEqual(['never']), { timeout: 5_000 });
    // Made after a's load started: the cache was a's alone then.
    const b = core(healthy.url, { cache, timeouts: { firstTokenMs: 300 } });
    await expect(b.complete(same, to('m'))).resolves.toMatchObject({ content: 'hi' });
    expect(healthy.received).toEqual(['m']);
    await a.destroy();
    expect(await hung).toMatchObject({ name: 'ProviderClosedError' });
  });

  it('shares one load of its own server with the calls of its provider that left too', async () => {
    const hanging = await startServer();
    // `slow` holds its rest until released: every caller leaves a's load (at its 300 ms first-
    // token deadline) while b's own load runs, however slow the machine.
    const healthy = await startServer({ holdSlow: true });
    await using cache = createCache({ strategy: 'aggressive' });
    const a = core(hanging.url, { cache });
    const b = core(healthy.url, { cache, timeouts: { firstTokenMs: 300 } });
    const hung = outcome(a.complete(same, to('never')));
    await vi.waitFor(() => expect(hanging.received).toEqual(['never']), { timeout: 5_000 });
    const calls = Array.from({ length: 10 }, () => b.complete(same, to('slow')));
    await vi.waitFor(() => expect(healthy.received).toEqual(['slow']), { timeout: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    healthy.release();
    for (const call of calls) await expect(call).resolves.toMatchObject({ content: 'slow' });
    expect(healthy.received).toEqual(['slow']);
    await a.destroy();
    expect(await hung).toMatchObject({ name: 'ProviderClosedError' });
  });

  it('keeps its own load going for the others when one of them aborts', async () => {
    const hanging = await startServer();
    // `slow` holds its rest until released: the abort comes while b's own load runs.
    const healthy = await startServer({ holdSlow: true });
    await using cache = createCache({ strategy: 'aggressive' });
    const a = core(hanging.url, { cache });
    const b = core(healthy.url, { cache, timeouts: { firstTokenMs: 300 } });
    const hung = outcome(a.complete(same, to('never')));
    await vi.waitFor(() => expect(hanging.received).toEqual(['never']), { timeout: 5_000 });
    const leaving = new AbortController();
    const first = outcome(b.complete(same, to('slow', leaving.signal)));
    const second = b.complete(same, to('slow'));
    await vi.waitFor(() => expect(healthy.received).toEqual(['slow']), { timeout: 5_000 });
    leaving.abort();
    expect(await first).toMatchObject({ name: 'AbortError' });
    healthy.release();
    await expect(second).resolves.toMatchObject({ content: 'slow' });
    expect(healthy.received).toEqual(['slow']);
    await a.destroy();
    expect(await hung).toMatchObject({ name: 'ProviderClosedError' });
  });
});

describe('a provider closed or destroyed', () => {
  /** The options each call gave the cache: a signal only while a join may need its bound. */
  function optionsSeen(cache: ReturnType<typeof createCache>) {
    const seen: unknown[] = [];
    const getOrLoad = cache.getOrLoad.bind(cache);
    vi.spyOn(cache, 'getOrLoad').mockImplementation((key, loader, options) => {
      seen.push(options?.signal);
      return getOrLoad(key, loader, options);
    });
    return seen;
  }

  it('stops counting as a user of the cache: the one left pays nothing for sharing', async () => {
    const server = await startServer();
    await using cache = createCache({ strategy: 'aggressive' });
    const seen = optionsSeen(cache);
    const a = core(server.url, { cache });
    const b = core(server.url, { cache, timeouts: { firstTokenMs: 300 } });
    await b.complete({ ...streamed, cacheKey: () => ({ q: 1 }) }, to('m'));
    expect(seen.at(-1)).toBeInstanceOf(AbortSignal);
    await a.destroy();
    await b.complete({ ...streamed, cacheKey: () => ({ q: 2 }) }, to('m'));
    expect(seen.at(-1)).toBeUndefined();
  });

  it('keeps counting while a load it began before the cache was shared runs on after close()', async () => {
    const hanging = await startServer();
    const healthy = await startServer();
    await using cache = createCache({ strategy: 'aggressive' });
    // a has no deadline at all: only the bound of b's own first-token deadline ends b's wait.
    const a = core(hanging.url, { cache, timeouts: false });
    const hung = outcome(a.complete(same, to('never')));
    await vi.waitFor(() => expect(hanging.received).toEqual(['never']), { timeout: 5_000 });
    const b = core(healthy.url, { cache, timeouts: { firstTokenMs: 300 } });
    const closed = a.close();
    await expect(b.complete(same, to('m'))).resolves.toMatchObject({ content: 'hi' });
    expect(healthy.received).toEqual(['m']);
    await a.destroy();
    await closed;
    expect(await hung).toMatchObject({ name: 'ProviderClosedError' });
  });

  it("keeps the others' bound until a load of its own that they may have joined ends", async () => {
    const hanging = await startServer();
    const healthy = await startServer();
    await using cache = createCache({ strategy: 'aggressive' });
    const seen = optionsSeen(cache);
    const a = core(hanging.url, { cache });
    const b = core(healthy.url, { cache, timeouts: { firstTokenMs: 300 } });
    const hung = outcome(a.complete(same, to('never')));
    await vi.waitFor(() => expect(hanging.received).toEqual(['never']), { timeout: 5_000 });
    // close() lets a's load run on: b's call still leaves it at its own deadline.
    const closed = a.close();
    await expect(b.complete(same, to('m'))).resolves.toMatchObject({ content: 'hi' });
    expect(seen.at(-1)).toBeInstanceOf(AbortSignal);
    await a.destroy();
    await closed;
    expect(await hung).toMatchObject({ name: 'ProviderClosedError' });
    await b.complete({ ...streamed, cacheKey: () => ({ q: 3 }) }, to('m'));
    expect(seen.at(-1)).toBeUndefined();
  });
});
