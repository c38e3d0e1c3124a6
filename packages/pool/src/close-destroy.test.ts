import { until } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { text, useServersAndPools } from './__fixtures__/servers';
import { isPoolClosedError, PoolClosedError } from './errors';
import { createPool, type Pool } from './pool';

// `close()`, `destroy()` and `await using`: what happens to running and queued requests, and
// what is left open afterwards.

const { server, pool } = useServersAndPools();

describe('createPool', () => {
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
});
