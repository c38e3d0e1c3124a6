import { getEventListeners } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { until } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { startPartialBodyServer, useServersAndPools } from './__fixtures__/servers';

// Many `pool.fetch` calls sharing one signal: undici's fetch adds a listener to the signal it is
// given per fetch, kept until the request is garbage collected (Node 20 scans a signal's listeners
// on every add: quadratic). The pool hands undici a stand-in per fetch and keeps the caller's
// signal to one listener.

const { server, pool } = useServersAndPools();

const listeners = (signal: AbortSignal): number => getEventListeners(signal, 'abort').length;

/** A full collection (`--expose-gc` set at run time, `gc` from a new context). */
function collect(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('pool.fetch with one signal shared by many fetches', () => {
  it('adds one listener to the signal however many fetches wait under it', async () => {
    const s = await server({ hold: true });
    const p = pool({ connectionsPerHost: 2 });
    const { signal } = new AbortController();
    const fetches = Array.from({ length: 300 }, () =>
      p.fetch(s.url, { signal }).then((res) => res.text()),
    );
    await s.waitForRequests(2);
    expect(p.stats().totals.queued).toBe(298);
    expect(listeners(signal)).toBe(1);
    s.release();
    expect(await Promise.all(fetches)).toEqual(Array(300).fill('ok'));
    expect(listeners(signal)).toBe(1);
  }, 30_000);

  it('lets go of the signal once the fetches are collected', async () => {
    const s = await server();
    const p = pool({ connectionsPerHost: 2 });
    const { signal } = new AbortController();
    const bodies = await Promise.all(
      Array.from({ length: 50 }, () => p.fetch(s.url, { signal }).then((res) => res.text())),
    );
    expect(bodies).toEqual(Array(50).fill('ok'));
    // Finalizers run in a later turn than the collection that found their objects gone.
    await until(() => {
      collect();
      return listeners(signal) === 0;
    });
  });

  it('ends every queued and in-flight fetch with signal.reason', async () => {
    const s = await server({ hold: true });
    const p = pool({ connectionsPerHost: 3 });
    const controller = new AbortController();
    const fetches = Array.from({ length: 200 }, () =>
      p.fetch(s.url, { signal: controller.signal }),
    );
    await s.waitForRequests(3);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    const outcomes = await Promise.allSettled(fetches);
    expect(outcomes.every((o) => o.status === 'rejected' && o.reason === reason)).toBe(true);
    expect(s.requests).toBe(3);
  });

  it('refuses a fetch at once for a signal aborted before the call', async () => {
    const s = await server();
    const p = pool({ connectionsPerHost: 1 });
    const reason = new Error('too late');
    const signal = AbortSignal.abort(reason);
    await expect(p.fetch(s.url, { signal })).rejects.toBe(reason);
    expect(s.requests).toBe(0);
    expect(listeners(signal)).toBe(0);
  });

  it('ends a body being read with signal.reason', async () => {
    // Headers and a first chunk, then nothing: every body is being read when the signal aborts.
    const srv = await startPartialBodyServer();
    try {
      const { url } = srv;
      const p = pool({ connectionsPerHost: 1 });
      const controller = new AbortController();
      const res = await p.fetch(url, { signal: controller.signal });
      const reading = res.text();
      const reason = new Error('stop reading');
      controller.abort(reason);
      await expect(reading).rejects.toBe(reason);
    } finally {
      await srv.close();
    }
  });

  it('follows the signal of a Request given as input', async () => {
    const s = await server({ hold: true });
    const p = pool({ connectionsPerHost: 1 });
    const controller = new AbortController();
    const fetches = Array.from({ length: 20 }, () =>
      p.fetch(new Request(s.url, { signal: controller.signal })),
    );
    await s.waitForRequests(1);
    const reason = new Error('request signal');
    controller.abort(reason);
    const outcomes = await Promise.allSettled(fetches);
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    expect(s.requests).toBe(1);
  });

  it('leaves a signal that is no AbortSignal for undici to refuse in its own words', async () => {
    const s = await server();
    const p = pool({ connectionsPerHost: 1 });
    for (const signal of [{}, 'x', 1]) {
      await expect(p.fetch(s.url, { signal } as never)).rejects.toThrow(
        /Expected signal .* to be an instance of AbortSignal/,
      );
    }
    expect(s.requests).toBe(0);
  });
});
