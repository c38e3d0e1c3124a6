// Real clock and real sockets: every call below would wait for minutes (the default first-token
// deadline is 300 s, a Retry-After 60 s) unless destroy() ends it, so a test that passes is one
// where destroy() did.

import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createBreaker } from '@x/breaker';
import { createCache } from '@x/cache';
import { createPool } from '@x/pool';
import {
  createConcurrencyLimiter,
  createRateLimiter,
  sharedConcurrencyLimiter,
} from '@x/rate-limit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ask, lineCore as core, cores, streamed } from './__fixtures__/line-core';
import { type BaseChatRequest, ProviderClosedError, type ProviderCore } from './index';

interface Server {
  url: string;
  /** Requests received, by model. */
  received: string[];
  /** Sockets open now. */
  open: () => number;
  /** Sockets closed so far. */
  closed: () => number;
}

const servers: http.Server[] = [];

afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.destroy()));
  await Promise.all(
    servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve).closeAllConnections())),
  );
});

/**
 * Answers by the request's model: `m` in full, `late` in full after 100 ms, `one` with one line
 * and then nothing, `slow` with one line and the rest after 100 ms, `unavailable` with a 503, `busy` with a 503 and `Retry-After: 60`; any other
 * model is never answered.
 */
async function startServer(): Promise<Server> {
  const received: string[] = [];
  const sockets = new Set<Socket>();
  let closed = 0;
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk;
    });
    req.on('end', () => {
      const model = body === '' ? req.url! : (JSON.parse(body) as { model: string }).model;
      received.push(model);
      if (model === 'm') {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.end('{"delta":"hi"}\n{"done":true}\n');
      } else if (model === 'one') {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.write('{"delta":"first"}\n');
      } else if (model === 'late') {
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'application/x-ndjson' });
          res.end('{"delta":"late"}\n{"done":true}\n');
        }, 100);
      } else if (model === 'slow') {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.write('{"delta":"sl"}\n');
        setTimeout(() => res.end('{"delta":"ow"}\n{"done":true}\n'), 100);
      } else if (model === 'unavailable') {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end('{"error":"unavailable"}');
      } else if (model === 'busy') {
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '60' });
        res.end('{"error":"busy"}');
      }
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      closed++;
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    open: () => sockets.size,
    closed: () => closed,
  };
}

const to = (model: string, signal?: AbortSignal): BaseChatRequest => ({
  ...ask,
  model,
  ...(signal === undefined ? {} : { signal }),
});

/** Settles with what `promise` rejects with (or resolves to). */
const outcome = (promise: Promise<unknown>): Promise<unknown> =>
  promise.catch((error: unknown) => error);

describe('ProviderCore.destroy', () => {
  it('ends calls waiting for an answer and reading one, and destroys the pool it created', async () => {
    const server = await startServer();
    const provider = core(server.url, {});
    const waiting = outcome(provider.complete(streamed, to('silent')));
    const reading = provider.stream(streamed, streamed.stream!, to('one'));
    await expect(reading.next()).resolves.toMatchObject({ value: { content: 'first' } });
    const next = outcome(reading.next());
    await vi.waitFor(() => expect(server.received).toHaveLength(2));
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
    await vi.waitFor(() => expect(server.open()).toBe(0));
    await expect(provider.complete(streamed, to('m'))).rejects.toMatchObject({
      name: 'ProviderClosedError',
      destroyed: false,
      message: expect.stringMatching(/provider is closed$/),
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
    await vi.waitFor(() => expect(provider.stats().retries).toBe(1));
    await provider.destroy();
    for (const call of [meta, probe, pulling, backoff]) {
      expect(await call).toBeInstanceOf(ProviderClosedError);
    }
    // The backoff's retry was never sent.
    expect(server.received.filter((model) => model === 'busy')).toHaveLength(1);
    await vi.waitFor(() => expect(server.open()).toBe(0));
  });

  it('ends calls queued in shared limiters, and leaves the limiters open with nothing queued', async () => {
    const server = await startServer();
    const slots = createConcurrencyLimiter({ maxConcurrent: 1 });
    const provider = core(server.url, { maxConcurrent: slots });
    const onSocket = outcome(provider.complete(streamed, to('silent')));
    const queued = outcome(provider.complete(streamed, to('silent')));
    await vi.waitFor(() => expect(slots.queued).toBe(1));
    // One request per 50 s: the first call took the token, the second waits for the next.
    const limiter = createRateLimiter({
      limits: { requests: { ratePerSecond: 0.02, capacity: 1 } },
    });
    const limited = core(server.url, { rateLimit: limiter });
    const admitted = outcome(limited.complete(streamed, to('silent')));
    const waiting = outcome(limited.complete(streamed, to('silent')));
    await vi.waitFor(() => expect(limiter.stats().queued).toBe(1));
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
    await vi.waitFor(() => expect(server.received).toHaveLength(1));
    const provider = core(server.url, { pool });
    const onSocket = outcome(provider.complete(streamed, to('silent')));
    await vi.waitFor(() => expect(server.received).toHaveLength(2));
    const queued = outcome(provider.complete(streamed, to('silent')));
    await vi.waitFor(() => expect(pool.stats().totals.queued).toBe(1));
    await provider.destroy();
    expect(await onSocket).toBeInstanceOf(ProviderClosedError);
    expect(await queued).toBeInstanceOf(ProviderClosedError);
    expect(pool.closed).toBe(false);
    expect(pool.stats().totals.queued).toBe(0);
    // Its socket is closed; the other provider's call still holds its own, and the pool serves it.
    await vi.waitFor(() => expect(server.closed()).toBe(1));
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
      await vi.waitFor(() => expect(server.received).toHaveLength(i + 1));
      expect(provider.cache!.stats().coalesced).toBe(1);
      await provider.destroy();
      expect(await loading).toBeInstanceOf(ProviderClosedError);
      expect(await waiting).toBeInstanceOf(ProviderClosedError);
    }
    expect(server.received).toEqual(['silent', 'silent']);
    await vi.waitFor(() => expect(server.closed()).toBe(2));
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
    await vi.waitFor(() => expect(cache.stats().coalesced).toBe(1));
    await vi.waitFor(() => expect(server.received).toEqual(['late']));
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
    await vi.waitFor(() => expect(server.received).toHaveLength(1));
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
      await vi.waitFor(() => expect(server.open()).toBe(1));
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
      await vi.waitFor(() => expect(server.open()).toBe(0));
      // After a close() that finished, destroy() has nothing left to end.
      const idle = core(server.url, options);
      await idle.close();
      await idle.destroy();
    }
  });
});

describe('ProviderCore.close and the calls still queued', () => {
  it.each([
    { limiter: 'its own limiter (maxConcurrent: 1)', own: true },
    { limiter: 'a limiter it was given', own: false },
  ])(
    'lets the call on a socket finish and ends one queued in $limiter unsent, counted as cancelled',
    async ({ own }) => {
      const server = await startServer();
      const slots = createConcurrencyLimiter({ maxConcurrent: 1 });
      const provider = core(server.url, { maxConcurrent: own ? 1 : slots });
      const sent = provider.complete(streamed, to('late'));
      const queued = outcome(provider.complete(streamed, to('m')));
      await vi.waitFor(() => expect(server.received).toEqual(['late']));
      await provider.close();
      await expect(sent).resolves.toMatchObject({ content: 'late' });
      expect(await queued).toBeInstanceOf(ProviderClosedError);
      expect(server.received).toEqual(['late']);
      // The owner's choice, not the server's failure.
      expect(provider.stats()).toMatchObject({ cancelled: 1, failures: 0, inFlight: 0 });
      slots.close();
    },
  );
});

describe('ProviderCore.close and limiters it was given', () => {
  it('ends the calls queued in them at once, unsent, and leaves them open with nothing queued', async () => {
    const server = await startServer();
    // One slot, held by a call the server never answers: the queued calls would wait forever.
    const slots = createConcurrencyLimiter({ maxConcurrent: 1 });
    const provider = core(server.url, { maxConcurrent: slots });
    const onSocket = outcome(provider.complete(streamed, to('silent')));
    await vi.waitFor(() => expect(server.received).toEqual(['silent']));
    const caller = new AbortController();
    const slotWaits = [
      outcome(provider.complete(streamed, to('m'))),
      outcome(provider.complete(streamed, to('m', caller.signal))),
    ];
    // One request per 20 s: the first call took the token, the others wait for the next two
    // (within the 60 s a provider waits in a limiter it was given).
    const limiter = createRateLimiter({
      limits: { requests: { ratePerSecond: 0.05, capacity: 1 } },
    });
    const limited = core(server.url, { rateLimit: limiter });
    await expect(limited.complete(streamed, to('m'))).resolves.toMatchObject({ content: 'hi' });
    const tokenWaits = [
      outcome(limited.complete(streamed, to('m'))),
      outcome(limited.complete(streamed, to('m', caller.signal))),
    ];
    await vi.waitFor(() => {
      expect(slots.queued).toBe(2);
      expect(limiter.stats().queued).toBe(2);
    });
    // close() resolves once the call on a socket ends; the queued ones end before.
    const closing = provider.close();
    await limited.close();
    for (const call of [...slotWaits, ...tokenWaits]) {
      expect(await call).toMatchObject({ name: 'ProviderClosedError', destroyed: false });
    }
    expect(server.received).toEqual(['silent', 'm']);
    expect(slots.stats()).toMatchObject({ active: 1, queued: 0, closed: false });
    expect(limiter.stats()).toMatchObject({ queued: 0, aborted: 2 });
    // The owner's choice, not the server's failure; the call on a socket runs on.
    expect(provider.stats()).toMatchObject({ cancelled: 2, failures: 0, inFlight: 1 });
    expect(limited.stats()).toMatchObject({ cancelled: 2, failures: 0, inFlight: 0 });
    await provider.destroy();
    await closing;
    expect(await onSocket).toMatchObject({ name: 'ProviderClosedError', destroyed: true });
    expect(slots.stats()).toMatchObject({ active: 0, queued: 0, closed: false });
    await limiter.close();
  });

  it('ends a retry waiting in one for its request token, unsent', async () => {
    const server = await startServer();
    // The first attempt takes the only token; its retry would wait 20 s for the next.
    const limiter = createRateLimiter({
      limits: { requests: { ratePerSecond: 0.05, capacity: 1 } },
    });
    const provider = core(server.url, {
      rateLimit: limiter,
      retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const call = outcome(provider.complete(streamed, to('unavailable')));
    await vi.waitFor(() => expect(limiter.stats().queued).toBe(1));
    await provider.close();
    expect(await call).toMatchObject({ name: 'ProviderClosedError', destroyed: false });
    expect(server.received).toEqual(['unavailable']);
    expect(limiter.stats()).toMatchObject({ queued: 0, aborted: 1 });
    expect(provider.stats()).toMatchObject({ retries: 1, cancelled: 1, failures: 0 });
    await limiter.close();
  });

  it.each([
    { where: 'queued in a limiter it was given', backoff: false },
    { where: 'in a retry backoff', backoff: true },
  ])(
    "loads again when the load it joined on a shared cache was another provider's, closed $where",
    async ({ backoff }) => {
      const server = await startServer();
      await using cache = createCache({ strategy: 'aggressive' });
      const cached = { ...streamed, cacheKey: (request: BaseChatRequest) => ({ ...request }) };
      const limiter = createRateLimiter({
        limits: { requests: { ratePerSecond: 0.05, capacity: 1 } },
      });
      const closed = core(server.url, {
        cache,
        ...(backoff ? { retry: { retries: 1 } } : { rateLimit: limiter }),
      });
      const alive = core(server.url, { cache });
      if (!backoff) await closed.complete(streamed, to('m')); // takes the only token
      // `busy` says Retry-After: 60, so the first load waits out a 60 s backoff
      const model = backoff ? 'busy' : 'm';
      const loading = outcome(closed.complete(cached, to(model)));
      const joined = outcome(alive.complete(cached, to(model)));
      await vi.waitFor(() => expect(cache.stats().coalesced).toBe(1));
      await vi.waitFor(() =>
        backoff ? expect(closed.stats().retries).toBe(1) : expect(limiter.stats().queued).toBe(1),
      );
      await closed.close();
      expect(await loading).toMatchObject({ name: 'ProviderClosedError', destroyed: false });
      // Not the other provider's closed error: its own load.
      if (backoff) {
        expect(await joined).toMatchObject({ name: 'ProviderApiError' });
      } else {
        expect(await joined).toMatchObject({ content: 'hi', cached: false });
      }
      expect(alive.stats()).toMatchObject(
        backoff ? { failures: 1 } : { successes: 1, failures: 0 },
      );
      expect(alive.closed).toBe(false);
      await limiter.close();
    },
  );

  it('ends a call queued in a limiter shared by name (share) at once, and the other provider keeps it', async () => {
    const server = await startServer();
    const name = `close-test-${process.pid}`;
    const share = { maxConcurrent: name };
    const provider = core(server.url, { maxConcurrent: 1, share });
    const other = core(server.url, { maxConcurrent: 1, share });
    const slots = sharedConcurrencyLimiter(name);
    const onSocket = outcome(provider.complete(streamed, to('silent')));
    await vi.waitFor(() => expect(server.received).toEqual(['silent']));
    const queued = outcome(provider.complete(streamed, to('m')));
    const othersQueued = outcome(other.complete(streamed, to('m')));
    await vi.waitFor(() => expect(slots.queued).toBe(2));
    const closing = provider.close();
    expect(await queued).toMatchObject({ name: 'ProviderClosedError', destroyed: false });
    await provider.destroy();
    await closing;
    expect(await onSocket).toBeInstanceOf(ProviderClosedError);
    // The slot freed by the destroyed call goes to the other provider's waiter.
    await expect(othersQueued).resolves.toMatchObject({ content: 'hi' });
    await other.close();
    slots.close();
  });
});

describe('a load several callers share through the cache', () => {
  it.each([
    { breaker: 'with a breaker', options: { breaker: {} } },
    { breaker: 'without one', options: {} },
  ])(
    'goes on for the others when the caller who started it aborts ($breaker)',
    async ({ options }) => {
      const server = await startServer();
      await using cache = createCache({ strategy: 'aggressive' });
      const cached = {
        ...streamed,
        cacheKey: (request: BaseChatRequest) => ({ m: request.model }),
      };
      const provider = core(server.url, { cache, ...options });
      const first = new AbortController();
      // `slow` sends its first line, the rest after 100 ms: the first caller leaves while the
      // answer is being read.
      const leaving = outcome(provider.complete(cached, to('slow', first.signal)));
      const staying = provider.complete(cached, to('slow'));
      await vi.waitFor(() => expect(cache.stats().coalesced).toBe(1));
      await vi.waitFor(() => expect(server.received).toEqual(['slow']));
      await new Promise((resolve) => setTimeout(resolve, 20));
      first.abort();
      expect(await leaving).toMatchObject({ name: 'AbortError' });
      await expect(staying).resolves.toMatchObject({ content: 'slow' });
      expect(server.received).toEqual(['slow']);
      expect(provider.stats()).toMatchObject({ successes: 1, failures: 0, cancelled: 1 });
    },
  );
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
      await vi.waitFor(() => expect(slots.queued).toBe(1));
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
    await vi.waitFor(() => expect(server.received).toHaveLength(2));
    await provider.destroy();
    for (const call of calls) expect(await call).toBeInstanceOf(ProviderClosedError);
    expect(breaker.stats()).toMatchObject({ state: 'closed', failures: 0, ignored: 2 });
    await expect(other.complete(streamed, to('m'))).resolves.toMatchObject({ content: 'hi' });
  });
});
