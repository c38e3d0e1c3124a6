import diagnosticsChannel from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { inspect } from 'node:util';
import { until } from '@x/internal/testing';
import { interceptors, fetch as undiciFetch, request as undiciRequest } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type CountingServer,
  SocketTracker,
  startServer,
  trackClientSockets,
} from './__fixtures__/servers';
import { isPoolClosedError, isPoolTimeoutError, PoolClosedError, PoolTimeoutError } from './errors';
import type { PoolDisconnectEvent } from './events';
import { createPool, type Pool } from './pool';

const servers: CountingServer[] = [];
const pools: Pool[] = [];

async function server(options: Parameters<typeof startServer>[0] = {}): Promise<CountingServer> {
  const s = await startServer(options);
  servers.push(s);
  return s;
}

function pool(options: Parameters<typeof createPool>[0] = {}): Pool {
  const p = createPool(options);
  pools.push(p);
  return p;
}

async function text(p: Promise<{ body: { text(): Promise<string> } }>): Promise<string> {
  return (await p).body.text();
}

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(pools.splice(0).map((p) => p.destroy()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('createPool', () => {
  it('never exceeds the per-host or total socket cap when 1000 concurrent requests go to 10 origins', async () => {
    const tracker = new SocketTracker();
    const origins = await Promise.all(Array.from({ length: 10 }, () => server({ tracker })));
    const p = pool({ connectionsPerHost: 5, maxConnections: 20 });
    const clients = trackClientSockets();

    const bodies = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => text(p.request(`${origins[i % 10]!.url}/r${i}`))),
    ).finally(() => clients.stop());

    expect(bodies.every((b) => b === 'ok')).toBe(true);
    // Exact, from the client side: sockets open at once.
    expect(clients.maxOpen).toBeLessThanOrEqual(20);
    expect(clients.opened).toBe(tracker.opened);
    // As the servers saw them.
    expect(tracker.maxOpen).toBeLessThanOrEqual(20);
    expect(tracker.maxOpen).toBeGreaterThan(5);
    for (const s of origins) {
      expect(s.sockets.maxOpen).toBeLessThanOrEqual(5);
      expect(s.requests).toBe(100);
    }
    const stats = p.stats();
    expect(stats.requestsServed).toBe(1000);
    expect(stats.socketsCreated).toBe(tracker.opened);
    for (const s of origins) {
      expect(stats.origins[s.url]?.socketsCreated).toBe(s.sockets.opened);
      expect(stats.origins[s.url]?.requestsServed).toBe(s.requests);
    }
    expect(stats.totals.sockets).toBeLessThanOrEqual(20);
    expect(stats.reuseRatio).toBeCloseTo(1 - tracker.opened / 1000, 10);
  });

  it('keeps at most connectionsPerHost sockets to one origin when the total cap is not reached', async () => {
    const s = await server();
    const p = pool({ connectionsPerHost: 4 });
    await Promise.all(Array.from({ length: 200 }, () => text(p.request(s.url))));
    expect(s.sockets.maxOpen).toBeLessThanOrEqual(4);
    expect(s.sockets.opened).toBe(p.stats().socketsCreated);
    expect(s.requests).toBe(200);
    expect(p.stats().evictions).toBe(0);
  });

  it('reuses one keep-alive socket for sequential requests', async () => {
    const s = await server();
    const p = pool();
    for (let i = 0; i < 5; i++) expect(await text(p.request(s.url))).toBe('ok');
    expect(s.sockets.opened).toBe(1);
    const stats = p.stats();
    expect(stats.socketsCreated).toBe(1);
    expect(stats.requestsServed).toBe(5);
    expect(stats.reuseRatio).toBeCloseTo(0.8, 10);
    expect(stats.origins[s.url]).toMatchObject({ connected: 1, free: 1, running: 0, queued: 0 });
  });

  it('keeps sequential requests on the socket that served the latest one when others are open', async () => {
    const s = await server();
    const ports: number[] = [];
    s.server.on('request', (req: IncomingMessage) => ports.push(req.socket.remotePort!));
    const p = pool();
    // Two at once: two sockets.
    await Promise.all([text(p.request(s.url)), text(p.request(s.url))]);
    expect(s.sockets.opened).toBe(2);
    ports.length = 0;
    for (let i = 0; i < 6; i++) expect(await text(p.request(s.url))).toBe('ok');
    // Not alternating between the two: undici reports a socket free one event-loop turn after its
    // answer, so the first slot reported free was always the other one.
    expect(new Set(ports).size).toBe(1);
    expect(s.sockets.opened).toBe(2);
    expect(p.stats().requestsServed).toBe(8);
  });

  it('closes an idle socket of another origin when the total cap is reached', async () => {
    const a = await server();
    const b = await server();
    const p = pool({ maxConnections: 1 });
    const events: PoolDisconnectEvent[] = [];
    p.onDisconnect((e) => events.push(e));

    expect(await text(p.request(a.url))).toBe('ok');
    expect(await text(p.request(b.url))).toBe('ok');

    await a.waitForClosedSockets(1);
    expect(a.sockets.open).toBe(0);
    expect(b.sockets.open).toBe(1);
    expect(p.stats().evictions).toBe(1);
    expect(events).toEqual([{ origin: a.url, reason: 'evicted', detail: undefined }]);
  });

  it('queues a request while every socket of the pool is busy and serves it when one frees', async () => {
    const a = await server({ hold: true });
    const b = await server();
    const p = pool({ maxConnections: 1 });
    const first = text(p.request(a.url));
    await a.waitForRequests(1);
    const second = text(p.request(b.url));
    await until(() => p.stats().totals.queued === 1);
    expect(b.requests).toBe(0);
    a.release();
    expect(await first).toBe('ok');
    expect(await second).toBe('ok');
    expect(a.sockets.maxOpen + b.sockets.maxOpen).toBe(2);
    expect(p.stats().totals.queued).toBe(0);
  });

  it('fails every queued request, none left hanging, when the origin refuses connections', async () => {
    const down = await server();
    await down.close();
    const p = pool({ connectionsPerHost: 1 });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => p.request(down.url)));
    expect(results.map((r) => r.status)).toEqual(Array(5).fill('rejected'));
    for (const r of results) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'ECONNREFUSED' });
    }
    expect(p.stats().totals).toMatchObject({ sockets: 0, queued: 0 });
  });

  it('works as the dispatcher of undici request and fetch', async () => {
    const s = await server({ body: 'hello' });
    const p = pool();
    const r = await undiciRequest(s.url, { dispatcher: p.dispatcher });
    expect(await r.body.text()).toBe('hello');
    const f = await undiciFetch(s.url, { dispatcher: p.dispatcher });
    expect(await f.text()).toBe('hello');
    const g = await p.fetch(`${s.url}/x`, { method: 'POST', body: 'data' });
    expect(g.status).toBe(200);
    expect(await g.text()).toBe('hello');
    expect(s.requests).toBe(3);
    expect(s.sockets.opened).toBe(1);
  });

  it("works as the dispatcher of Node's own fetch, whose undici is another copy", async () => {
    const s = await server({ body: 'hello' });
    const p = pool();
    // Node's global fetch runs its bundled undici, not the pool's: the types differ (so the
    // README points TypeScript users at pool.fetch), the dispatcher protocol does not.
    const init = { dispatcher: p.dispatcher };
    const f = await globalThis.fetch(s.url, init as unknown as RequestInit);
    expect(await f.text()).toBe('hello');
    expect(p.stats().requestsServed).toBe(1);
  });

  it('sends method, path with query, headers and body as undici request would', async () => {
    const seen: string[] = [];
    const s = await server();
    s.server.prependListener('request', (req) => {
      seen.push(`${req.method} ${req.url} ${req.headers['x-test']}`);
    });
    const p = pool();
    await text(p.request(`${s.url}/a/b?q=1&r=2`, { headers: { 'x-test': 'one' } }));
    await text(
      p.request(new URL(`${s.url}/c`), {
        method: 'POST',
        body: '{}',
        headers: { 'x-test': 'two' },
      }),
    );
    await text(p.request(`${s.url}/d`, { body: 'x' }));
    expect(seen).toEqual(['GET /a/b?q=1&r=2 one', 'POST /c two', 'PUT /d undefined']);
  });

  it('keeps the socket usable after undici refused a request with invalid options', async () => {
    const s = await server();
    const p = pool({ connectionsPerHost: 1, maxConnections: 1 });
    await expect(p.request(s.url, { headers: { 'x-bad': 'a\r\nb' } })).rejects.toThrow(/header/);
    expect(p.stats().totals.sockets).toBe(0);
    expect(await text(p.request(s.url))).toBe('ok');
    await expect(p.request(s.url, { headers: { 'x-bad': 'a\r\nb' } })).rejects.toThrow(/header/);
    expect(await text(p.request(s.url))).toBe('ok');
    expect(s.requests).toBe(2);
    expect(p.stats().requestsServed).toBe(2);
  });

  it('counts no request as served, and no reuse, when every connection is refused', async () => {
    const s = await server();
    const url = s.url;
    await s.close();
    servers.splice(servers.indexOf(s), 1);
    const p = pool();
    for (let i = 0; i < 3; i++) {
      await expect(p.request(url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    }
    await expect(p.fetch(url)).rejects.toThrow('fetch failed');
    const stats = p.stats();
    expect(stats.socketsCreated).toBe(0);
    expect(stats.requestsServed).toBe(0);
    expect(stats.origins[url]?.requestsServed).toBe(0);
    expect(stats.reuseRatio).toBe(0);
  });

  it('counts requests sent on a connecting socket as served once it connects', async () => {
    const s = await server();
    const p = pool({ connectionsPerHost: 1 });
    const bodies = Promise.all([1, 2, 3].map(() => text(p.request(s.url))));
    expect(p.stats().requestsServed).toBe(0);
    expect(await bodies).toEqual(['ok', 'ok', 'ok']);
    expect(p.stats().requestsServed).toBe(3);
    expect(p.stats().reuseRatio).toBeCloseTo(2 / 3, 10);
  });

  it('frees the socket for a queued request when an unread large body is destroyed', async () => {
    const s = await server({ body: 'x'.repeat(4 << 20) });
    const p = pool({ connectionsPerHost: 1 });
    const unread = await p.request(s.url);
    const queued = p.request(s.url);
    await until(() => p.stats().totals.queued === 1);
    // The unread body holds the only socket: the queued request waits.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(p.stats().totals.queued).toBe(1);
    unread.body.destroy();
    expect((await text(queued)).length).toBe(4 << 20);
    expect(s.requests).toBe(2);
  });

  it('rejects, without throwing, with a TypeError naming url or options when either is invalid', async () => {
    const p = pool();
    const invalid = p.request('not a url');
    await expect(invalid).rejects.toThrow(TypeError);
    await expect(invalid).rejects.toThrow(
      'Expected `url` to be an absolute http: or https: URL, got `"not a url"` (string)',
    );
    await expect(p.request('ftp://example.test/')).rejects.toThrow(
      'Expected `url` to be an absolute http: or https: URL, got `"ftp://example.test/"` (string)',
    );
    await expect(p.request(42 as never)).rejects.toThrow(
      'Expected `url` to be a URL string or a URL object, got `42` (number)',
    );
    await expect(p.request('http://127.0.0.1:1/', 'GET' as never)).rejects.toThrow(
      new TypeError(
        'Expected `options` to be an object of undici\'s request options, got `"GET"` (string)',
      ),
    );
    expect(p.stats().requestsServed).toBe(0);
  });

  it('never shows the password of an invalid URL in its error', async () => {
    const p = pool();
    const errors = await Promise.all(
      [
        'ftp://user:s3cr3t@example.test/',
        'http://user:s3/cr#3t@exa mple.test/',
        new URL('ftp://user:s3cr3t@example.test/'),
      ].map((url) =>
        p.request(url).then(
          () => undefined,
          (error: unknown) => error,
        ),
      ),
    );
    for (const error of errors) {
      expect(error).toBeInstanceOf(TypeError);
      // A `#` before the last `@` may end the userinfo or start the fragment: nothing is shown.
      expect(inspect(error)).toContain('[redacted]');
      expect(inspect(error)).not.toMatch(/s3cr3t|s3\/cr/);
    }
  });

  it('never shows the query of an invalid or refused URL in its error', async () => {
    const p = pool();
    const errors = await Promise.all(
      [
        'http://h:99999/?api_key=S3CR3T-VALUE',
        'ftp://example.test/?token=S3CR3T-VALUE#S3CR3T-VALUE',
        new URL('ftp://example.test/?sig=S3CR3T-VALUE'),
      ].map((url) => p.request(url).catch((error: unknown) => error)),
    );
    for (const error of errors) {
      expect(error).toBeInstanceOf(TypeError);
      expect(inspect(error)).toContain('?[redacted]');
      expect(inspect(error)).not.toContain('S3CR3T');
    }
    expect((errors[0] as Error).message).toBe(
      'Expected `url` to be an absolute http: or https: URL, got `"http://h:99999/?[redacted]"` (string)',
    );
  });

  it('prints no MaxListenersExceededWarning when 50 concurrent requests share one signal', async () => {
    const s = await server({ hold: true });
    const p = pool({ connectionsPerHost: 5 });
    const warn = vi.spyOn(process, 'emitWarning');
    try {
      const controller = new AbortController();
      // 5 on sockets (undici's listener), 45 queued (the pool's listener).
      const requests = Array.from({ length: 50 }, () =>
        text(p.request(s.url, { signal: controller.signal })),
      );
      await s.waitForRequests(5);
      expect(p.stats().totals.queued).toBe(45);
      s.release();
      expect(await Promise.all(requests)).toEqual(Array(50).fill('ok'));
      const names = warn.mock.calls.map(([warning]) =>
        typeof warning === 'string' ? warning : warning.name,
      );
      expect(names).not.toContain('MaxListenersExceededWarning');
    } finally {
      warn.mockRestore();
    }
  });

  it('closes the pool when the `await using` block that holds it ends', async () => {
    const s = await server();
    let held: Pool | undefined;
    {
      await using p = createPool();
      held = p;
      expect(await text(p.request(s.url))).toBe('ok');
      expect(p.closed).toBe(false);
    }
    expect(held.closed).toBe(true);
    expect(held.stats().totals.sockets).toBe(0);
    await expect(held.request(s.url)).rejects.toBeInstanceOf(PoolClosedError);
  });

  it('rejects with signal.reason and frees the queue slot when a queued request is aborted', async () => {
    const s = await server({ hold: true });
    const p = pool({ connectionsPerHost: 1 });
    const first = text(p.request(s.url));
    await s.waitForRequests(1);
    const controller = new AbortController();
    const queued = p.request(s.url, { signal: controller.signal });
    expect(p.stats().origins[s.url]?.queued).toBe(1);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(queued).rejects.toBe(reason);
    expect(p.stats().origins[s.url]?.queued).toBe(0);
    s.release();
    expect(await first).toBe('ok');
    expect(s.requests).toBe(1);
  });

  it('frees the queue slot when a queued pool.fetch is aborted', async () => {
    const s = await server({ hold: true });
    const p = pool({ connectionsPerHost: 1 });
    const first = text(p.request(s.url));
    await s.waitForRequests(1);
    const controller = new AbortController();
    const queued = p.fetch(s.url, { signal: controller.signal });
    await until(() => p.stats().origins[s.url]?.queued === 1);
    const reason = new Error('user left');
    controller.abort(reason);
    await expect(queued).rejects.toBe(reason);
    await until(() => p.stats().origins[s.url]?.queued === 0);
    s.release();
    expect(await first).toBe('ok');
    const after = await p.fetch(s.url, { signal: new AbortController().signal });
    expect(await after.text()).toBe('ok');
    expect(s.requests).toBe(2);
  });

  it('rejects at once when the signal is already aborted and the request would queue', async () => {
    const s = await server({ hold: true });
    const p = pool({ connectionsPerHost: 1 });
    const first = text(p.request(s.url));
    await s.waitForRequests(1);
    const reason = new Error('already');
    await expect(p.request(s.url, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    s.release();
    await first;
  });

  it('rejects with signal.reason and opens no socket when the signal is already aborted and a slot is free', async () => {
    const s = await server();
    const p = pool();
    const connects: unknown[] = [];
    p.onConnect((event) => connects.push(event));
    const reason = new Error('already');
    await expect(p.request(s.url, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    await expect(p.fetch(s.url, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(connects).toEqual([]);
    expect(p.stats().socketsCreated).toBe(0);
    expect(s.requests).toBe(0);
    // not the connection error either, where nothing listens
    const down = await server();
    await down.close();
    await expect(p.request(down.url, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(await text(p.request(s.url))).toBe('ok');
  });

  it('counts a socket that close() is still closing until it is closed', async () => {
    const s = await server({ hold: true });
    const p = pool();
    const held = text(p.request(s.url));
    await s.waitForRequests(1);
    const closing = p.close();
    // close() retires the socket once the queue is empty (a tick later); it answers on
    await new Promise((resolve) => setImmediate(resolve));
    expect(p.stats().totals).toMatchObject({ sockets: 1, connected: 1, running: 1, free: 0 });
    expect(p.stats().origins[s.url]).toMatchObject({ sockets: 1, running: 1 });
    s.release();
    expect(await held).toBe('ok');
    await closing;
    expect(p.stats().totals).toMatchObject({ sockets: 0, connected: 0, running: 0 });
  });

  it('fails with PoolClosedError after close()', async () => {
    const s = await server();
    const p = pool();
    await text(p.request(s.url));
    await p.close();
    const error = await p.request(s.url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoolClosedError);
    expect(isPoolClosedError(error)).toBe(true);
    expect((error as PoolClosedError).code).toBe('X_POOL_CLOSED');
    expect((error as PoolClosedError).origin).toBe(s.url);
    const fetchError = await p.fetch(s.url).catch((e: unknown) => e);
    expect(isPoolClosedError((fetchError as Error).cause)).toBe(true);
    expect(p.closed).toBe(true);
    expect(p.stats().closed).toBe(true);
  });

  it('lets running and queued requests finish before close() resolves', async () => {
    const s = await server({ hold: true });
    const p = pool({ connectionsPerHost: 1 });
    const first = text(p.request(s.url));
    await s.waitForRequests(1);
    const queued = text(p.request(s.url));
    let closed = false;
    const closing = p.close().then(() => {
      closed = true;
    });
    await until(() => s.held === 1);
    expect(closed).toBe(false);
    s.release();
    expect(await first).toBe('ok');
    expect(await queued).toBe('ok');
    await closing;
    expect(closed).toBe(true);
    await s.waitForClosedSockets(1);
    expect(s.sockets.open).toBe(0);
    expect(s.requests).toBe(2);
  });

  it('settles close() too when destroy() cuts a graceful close short', async () => {
    const s = await server({ hold: true });
    const p = pool({ connectionsPerHost: 1 });
    const running = p.request(s.url).catch((e: unknown) => e);
    await s.waitForRequests(1);
    const queued = p.request(s.url).catch((e: unknown) => e);
    const closing = p.close();
    expect(p.close()).toBe(closing);
    await p.destroy();
    await closing;
    expect(isPoolClosedError(await queued)).toBe(true);
    expect(await running).toBeInstanceOf(Error);
    expect(p.stats().totals.sockets).toBe(0);
  });

  it('fails running and queued requests at once on destroy()', async () => {
    const s = await server({ hold: true });
    const p = pool({ connectionsPerHost: 1 });
    const running = p.request(s.url).catch((e: unknown) => e);
    await s.waitForRequests(1);
    const queued = p.request(s.url).catch((e: unknown) => e);
    await p.destroy();
    expect(isPoolClosedError(await queued)).toBe(true);
    expect((await queued) as Error).toMatchObject({ message: expect.stringMatching(/refused$/) });
    // The running one was cut, not refused: the message says so.
    expect(isPoolClosedError(await running)).toBe(true);
    expect((await running) as Error).toMatchObject({
      message: expect.stringMatching(/^The pool was destroyed; request to .* aborted$/),
    });
    await s.waitForClosedSockets(1);
    expect(s.sockets.open).toBe(0);
  });

  it('leaves no socket or timer open after close()', async () => {
    const a = await server();
    const b = await server();
    const count = (kinds: string[]) =>
      process.getActiveResourcesInfo().filter((k) => kinds.includes(k)).length;
    const timers = count(['Timeout']);
    const p = pool({ keepAliveTimeoutMs: 60_000 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => text(p.request(i % 2 ? a.url : b.url))));
    expect(count(['TCPSocketWrap'])).toBeGreaterThan(0);
    await p.close();
    await Promise.all([a, b].map((s) => s.waitForClosedSockets(s.sockets.opened)));
    await a.close();
    await b.close();
    await until(() => count(['TCPSocketWrap', 'TCPServerWrap']) === 0);
    expect(count(['TCPSocketWrap', 'TCPServerWrap'])).toBe(0);
    expect(count(['Timeout'])).toBeLessThanOrEqual(timers);
    expect(p.stats().origins).toEqual({});
    expect(p.stats().totals.sockets).toBe(0);
  });

  it('fails queued requests with the given error on destroy(error)', async () => {
    const s = await server({ hold: true });
    const p = pool({ connectionsPerHost: 1 });
    const running = p.request(s.url).catch((e: unknown) => e);
    await s.waitForRequests(1);
    const queued = p.request(s.url).catch((e: unknown) => e);
    const reason = new Error('shutting down');
    await p.destroy(reason);
    expect(await queued).toBe(reason);
    expect(await running).toBe(reason);
  });

  it('publishes connect events on the x:pool:connect diagnostics channel', async () => {
    const s = await server();
    const p = pool();
    const seen: unknown[] = [];
    const onMessage = (message: unknown) => seen.push(message);
    diagnosticsChannel.subscribe('x:pool:connect', onMessage);
    try {
      await text(p.request(s.url));
    } finally {
      diagnosticsChannel.unsubscribe('x:pool:connect', onMessage);
    }
    expect(seen).toEqual([{ origin: s.url, address: '127.0.0.1', totalConnections: 1 }]);
  });

  it('keeps serving when a listener throws, turning the throw into a warning naming @x/pool and the event', async () => {
    const s = await server();
    const p = pool();
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    p.onConnect(() => {
      throw new Error('listener bug');
    });
    try {
      expect(await text(p.request(s.url))).toBe('ok');
      await until(() => warnings.length > 0);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.message)).toEqual([
      "@x/pool: a 'connect' listener threw: Error: listener bug",
    ]);
    expect(warnings[0]).toMatchObject({ name: 'XListenerError', code: 'X_POOL_LISTENER_ERROR' });
  });

  it('stops calling a listener after its unsubscribe function ran', async () => {
    const s = await server({ closeConnection: true });
    const p = pool();
    const seen: string[] = [];
    const off = p.onConnect((e) => seen.push(e.origin));
    await text(p.request(s.url));
    off();
    await text(p.request(s.url));
    expect(seen).toEqual([s.url]);
    expect(s.sockets.opened).toBe(2);
  });

  it('composes with undici interceptors', async () => {
    const s = await server();
    const p = pool();
    const retrying = p.dispatcher.compose(interceptors.retry({ maxRetries: 1 }));
    const r = await undiciRequest(s.url, { dispatcher: retrying });
    expect(await r.body.text()).toBe('ok');
    expect(p.stats().requestsServed).toBe(1);
  });

  it('reports a connect event per socket and a socket-closed event when the server closes it', async () => {
    const s = await server({ keepAliveTimeoutMs: 60_000 });
    const p = pool();
    const connects: string[] = [];
    const disconnects: PoolDisconnectEvent[] = [];
    p.onConnect((e) => connects.push(`${e.origin} ${e.address} ${e.totalConnections}`));
    const off = p.onDisconnect((e) => disconnects.push(e));
    await text(p.request(s.url));
    s.server.closeAllConnections();
    await until(() => disconnects.length === 1);
    expect(connects).toEqual([`${s.url} 127.0.0.1 1`]);
    expect(disconnects[0]).toMatchObject({ origin: s.url, reason: 'socket-closed' });
    expect(p.stats().totals.sockets).toBe(0);
    off();
    await text(p.request(s.url));
    expect(s.sockets.opened).toBe(2);
  });
});

describe('createPool queue timeout', () => {
  it('fails with PoolTimeoutError when a request waits longer than queueTimeoutMs', async () => {
    vi.useFakeTimers();
    const s = await server({ hold: true });
    const p = pool({ connectionsPerHost: 1, queueTimeoutMs: 1_000 });
    const timeouts: number[] = [];
    p.onQueueTimeout((e) => timeouts.push(e.waitedMs));
    const first = text(p.request(s.url));
    await s.waitForRequests(1);
    const queued = p.request(s.url).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(999);
    expect(p.stats().origins[s.url]?.queued).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    const error = await queued;
    expect(error).toBeInstanceOf(PoolTimeoutError);
    expect(isPoolTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'X_POOL_TIMEOUT',
      origin: s.url,
      timeoutMs: 1_000,
      waitedMs: 1_000,
    });
    expect(timeouts).toEqual([1_000]);
    expect(p.stats().queueTimeouts).toBe(1);
    expect(p.stats().origins[s.url]?.queued).toBe(0);
    s.release();
    expect(await first).toBe('ok');
    expect(s.requests).toBe(1);
  });

  it('times out a request waiting on the total cap of another origin', async () => {
    vi.useFakeTimers();
    const a = await server({ hold: true });
    const b = await server();
    const p = pool({ maxConnections: 1, queueTimeoutMs: 500 });
    const first = text(p.request(a.url));
    await a.waitForRequests(1);
    const other = p.request(b.url).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(500);
    expect(isPoolTimeoutError(await other)).toBe(true);
    expect(b.sockets.opened).toBe(0);
    a.release();
    expect(await first).toBe('ok');
  });

  it('arms no timer for a request that finds a free socket', async () => {
    vi.useFakeTimers();
    const s = await server();
    const p = pool({ queueTimeoutMs: 1_000 });
    const before = vi.getTimerCount();
    const pending = text(p.request(s.url));
    // Only the clean-up timer of the new origin appears; the request itself arms none.
    expect(vi.getTimerCount() - before).toBe(1);
    expect(await pending).toBe('ok');
  });
});
