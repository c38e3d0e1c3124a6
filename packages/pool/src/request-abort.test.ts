import { until } from '@x/internal/testing';
import { describe, expect, it, vi } from 'vitest';
import { text, useServersAndPools } from './__fixtures__/servers';

// A request's signal: a queued request aborted, an aborted signal, and one signal shared by many.

const { server, pool } = useServersAndPools();

describe('createPool', () => {
  it('prints no MaxListenersExceededWarning when 50 concurrent requests share one signal', async () => {
    const s = await server({ hold: true });
    const p = pool({ connectionsPerHost: 5 });
    const warn = vi.spyOn(process, 'emitWarning');
    try {
      const controller = new AbortController();
      // 5 on sockets, 45 queued: the pool's one listener for all of them.
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
});
