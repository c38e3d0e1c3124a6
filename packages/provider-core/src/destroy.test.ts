// Real clock and real sockets: every call below would wait for minutes (the default first-token
// deadline is 300 s, a Retry-After 60 s) unless destroy() ends it, so a test that passes is one
// where destroy() did.
import { createBreaker } from '@x/breaker';
import { createCache } from '@x/cache';
import { createPool } from '@x/pool';
import { createConcurrencyLimiter, createRateLimiter } from '@x/rate-limit';
import { describe, expect, it, vi } from 'vitest';
import { lineCore as core, streamed } from './__fixtures__/line-core';
import {
  destroyAfterEach,
  outcome,
  startModelServer as startServer,
  to,
} from './__fixtures__/model-server';
import { type BaseChatRequest, ProviderClosedError, type ProviderCore } from './index';

destroyAfterEach();

// Waits for real I/O (a request arriving, a socket closing) get 5 s, not vi.waitFor's 1 s: a
// loaded CI machine can take longer, and a bug still fails them.

describe('ProviderCore.destroy', () => {
  it('ends calls waiting for an answer and reading one, and destroys the pool it created', async () => {
    const server = await startServer();
    const provider = core(server.url, {});
    const waiting = outcome(provider.complete(streamed, to('silent')));
    const reading = provider.stream(streamed, streamed.stream!, to('one'));
    await expect(reading.next()).resolves.toMatchObject({ value: { content: 'first' } });
    const next = outcome(reading.next());
    await vi.waitFor(() => expect(server.received).toHaveLength(2), { timeout: 5_000 });
    await provider.destroy();
    expect(await waiting).toBeInstanceOf(ProviderClosedError);
    expect(await next).toBeInstanceOf(ProviderClosedError);
    // Told apart from a call made after a close: the message says what ended it.
    expect(await waiting).toMatchObject({
      destroyed: true,
      message: expect.stringMatching(
        /provider was destroyed: destroy\(\) ended this call in flight$/,
      ),
    });
    // The owner's choice, not the server's failure: cancelled, as a caller's abort is.
    expect(provider.stats()).toMatchObject({ cancelled: 2, failures: 0, inFlight: 0 });
    expect(provider.pool!.closed).toBe(true);
    expect(provider.pool!.stats().totals.connected).toBe(0);
    await vi.waitFor(() => expect(server.open()).toBe(0), { timeout: 5_000 });
    await expect(provider.complete(streamed, to('m'))).rejects.toMatchObject({
      name: 'ProviderClosedError',
      destroyed: false,
      message: expect.stringMatching(
        /provider is closed: close\(\) or destroy\(\) was called; create a new provider/,
      ),
    });
  });

  it('ends metadata calls, message streams, probes and retry backoffs', async () => {
    const server = await startServer();
    const provider = core(server.url, { retry: { retries: 2 } });
    const meta = outcome(provider.request({ endpoint: '/meta', method: 'GET' }));
    const probe = outcome(provider.probe('/probe', 'GET', undefined));
    const progress = provider.messages({
      endpoint: '/pull',
      method: 'POST',
      payload: { model: 'one' },
      model: undefined,
      signal: undefined,
      format: streamed.stream!,
      breaker: false,
      parse: (message) => message.data,
    });
    await expect(progress.next()).resolves.toMatchObject({ value: '{"delta":"first"}' });
    const pulling = outcome(progress.next());
    const backoff = outcome(provider.complete(streamed, to('busy')));
    await vi.waitFor(() => expect(provider.stats().retries).toBe(1), { timeout: 5_000 });
    await provider.destroy();
    for (const call of [meta, probe, pulling, backoff]) {
      expect(await call).toBeInstanceOf(ProviderClosedError);
    }
    // The backoff's retry was never sent.
    expect(server.received.filter((model) => model === 'busy')).toHaveLength(1);
    await vi.waitFor(() => expect(server.open()).toBe(0), { timeout: 5_000 });
  });

  it('ends calls queued in shared limiters, and leaves the limiters open with nothing queued', async () => {
    const server = await startServer();
    const slots = createConcurrencyLimiter({ maxConcurrent: 1 });
    const provider = core(server.url, { maxConcurrent: slots });
    const onSocket = outcome(provider.complete(streamed, to('silent')));
    const queued = outcome(provider.complete(streamed, to('silent')));
    await vi.waitFor(() => expect(slots.queued).toBe(1), { timeout: 5_000 });
    // One request per 50 s: the first call took the token, the second waits for the next.
    const limiter = createRateLimiter({
      limits: { requests: { ratePerSecond: 0.02, capacity: 1 } },
    });
    const limited = core(server.url, { rateLimit: limiter });
    const admitted = outcome(limited.complete(streamed, to('silent')));
    const waiting = outcome(limited.complete(streamed, to('silent')));
    await vi.waitFor(() => expect(limiter.stats().queued).toBe(1), { timeout: 5_000 });
    await Promise.all([provider.destroy(), limited.destroy()]);
    for (const call of [onSocket, queued, admitted, waiting]) {
      expect(await call).toBeInstanceOf(ProviderClosedError);
    }
    expect(slots.stats()).toMatchObject({ active: 0, queued: 0, closed: false });
    expect(limiter.stats()).toMatchObject({ queued: 0, aborted: 1 });
    await limiter.close();
  });

  it("aborts only its own requests on a pool it shares, which stays open for the others'", async () => {
    const server = await startServer();
    await using pool = createPool({ connectionsPerHost: 2 });
    const other = core(server.url, { pool });
    const theirs = outcome(other.complete(streamed, to('silent')));
    await vi.waitFor(() => expect(server.received).toHaveLength(1), { timeout: 5_000 });
    const provider = core(server.url, { pool });
    const onSocket = outcome(provider.complete(streamed, to('silent')));
    await vi.waitFor(() => expect(server.received).toHaveLength(2), { timeout: 5_000 });
    const queued = outcome(provider.complete(streamed, to('silent')));
    await vi.waitFor(() => expect(pool.stats().totals.queued).toBe(1), { timeout: 5_000 });
    await provider.destroy();
    expect(await onSocket).toBeInstanceOf(ProviderClosedError);
    expect(await queued).toBeInstanceOf(ProviderClosedError);
    expect(pool.closed).toBe(false);
    expect(pool.stats().totals.queued).toBe(0);
    // Its socket is closed; the other provider's call still holds its own, and the pool serves it.
    await vi.waitFor(() => expect(server.closed()).toBe(1), { timeout: 5_000 });
    await expect(other.complete(streamed, to('m'))).resolves.toMatchObject({ content: 'hi' });
    expect(server.received).toHaveLength(3);
    await other.destroy();
    expect(await theirs).toBeInstanceOf(ProviderClosedError);
  });

  it('ends the load of a cached call on a shared pool, and the calls waiting for it', async () => {
    const server = await startServer();
    await using pool = createPool({});
    const cached = { ...streamed, cacheKey: (request: BaseChatRequest) => ({ ...request }) };
    // The load run by a call with a signal of its own, then by one without.
    for (const [i, signal] of [new AbortController().signal, undefined].entries()) {
      const provider = core(server.url, { pool, cache: { strategy: 'aggressive' } });
      const loading = outcome(provider.complete(cached, to('silent', signal)));
      // Without a signal: it waits for the load whatever happens to the first call.
      const waiting = outcome(provider.complete(cached, to('silent')));
      await vi.waitFor(() => expect(server.received).toHaveLength(i + 1), { timeout: 5_000 });
      expect(provider.cache!.stats().coalesced).toBe(1);
      await provider.destroy();
      expect(await loading).toBeInstanceOf(ProviderClosedError);
      expect(await waiting).toBeInstanceOf(ProviderClosedError);
    }
    expect(server.received).toEqual(['silent', 'silent']);
    await vi.waitFor(() => expect(server.closed()).toBe(2), { timeout: 5_000 });
    expect(pool.closed).toBe(false);
  });

  it("loads again when the load it joined on a shared cache was another provider's, destroyed", async () => {
    const server = await startServer();
    await using cache = createCache({ strategy: 'aggressive' });
    const cached = { ...streamed, cacheKey: (request: BaseChatRequest) => ({ ...request }) };
    const destroyed = core(server.url, { cache });
    const alive = core(server.url, { cache });
    // `late` is answered after 100 ms: the first load is still in flight when destroy() ends it.
    const loading = outcome(destroyed.complete(cached, to('late')));
    const joined = alive.complete(cached, to('late'));
    await vi.waitFor(() => expect(cache.stats().coalesced).toBe(1), { timeout: 5_000 });
    await vi.waitFor(() => expect(server.received).toEqual(['late']), { timeout: 5_000 });
    await destroyed.destroy();
    expect(await loading).toMatchObject({ name: 'ProviderClosedError', destroyed: true });
    // Not the other provider's closed error: its own load, answered.
    await expect(joined).resolves.toMatchObject({ content: 'late', cached: false });
    expect(server.received).toEqual(['late', 'late']);
    expect(alive.stats()).toMatchObject({ successes: 1, failures: 0 });
  });

  it("keeps the reason of a caller's signal that aborted first", async () => {
    const server = await startServer();
    const provider = core(server.url, {});
    const controller = new AbortController();
    const call = outcome(provider.complete(streamed, to('silent', controller.signal)));
    await vi.waitFor(() => expect(server.received).toHaveLength(1), { timeout: 5_000 });
    const reason = new Error('the caller left');
    controller.abort(reason);
    const destroyed = provider.destroy();
    expect(await call).toBe(reason);
    await destroyed;
  });

  it('ends a close() in progress, over the pool and over an agent, and returns its promise to later calls', async () => {
    const server = await startServer();
    for (const options of [{}, { pool: false as const }]) {
      const provider: ProviderCore = core(server.url, options);
      const call = outcome(provider.complete(streamed, to('silent')));
      await vi.waitFor(() => expect(server.open()).toBe(1), { timeout: 5_000 });
      let closed = false;
      const closing = provider.close().then(() => {
        closed = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      // close() waits for the request on the socket: it has no deadline for minutes.
      expect(closed).toBe(false);
      const destroyed = provider.destroy();
      expect(provider.destroy()).toBe(destroyed);
      await destroyed;
      await closing;
      expect(await call).toBeInstanceOf(ProviderClosedError);
      expect(provider.close()).toBe(destroyed);
      await vi.waitFor(() => expect(server.open()).toBe(0), { timeout: 5_000 });
      // After a close() that finished, destroy() has nothing left to end.
      const idle = core(server.url, options);
      await idle.close();
      await idle.destroy();
    }
  });
});

describe('ProviderCore.destroy and a breaker it was given', () => {
  it('tells the breaker of destroy() as of an abort: ignored, not a failure that opens it for the others', async () => {
    const server = await startServer();
    const breaker = createBreaker({ failureThreshold: 1 });
    const provider = core(server.url, { breaker, retry: false });
    const other = core(server.url, { breaker, retry: false });
    const calls = [
      outcome(provider.complete(streamed, to('silent'))),
      outcome(provider.complete(streamed, to('silent', new AbortController().signal))),
    ];
    await vi.waitFor(() => expect(server.received).toHaveLength(2), { timeout: 5_000 });
    await provider.destroy();
    for (const call of calls) expect(await call).toBeInstanceOf(ProviderClosedError);
    expect(breaker.stats()).toMatchObject({ state: 'closed', failures: 0, ignored: 2 });
    await expect(other.complete(streamed, to('m'))).resolves.toMatchObject({ content: 'hi' });
  });
});
