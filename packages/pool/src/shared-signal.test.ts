import { getEventListeners } from 'node:events';
import { until } from '@x/internal/testing';
import { describe, expect, it, vi } from 'vitest';
import { startPartialBodyServer, text, useServersAndPools } from './__fixtures__/servers';
import type { PoolStats } from './stats';

// Many requests sharing one signal: undici's request handler added a listener to it per request
// (Node 20 scans a signal's listeners on every add: quadratic); the pool keeps it to one.

const { server, pool } = useServersAndPools();

const listeners = (signal: AbortSignal): number => getEventListeners(signal, 'abort').length;
/** No request left anywhere, every socket still open free (undici takes a turn or two to settle). */
const idle = (t: PoolStats['totals']): boolean =>
  t.pending === 0 && t.running === 0 && t.queued === 0 && t.free === t.connected;

describe('pool.request with one signal shared by many requests', () => {
  it('adds one listener to the signal, and removes it once every request ended', async () => {
    const s = await server({ hold: true });
    const p = pool({ connectionsPerHost: 2 });
    const { signal } = new AbortController();
    const requests = Array.from({ length: 300 }, () => text(p.request(s.url, { signal })));
    await s.waitForRequests(2);
    // 2 on sockets, 298 queued.
    expect(p.stats().totals.queued).toBe(298);
    expect(listeners(signal)).toBe(1);
    s.release();
    expect(await Promise.all(requests)).toEqual(Array(300).fill('ok'));
    // A body's listener goes when the body closes, just after its text was read.
    await until(() => listeners(signal) === 0);
  });

  it('adds one listener with the `path` option too', async () => {
    const s = await server({ hold: true });
    const p = pool({ connectionsPerHost: 1 });
    const { signal } = new AbortController();
    const requests = Array.from({ length: 30 }, () =>
      text(p.request(s.url, { path: '/x', signal } as never)),
    );
    await s.waitForRequests(1);
    expect(listeners(signal)).toBe(1);
    s.release();
    expect(await Promise.all(requests)).toEqual(Array(30).fill('ok'));
    await until(() => listeners(signal) === 0);
  });

  it('ends every queued and in-flight request with signal.reason, sockets freed, no listener left', async () => {
    const s = await server({ hold: true });
    const p = pool({ connectionsPerHost: 3 });
    const controller = new AbortController();
    const { signal } = controller;
    const requests = Array.from({ length: 200 }, () => p.request(s.url, { signal }));
    await s.waitForRequests(3);
    expect(listeners(signal)).toBe(1);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    const outcomes = await Promise.allSettled(requests);
    expect(outcomes.every((o) => o.status === 'rejected' && o.reason === reason)).toBe(true);
    expect(listeners(signal)).toBe(0);
    await until(() => idle(p.stats().totals));
    // Nothing of the aborted requests reached the server but the 3 on sockets.
    expect(s.requests).toBe(3);
  });

  it('refuses every request at once for a signal aborted before the call, adding no listener', async () => {
    const s = await server();
    const p = pool({ connectionsPerHost: 1 });
    const reason = new Error('too late');
    const signal = AbortSignal.abort(reason);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () => p.request(s.url, { signal })),
    );
    expect(outcomes.every((o) => o.status === 'rejected' && o.reason === reason)).toBe(true);
    expect(s.requests).toBe(0);
    expect(p.stats().totals.sockets).toBe(0);
    expect(listeners(signal)).toBe(0);
  });

  it('aborts queued requests sharing a look-alike signal (no EventTarget) with its reason', async () => {
    // The shape `@x/provider-core`'s light signals have: what undici and the pool read.
    const listening = new Set<() => void>();
    const lookAlike = {
      aborted: false,
      reason: undefined as unknown,
      addEventListener: (_type: string, fn: () => void) => listening.add(fn),
      removeEventListener: (_type: string, fn: () => void) => listening.delete(fn),
    };
    const s = await server({ hold: true });
    const p = pool({ connectionsPerHost: 1 });
    const signal = lookAlike as unknown as AbortSignal;
    const requests = Array.from({ length: 20 }, () => p.request(s.url, { signal }));
    await s.waitForRequests(1);
    expect(listening.size).toBe(1);
    const reason = new Error('light abort');
    lookAlike.aborted = true;
    lookAlike.reason = reason;
    // As a light signal aborts: its listeners once each, in order.
    const fns = [...listening];
    listening.clear();
    for (const fn of fns) fn();
    for (const outcome of await Promise.allSettled(requests)) {
      expect(outcome).toEqual({ status: 'rejected', reason });
    }
  });

  it('ends bodies being read with signal.reason and frees their sockets for the queue', async () => {
    // Headers and a first chunk, then nothing: every body is being read when the signal aborts.
    const srv = await startPartialBodyServer();
    try {
      const { url } = srv;
      const p = pool({ connectionsPerHost: 2 });
      const controller = new AbortController();
      const { signal } = controller;
      const first = await Promise.all([p.request(url, { signal }), p.request(url, { signal })]);
      const queued = Array.from({ length: 50 }, () => p.request(url, { signal }));
      expect(p.stats().totals.queued).toBe(50);
      expect(listeners(signal)).toBe(1);
      const reading = first.map((res) => res.body.text());
      const reason = new Error('stop reading');
      controller.abort(reason);
      for (const outcome of await Promise.allSettled([...reading, ...queued])) {
        expect(outcome).toEqual({ status: 'rejected', reason });
      }
      expect(listeners(signal)).toBe(0);
      await until(() => idle(p.stats().totals));
    } finally {
      await srv.close();
    }
  });

  it('pool.fetch: no MaxListenersExceededWarning past the 1,500 listeners undici allows', async () => {
    const s = await server({ hold: true });
    const p = pool({ connectionsPerHost: 1 });
    const warn = vi.spyOn(process, 'emitWarning');
    try {
      const controller = new AbortController();
      const { signal } = controller;
      // undici's fetch, given the signal itself, added a listener per fetch and set its limit to
      // 1,500 if still Node's; it now gets a stand-in per fetch.
      const fetches = Array.from({ length: 1_600 }, () => p.fetch(s.url, { signal }));
      await s.waitForRequests(1);
      const reason = new Error('enough');
      controller.abort(reason);
      const outcomes = await Promise.allSettled(fetches);
      expect(outcomes.every((o) => o.status === 'rejected' && o.reason === reason)).toBe(true);
      const names = warn.mock.calls.map(([w]) => (typeof w === 'string' ? w : w.name));
      expect(names).not.toContain('MaxListenersExceededWarning');
    } finally {
      warn.mockRestore();
    }
  });
});
