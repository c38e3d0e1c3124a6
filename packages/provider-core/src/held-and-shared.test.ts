// Real clock and real sockets: a stream whose caller holds a chunk, and a load several callers
// share through the cache, end (or go on) as the callers and the owner decide.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createBreaker } from '@x/breaker';
import { createCache } from '@x/cache';
import { createConcurrencyLimiter } from '@x/rate-limit';
import { describe, expect, it, vi } from 'vitest';
import { lineCore as core, streamed } from './__fixtures__/line-core';
import {
  destroyAfterEach,
  outcome,
  startModelServer as startServer,
  to,
} from './__fixtures__/model-server';
import type { BaseChatRequest } from './index';

destroyAfterEach();

// Waits for real I/O (a request arriving, a socket closing) get 5 s, not vi.waitFor's 1 s: a
// loaded CI machine can take longer, and a bug still fails them.

describe('a load several callers share through the cache', () => {
  it.each([
    { breaker: 'with a breaker', options: { breaker: {} } },
    { breaker: 'without one', options: {} },
  ])(
    'goes on for the others when the caller who started it aborts ($breaker)',
    async ({ options }) => {
      const server = await startServer({ holdSlow: true });
      await using cache = createCache({ strategy: 'aggressive' });
      const cached = {
        ...streamed,
        cacheKey: (request: BaseChatRequest) => ({ m: request.model }),
      };
      const provider = core(server.url, { cache, ...options });
      const first = new AbortController();
      // `slow` sends its first line and holds the rest until released: the first caller leaves
      // while the answer is being read, however loaded the machine.
      const leaving = outcome(provider.complete(cached, to('slow', first.signal)));
      const staying = provider.complete(cached, to('slow'));
      await vi.waitFor(() => expect(cache.stats().coalesced).toBe(1), { timeout: 5_000 });
      await vi.waitFor(() => expect(server.received).toEqual(['slow']), { timeout: 5_000 });
      // Lets the first line reach the client (not needed for the outcome: the rest is held).
      await new Promise((resolve) => setTimeout(resolve, 20));
      first.abort();
      expect(await leaving).toMatchObject({ name: 'AbortError' });
      server.release();
      await expect(staying).resolves.toMatchObject({ content: 'slow' });
      expect(server.received).toEqual(['slow']);
      expect(provider.stats()).toMatchObject({ successes: 1, failures: 0, cancelled: 1 });
    },
  );
});

describe('a cache shared by providers of different servers', () => {
  it("loads on its own server when the load it joined, another provider's, fails", async () => {
    const hanging = await startServer();
    const healthy = await startServer();
    await using cache = createCache({ strategy: 'aggressive' });
    // One key for both requests: the second call joins the first provider's load.
    const same = { ...streamed, cacheKey: () => ({ q: 'same' }) };
    const a = core(hanging.url, { cache, timeouts: { firstTokenMs: 300 } });
    const b = core(healthy.url, { cache });
    // `never` is never answered: a's load ends at its first-token deadline.
    const failing = outcome(a.complete(same, to('never')));
    await vi.waitFor(() => expect(hanging.received).toEqual(['never']), { timeout: 5_000 });
    const joining = b.complete(same, to('m'));
    await vi.waitFor(() => expect(cache.stats().coalesced).toBe(1), { timeout: 5_000 });
    expect(await failing).toMatchObject({ name: 'ProviderTimeoutError' });
    await expect(joining).resolves.toMatchObject({ content: 'hi' });
    expect(healthy.received).toEqual(['m']);
    expect(b.stats()).toMatchObject({ successes: 1, failures: 0 });
  });

  it("answers from its own server once its first-token deadline passed in another provider's hanging load", async () => {
    const hanging = await startServer();
    const healthy = await startServer();
    await using cache = createCache({ strategy: 'aggressive' });
    const same = { ...streamed, cacheKey: () => ({ q: 'same' }) };
    // a keeps its default deadlines (a first token within 300 s): its load outlives the test.
    const a = core(hanging.url, { cache });
    const b = core(healthy.url, { cache, timeouts: { firstTokenMs: 300 } });
    const hung = outcome(a.complete(same, to('never')));
    await vi.waitFor(() => expect(hanging.received).toEqual(['never']), { timeout: 5_000 });
    const joining = b.complete(same, to('m'));
    await vi.waitFor(() => expect(cache.stats().coalesced).toBe(1), { timeout: 5_000 });
    await expect(joining).resolves.toMatchObject({ content: 'hi', cached: false });
    expect(healthy.received).toEqual(['m']);
    expect(b.stats()).toMatchObject({ successes: 1, failures: 0 });
    // b's answer is stored as a load's would be; a's load goes on for its own caller.
    expect(cache.get({ q: 'same' })).toMatchObject({ response: { content: 'hi' } });
    expect(cache.stats().inflight).toBe(1);
    await a.destroy();
    expect(await hung).toMatchObject({ name: 'ProviderClosedError' });
  });

  it("ends the other provider's hanging load when the joined call that left was its last waiter", async () => {
    const hanging = await startServer();
    const healthy = await startServer();
    await using cache = createCache({ strategy: 'aggressive' });
    const same = { ...streamed, cacheKey: () => ({ q: 'same' }) };
    const a = core(hanging.url, { cache });
    const b = core(healthy.url, { cache, timeouts: { firstTokenMs: 300 } });
    const first = new AbortController();
    const hung = outcome(a.complete(same, to('never', first.signal)));
    await vi.waitFor(() => expect(hanging.received).toEqual(['never']), { timeout: 5_000 });
    const joining = b.complete(same, to('m'));
    await vi.waitFor(() => expect(cache.stats().coalesced).toBe(1), { timeout: 5_000 });
    first.abort();
    expect(await hung).toMatchObject({ name: 'AbortError' });
    await expect(joining).resolves.toMatchObject({ content: 'hi' });
    // Nobody waits for a's load any more: it ended.
    await vi.waitFor(() => expect(cache.stats().inflight).toBe(0), { timeout: 5_000 });
  });

  it("still shares another provider's healthy load that answers within its deadline", async () => {
    const slow = await startServer();
    const other = await startServer();
    await using cache = createCache({ strategy: 'aggressive' });
    const same = { ...streamed, cacheKey: () => ({ q: 'same' }) };
    const a = core(slow.url, { cache });
    // `late` answers after 100 ms, well within b's 5 s.
    const b = core(other.url, { cache, timeouts: { firstTokenMs: 5_000 } });
    const first = a.complete(same, to('late'));
    await vi.waitFor(() => expect(slow.received).toEqual(['late']), { timeout: 5_000 });
    const joining = b.complete(same, to('m'));
    await expect(first).resolves.toMatchObject({ content: 'late' });
    await expect(joining).resolves.toMatchObject({ content: 'late' });
    expect(cache.stats().coalesced).toBe(1);
    expect(slow.received).toEqual(['late']);
    expect(other.received).toEqual([]);
  });

  it('waits past its first-token deadline for a load of its own provider', async () => {
    const server = await startServer({ holdSlow: true });
    const other = await startServer();
    await using cache = createCache({ strategy: 'aggressive' });
    const same = { ...streamed, cacheKey: () => ({ q: 'same' }) };
    // Another provider on the cache makes it shared; b's own calls still share b's loads.
    core(other.url, { cache });
    // `slow` sends its first line at once (well within b's 1 s bound, even on a loaded machine)
    // and the rest only when released, past that bound: the waiter has to wait beyond it.
    const b = core(server.url, { cache, timeouts: { firstTokenMs: 1_000 } });
    const first = b.complete(same, to('slow'));
    const second = b.complete(same, to('slow'));
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    server.release();
    await expect(first).resolves.toMatchObject({ content: 'slow' });
    await expect(second).resolves.toMatchObject({ content: 'slow' });
    expect(server.received).toEqual(['slow']);
  });

  it('never loads again for a waiter of its own failed load', async () => {
    const server = await startServer();
    await using cache = createCache({ strategy: 'aggressive' });
    const same = { ...streamed, cacheKey: () => ({ q: 'same' }) };
    const a = core(server.url, { cache, timeouts: { firstTokenMs: 300 } });
    const first = outcome(a.complete(same, to('never')));
    const second = outcome(a.complete(same, to('never')));
    expect(await first).toMatchObject({ name: 'ProviderTimeoutError' });
    expect(await second).toMatchObject({ name: 'ProviderTimeoutError' });
    expect(server.received).toEqual(['never']);
  });
});

describe('a stream whose caller holds a chunk', () => {
  it.each([
    { ends: 'destroy()', error: { name: 'ProviderClosedError', destroyed: true } },
    { ends: "the caller's abort", error: { name: 'AbortError' } },
  ])(
    'gives a shared slot back at once when $ends ends it, and tells onEnd',
    async ({ ends, error }) => {
      const server = await startServer();
      const slots = createConcurrencyLimiter({ maxConcurrent: 1 });
      const provider = core(server.url, { maxConcurrent: slots, timeouts: { consumerMs: 0 } });
      const other = core(server.url, { maxConcurrent: slots });
      const caller = new AbortController();
      let over = 0;
      // The server sends one line and holds the answer open; the caller holds that chunk.
      const reading = provider.stream(
        streamed,
        streamed.stream!,
        to('one', caller.signal),
        () => over++,
      );
      await expect(reading.next()).resolves.toMatchObject({ value: { content: 'first' } });
      const waiting = other.complete(streamed, to('m'));
      await vi.waitFor(() => expect(slots.queued).toBe(1), { timeout: 5_000 });
      if (ends === 'destroy()') await provider.destroy();
      else caller.abort();
      // The other provider's call gets the slot without the caller reading on.
      await expect(waiting).resolves.toMatchObject({ content: 'hi' });
      expect(over).toBe(1);
      expect(provider.stats()).toMatchObject({ inFlight: 0, cancelled: 1, failures: 0 });
      // A later read says what ended it.
      await expect(reading.next()).rejects.toMatchObject(error);
      expect(over).toBe(1);
      slots.close();
    },
  );
});

describe('a call that was retried', () => {
  it('still follows its caller after waiting in its own limiter for the retry', async () => {
    const server = await startServer();
    const provider = core(server.url, {
      rateLimit: {},
      retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const caller = new AbortController();
    // `flaky` answers 503 once, then never: the retry waits for an answer that does not come.
    const call = outcome(provider.complete(streamed, to('flaky', caller.signal)));
    await vi.waitFor(() => expect(server.received).toEqual(['flaky', 'flaky']), { timeout: 5_000 });
    caller.abort();
    expect(await call).toMatchObject({ name: 'AbortError' });
    expect(provider.stats()).toMatchObject({ inFlight: 0, cancelled: 1, retries: 1 });
  });
});

describe('a dropped stream', () => {
  it('keeps nothing of the call once consumerMs has passed (no caller signal)', async () => {
    const server = await startServer();
    const provider = core(server.url, { timeouts: { consumerMs: 20 } });
    const requests: WeakRef<object>[] = [];
    for (let i = 0; i < 8; i++) {
      const request = to('one');
      requests.push(new WeakRef(request));
      const iterator = provider.stream(streamed, streamed.stream!, request);
      expect((await iterator.next()).done).toBe(false);
      // dropped: neither read on nor returned
    }
    await vi.waitFor(() => expect(provider.stats().inFlight).toBe(0), { timeout: 5_000 });
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
    await new Promise((resolve) => setTimeout(resolve, 10));
    (runInNewContext('gc') as () => void)();
    // Nothing of the provider holds a dropped call's request (the last one may still sit in a
    // register or a microtask of this test).
    expect(requests.filter((r) => r.deref() !== undefined).length).toBeLessThanOrEqual(1);
  });
});

describe('ProviderCore.stream after close()', () => {
  it('refuses the stream and calls onEnd once', async () => {
    const server = await startServer();
    const provider = core(server.url, {});
    await provider.close();
    let ends = 0;
    const iterator = provider.stream(streamed, streamed.stream!, to('m'), () => ends++);
    await expect(iterator.next()).rejects.toMatchObject({ name: 'ProviderClosedError' });
    expect(ends).toBe(1);
  });
});

describe('a shared load that the provider ends by its own deadline', () => {
  it('counts against the breaker as a call alone would', async () => {
    const server = await startServer();
    await using cache = createCache({ strategy: 'aggressive' });
    const breaker = createBreaker({ failureThreshold: 100 });
    const cached = {
      ...streamed,
      cacheKey: (request: BaseChatRequest) => ({ m: request.model }),
    };
    const provider = core(server.url, { cache, breaker, timeouts: { totalMs: 100 } });
    // `silent` is never answered: the call's total deadline ends it.
    const error = await outcome(
      provider.complete(cached, to('silent', new AbortController().signal)),
    );
    expect(error).toMatchObject({ name: 'ProviderTimeoutError', timeout: 'total' });
    expect(breaker.stats()).toMatchObject({ failures: 1, ignored: 0 });
  });
});
