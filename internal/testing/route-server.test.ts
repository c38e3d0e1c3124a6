// Real sockets on loopback; no timer is involved.
import { afterEach, describe, expect, it } from 'vitest';
import { type RouteServer, startRouteServer } from './route-server';

let server: RouteServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('startRouteServer', () => {
  it('answers with the route of the method and path, and records the request', async () => {
    server = await startRouteServer({
      'POST /echo': (_req, res, received) => {
        res.end(`got ${String(received.json?.a)}`);
      },
    });
    const res = await fetch(`${server.url}/echo?x=1`, { method: 'POST', body: '{"a":1}' });
    expect(await res.text()).toBe('got 1');
    expect(server.requests).toMatchObject([{ method: 'POST', path: '/echo', body: '{"a":1}' }]);
  });

  it('consumes a list of handlers in order and repeats the last one', async () => {
    server = await startRouteServer({
      '/n': [
        (_q, res) => {
          res.end('first');
        },
        (_q, res) => {
          res.end('then');
        },
      ],
    });
    const texts: string[] = [];
    for (let i = 0; i < 3; i++) texts.push(await (await fetch(`${server.url}/n`)).text());
    expect(texts).toEqual(['first', 'then', 'then']);
  });

  it("answers Go's 404 page when no route matches", async () => {
    server = await startRouteServer({});
    const res = await fetch(`${server.url}/nothing`);
    expect([res.status, await res.text()]).toEqual([404, '404 page not found']);
  });
});
