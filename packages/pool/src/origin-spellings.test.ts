import { describe, expect, it } from 'vitest';
import { text, useServersAndPools } from './__fixtures__/servers';
import type { PoolDispatcher } from './internal/dispatcher';

// Callers of `pool.dispatcher` may spell one origin many ways (a path or query in it, letter
// case): all share one origin state, and the spellings it remembers stay bounded.

const { server, pool } = useServersAndPools();

describe('origin spellings', () => {
  it('remembers a bounded number of spellings of one origin while it keeps its socket', async () => {
    const s = await server();
    const p = pool();
    const dispatcher = p.dispatcher as PoolDispatcher;
    const n = 10_000;
    for (let i = 0; i < n; i++) {
      const origin = `http://127.0.0.1:${s.port}/v1/chat?user=${i}`;
      expect(await text(dispatcher.request({ origin, path: '/', method: 'GET' }))).toBe('ok');
    }
    // Spellings seen before the cap keep working, and so do new ones past it.
    for (const origin of [
      `http://127.0.0.1:${s.port}/v1/chat?user=0`,
      `HTTP://127.0.0.1:${s.port}/`,
    ]) {
      expect(await text(dispatcher.request({ origin, path: '/', method: 'GET' }))).toBe('ok');
    }
    expect(Object.keys(p.stats().origins)).toEqual([s.url]);
    expect(p.stats().requestsServed).toBe(n + 2);
    expect(s.sockets.opened).toBe(1);
    const origins = [...dispatcher.origins];
    expect(origins).toHaveLength(1);
    // A handful, not one per spelling given.
    expect(origins[0]?.aliases.length).toBeLessThan(100);
    // 10,000 loopback requests in turn: about a second alone, several on a loaded 2-core runner.
  }, 30_000);

  it('keeps the first spellings of an origin on the fast path', async () => {
    const s = await server();
    const p = pool();
    const dispatcher = p.dispatcher as PoolDispatcher;
    const spellings = [`http://127.0.0.1:${s.port}/`, `HTTP://127.0.0.1:${s.port}`];
    for (const origin of spellings) {
      expect(await text(dispatcher.request({ origin, path: '/', method: 'GET' }))).toBe('ok');
    }
    expect([...dispatcher.origins][0]?.aliases).toEqual([s.url, ...spellings]);
  });
});
