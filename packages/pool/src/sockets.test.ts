import type { IncomingMessage } from 'node:http';
import { until } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import {
  SocketTracker,
  text,
  trackClientSockets,
  useServersAndPools,
} from './__fixtures__/servers';
import type { PoolDisconnectEvent } from './events';

// The socket caps, keep-alive reuse, the eviction of idle sockets and the queue, as the servers
// and the pool's stats see them.

const { servers, server, pool } = useServersAndPools();

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
});
