import { interceptors, fetch as undiciFetch, request as undiciRequest } from 'undici';
import { describe, expect, it } from 'vitest';
import { text, useServersAndPools } from './__fixtures__/servers';

// The pool as undici's dispatcher: undici's request and fetch, Node's own fetch, interceptors.

const { server, pool } = useServersAndPools();

describe('createPool', () => {
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

  it('composes with undici interceptors', async () => {
    const s = await server();
    const p = pool();
    const retrying = p.dispatcher.compose(interceptors.retry({ maxRetries: 1 }));
    const r = await undiciRequest(s.url, { dispatcher: retrying });
    expect(await r.body.text()).toBe('ok');
    expect(p.stats().requestsServed).toBe(1);
  });
});
