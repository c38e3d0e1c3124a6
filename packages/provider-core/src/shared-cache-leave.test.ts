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
    await vi.waitFor(() => expect(hanging.received).toEqual(['never']));
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
    await vi.waitFor(() => expect(hanging.received).toEqual(['never']));
    // Made after a's load started: the cache was a's alone then.
    const b = core(healthy.url, { cache, timeouts: { firstTokenMs: 300 } });
    await expect(b.complete(same, to('m'))).resolves.toMatchObject({ content: 'hi' });
    expect(healthy.received).toEqual(['m']);
    await a.destroy();
    expect(await hung).toMatchObject({ name: 'ProviderClosedError' });
  });

  it('shares one load of its own server with the calls of its provider that left too', async () => {
    const hanging = await startServer();
    const healthy = await startServer();
    await using cache = createCache({ strategy: 'aggressive' });
    const a = core(hanging.url, { cache });
    const b = core(healthy.url, { cache, timeouts: { firstTokenMs: 300 } });
    const hung = outcome(a.complete(same, to('never')));
    await vi.waitFor(() => expect(hanging.received).toEqual(['never']));
    // `slow` takes 100 ms after its first line: the later callers leave while it runs.
    const calls = Array.from({ length: 10 }, () => b.complete(same, to('slow')));
    for (const call of calls) await expect(call).resolves.toMatchObject({ content: 'slow' });
    expect(healthy.received).toEqual(['slow']);
    await a.destroy();
    expect(await hung).toMatchObject({ name: 'ProviderClosedError' });
  });

  it('keeps its own load going for the others when one of them aborts', async () => {
    const hanging = await startServer();
    const healthy = await startServer();
    await using cache = createCache({ strategy: 'aggressive' });
    const a = core(hanging.url, { cache });
    const b = core(healthy.url, { cache, timeouts: { firstTokenMs: 300 } });
    const hung = outcome(a.complete(same, to('never')));
    await vi.waitFor(() => expect(hanging.received).toEqual(['never']));
    const leaving = new AbortController();
    const first = outcome(b.complete(same, to('slow', leaving.signal)));
    const second = b.complete(same, to('slow'));
    await vi.waitFor(() => expect(healthy.received).toEqual(['slow']));
    leaving.abort();
    expect(await first).toMatchObject({ name: 'AbortError' });
    await expect(second).resolves.toMatchObject({ content: 'slow' });
    expect(healthy.received).toEqual(['slow']);
    await a.destroy();
    expect(await hung).toMatchObject({ name: 'ProviderClosedError' });
  });
});
