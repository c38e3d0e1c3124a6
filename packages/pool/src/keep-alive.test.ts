import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CountingServer, FAKE_TIMERS, startServer } from './__fixtures__/servers';
import type { PoolDisconnectEvent } from './events';
import { createPool, type Pool } from './pool';

// Fake timers are installed before undici creates its first timer in this file, so its
// keep-alive timers are fake too.
beforeEach(() => {
  vi.useFakeTimers(FAKE_TIMERS);
});

const servers: CountingServer[] = [];
const pools: Pool[] = [];

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.destroy()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
  vi.useRealTimers();
});

async function setup(serverKeepAliveMs: number, options: Parameters<typeof createPool>[0]) {
  const server = await startServer({ keepAliveTimeoutMs: serverKeepAliveMs });
  servers.push(server);
  const pool = createPool(options);
  pools.push(pool);
  const disconnects: PoolDisconnectEvent[] = [];
  pool.onDisconnect((e) => disconnects.push(e));
  const res = await pool.request(server.url);
  await res.body.text();
  return { server, pool, disconnects };
}

describe('createPool keep-alive', () => {
  it('closes an idle socket after keepAliveTimeoutMs', async () => {
    const { server, pool, disconnects } = await setup(60_000, { keepAliveTimeoutMs: 3_000 });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(server.sockets.open).toBe(1);
    expect(pool.stats().totals.connected).toBe(1);
    await vi.advanceTimersByTimeAsync(2_000);
    await server.waitForClosedSockets(1);
    expect(server.sockets.open).toBe(0);
    expect(pool.stats().totals).toMatchObject({ connected: 0, sockets: 0 });
    expect(disconnects).toEqual([
      { origin: server.url, reason: 'socket-closed', detail: 'socket idle timeout' },
    ]);
  });

  it("closes an idle socket before the server's shorter keep-alive hint expires", async () => {
    // The server announces `Keep-Alive: timeout=5`; the pool closes one second earlier.
    const { server, pool } = await setup(5_000, { keepAliveTimeoutMs: 300_000 });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(server.sockets.open).toBe(1);
    await vi.advanceTimersByTimeAsync(1_600);
    await server.waitForClosedSockets(1);
    expect(pool.stats().totals.connected).toBe(0);
  });

  it('reuses the socket for a request within the keep-alive window', async () => {
    const { server, pool } = await setup(60_000, { keepAliveTimeoutMs: 10_000 });
    await vi.advanceTimersByTimeAsync(8_000);
    const res = await pool.request(server.url);
    await res.body.text();
    expect(server.sockets.opened).toBe(1);
    expect(pool.stats().reuseRatio).toBe(0.5);
  });

  it('runs one clean-up timer only while the pool holds origins', async () => {
    const server = await startServer({ keepAliveTimeoutMs: 60_000 });
    servers.push(server);
    const pool = createPool({ keepAliveTimeoutMs: 2_000, cleanupIntervalMs: 10_000 });
    pools.push(pool);
    expect(vi.getTimerCount()).toBe(0);
    const res = await pool.request(server.url);
    await res.body.text();
    await vi.advanceTimersByTimeAsync(3_000);
    await server.waitForClosedSockets(1);
    // The socket is gone but the origin stays until the clean-up runs.
    expect(Object.keys(pool.stats().origins)).toEqual([server.url]);
    await vi.advanceTimersByTimeAsync(7_000);
    expect(pool.stats().origins).toEqual({});
    // undici's own coarse timer winds down once it has nothing to watch.
    await vi.advanceTimersByTimeAsync(2_000);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves no timer behind after close()', async () => {
    const { pool } = await setup(60_000, { queueTimeoutMs: 5_000 });
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    await pool.close();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(vi.getTimerCount()).toBe(0);
  });
});
