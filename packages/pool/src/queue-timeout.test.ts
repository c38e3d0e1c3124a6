import { describe, expect, it, vi } from 'vitest';
import { text, useServersAndPools } from './__fixtures__/servers';
import { isPoolTimeoutError, PoolTimeoutError } from './errors';

const { server, pool } = useServersAndPools();

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
