import diagnosticsChannel from 'node:diagnostics_channel';
import net from 'node:net';
import { until } from '@x/internal/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CountingServer,
  refusedPort,
  startServer,
  trackClientSockets,
} from './__fixtures__/servers';
import type { ResolvedAddress } from './options';
import { createPool, type Pool } from './pool';

const servers: CountingServer[] = [];
const pools: Pool[] = [];
const rawServers: net.Server[] = [];

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.destroy()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await Promise.all(
    rawServers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.close(() => resolve());
        }),
    ),
  );
});

function pool(options: Parameters<typeof createPool>[0]): Pool {
  const p = createPool(options);
  pools.push(p);
  return p;
}

/** A TCP server that accepts connections and never answers: a TLS handshake never completes. */
async function silentServer() {
  const sockets: net.Socket[] = [];
  let closed = 0;
  const server = net.createServer((socket) => {
    sockets.push(socket);
    // Read (and drop) the client's hello, so the end of the stream is seen.
    socket.resume();
    socket.on('close', () => closed++);
    socket.on('error', () => {});
  });
  rawServers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  server.on('close', () => {
    for (const s of sockets) s.destroy();
  });
  return {
    port,
    get accepted() {
      return sockets.length;
    },
    get closed() {
      return closed;
    },
    server,
  };
}

/** A resolver that answers only when told to, and records the signals it was given. */
function heldResolver() {
  const signals: AbortSignal[] = [];
  let answer: ((records: ResolvedAddress[]) => void) | undefined;
  const resolver = (_hostname: string, options: { signal: AbortSignal }) => {
    signals.push(options.signal);
    return new Promise<ResolvedAddress[]>((resolve) => {
      answer = resolve;
    });
  };
  return { resolver, signals, answer: (records: ResolvedAddress[]) => answer?.(records) };
}

describe('an abort while the socket connects', () => {
  it('rejects at once with signal.reason during a TLS handshake and closes the socket', async () => {
    const silent = await silentServer();
    const p = pool({ connectTimeoutMs: 2_000 });
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const result = p
      .request(`https://127.0.0.1:${silent.port}/`, { signal: controller.signal })
      .catch((e: unknown) => e);
    await until(() => silent.accepted === 1);
    const started = performance.now();
    controller.abort(reason);
    // Before: ConnectTimeoutError once connectTimeoutMs (2 s) had passed. The bound, from the
    // abort, leaves a loaded machine room and stays below those 2 s.
    expect(await result).toBe(reason);
    expect(performance.now() - started).toBeLessThan(1_500);
    // The handshake is abandoned: the server sees its socket close, the pool holds none.
    await until(() => silent.closed === 1);
    expect(p.stats().totals).toMatchObject({ sockets: 0, pending: 0, queued: 0 });
  });

  it('rejects at once while the resolver answers, and opens no socket once it does', async () => {
    const s = await startServer();
    servers.push(s);
    const dns = heldResolver();
    const p = pool({ resolver: dns.resolver, connectTimeoutMs: 5_000 });
    const clients = trackClientSockets();
    try {
      const controller = new AbortController();
      const reason = new Error('caller gave up');
      const result = p
        .request(`http://slow-dns.test:${s.port}/`, { signal: controller.signal })
        .catch((e: unknown) => e);
      await until(() => dns.signals.length === 1);
      const started = performance.now();
      controller.abort(reason);
      expect(await result).toBe(reason);
      // Well below connectTimeoutMs (5 s), with room for a loaded machine.
      expect(performance.now() - started).toBeLessThan(2_500);
      await until(() => p.stats().totals.sockets === 0);
      // Nobody waits for the query any more: it is cancelled, and its late answer (this resolver
      // ignores its signal) is dropped. Before: it went on and filled the cache.
      expect(dns.signals[0]?.aborted).toBe(true);
      dns.answer([{ address: '127.0.0.1' }]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(p.stats().dns.entries).toBe(0);
      expect(clients.opened).toBe(0);
      expect(s.sockets.opened).toBe(0);
    } finally {
      clients.stop();
    }
  });

  it('serves a request queued behind the aborted one', async () => {
    const s = await startServer();
    servers.push(s);
    const dns = heldResolver();
    const p = pool({ resolver: dns.resolver, connectionsPerHost: 1 });
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const url = `http://slow-dns.test:${s.port}/`;
    const aborted = p.request(url, { signal: controller.signal }).catch((e: unknown) => e);
    const queued = p.request(url).then(
      (res) => res.body.text(),
      (e: unknown) => e,
    );
    await until(() => dns.signals.length === 1 && p.stats().totals.queued === 1);
    controller.abort(reason);
    expect(await aborted).toBe(reason);
    // The queued request's own connection asks afresh: the aborted one's query was cancelled.
    await until(() => dns.signals.length === 2);
    expect(dns.signals.map((signal) => signal.aborted)).toEqual([true, false]);
    dns.answer([{ address: '127.0.0.1' }]);
    expect(await queued).toBe('ok');
    expect(s.requests).toBe(1);
  });

  it('ends a pool.fetch aborted while connecting without opening a socket', async () => {
    const s = await startServer();
    servers.push(s);
    const dns = heldResolver();
    const p = pool({ resolver: dns.resolver });
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const result = p
      .fetch(`http://slow-dns.test:${s.port}/`, { signal: controller.signal })
      .catch((e: unknown) => e);
    await until(() => dns.signals.length === 1);
    controller.abort(reason);
    expect(await result).toBe(reason);
    await until(() => p.stats().totals.sockets === 0);
    dns.answer([{ address: '127.0.0.1' }]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(s.sockets.opened).toBe(0);
  });
});

describe('a failed connection attempt', () => {
  // The next socket opens as soon as the slot is free. Before: the slot was freed when the failed
  // socket was destroyed, a turn before it closed, so the client held 2 sockets under
  // maxConnections 1 on every run.
  it('keeps its slot until its socket has closed when aborted while connecting', async () => {
    const s = await startServer();
    servers.push(s);
    const clients = trackClientSockets();
    let abort: (() => void) | undefined;
    // Two ticks after the socket is created: its connect() has started (it starts on the
    // socket's own first tick), its outcome comes at the earliest in the next event-loop turn.
    const onSocket = () => {
      const now = abort;
      abort = undefined;
      if (now !== undefined) process.nextTick(() => process.nextTick(now));
    };
    diagnosticsChannel.subscribe('net.client.socket', onSocket);
    try {
      for (let run = 1; run <= 3; run++) {
        const p = pool({ connectionsPerHost: 1, maxConnections: 1 });
        const controller = new AbortController();
        const reason = new Error('caller gave up');
        abort = () => controller.abort(reason);
        const aborted = p.request(s.url, { signal: controller.signal }).catch((e: unknown) => e);
        const queued = p.request(s.url).then((res) => res.body.text());
        expect(await aborted).toBe(reason);
        expect(await queued).toBe('ok');
        await p.close();
        expect(clients.opened).toBe(2 * run);
      }
      expect(clients.maxOpen).toBe(1);
    } finally {
      diagnosticsChannel.unsubscribe('net.client.socket', onSocket);
      clients.stop();
    }
  });

  it('keeps its slot until its socket has closed when refused', async () => {
    const port = await refusedPort();
    const s = await startServer();
    servers.push(s);
    const p = pool({ maxConnections: 1 });
    const clients = trackClientSockets();
    try {
      for (let run = 0; run < 3; run++) {
        const refused = p.request(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
        const queued = p.request(s.url).then((res) => res.body.text());
        expect(await refused).toMatchObject({ code: 'ECONNREFUSED' });
        expect(await queued).toBe('ok');
      }
      expect(clients.maxOpen).toBe(1);
    } finally {
      clients.stop();
    }
  });
});
