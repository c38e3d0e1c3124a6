import type net from 'node:net';
import { until } from '@x/internal/testing';
import { interceptors, request as undiciRequest } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type RawServer, startRawServer } from './__fixtures__/raw-servers';
import { createPool, type Pool } from './pool';

// A request aborted while it runs on its socket (waiting for headers, reading its body): its
// socket is closed, as the exchange is unfinished, and no other socket is opened for it.

const closers: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const OK = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';

/**
 * The first request on the first socket gets no answer (`silent`), headers and part of a body
 * (`partial`) or `ok` (`answered`); every later request, on any socket, gets `ok`.
 */
async function server(first: 'silent' | 'partial' | 'answered'): Promise<RawServer> {
  let sockets = 0;
  const s = await startRawServer((socket: net.Socket) => {
    sockets++;
    if (sockets === 1 && first === 'partial') {
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial');
    } else if (sockets > 1 || first === 'answered') socket.write(OK);
    socket.on('data', () => socket.write(OK));
  });
  closers.push(() => s.close());
  return s;
}

function pool(): Pool {
  const p = createPool();
  closers.push(() => p.destroy());
  return p;
}

type Run = (p: Pool, url: string, signal: AbortSignal) => Promise<unknown>;

const cases: [string, 'silent' | 'partial', Run][] = [
  ['pool.request waiting for headers', 'silent', (p, url, signal) => p.request(url, { signal })],
  [
    'pool.request reading the body',
    'partial',
    async (p, url, signal) => (await p.request(url, { signal })).body.text(),
  ],
  ['pool.fetch waiting for headers', 'silent', (p, url, signal) => p.fetch(url, { signal })],
  [
    'pool.fetch reading the body',
    'partial',
    async (p, url, signal) => (await p.fetch(url, { signal })).text(),
  ],
  [
    "undici's request through pool.dispatcher, reading the body",
    'partial',
    async (p, url, signal) =>
      (await undiciRequest(url, { dispatcher: p.dispatcher, signal })).body.text(),
  ],
  [
    "undici's request through a composed interceptor (new-style handler), waiting for headers",
    'silent',
    (p, url, signal) =>
      undiciRequest(url, {
        dispatcher: p.dispatcher.compose(interceptors.redirect({ maxRedirections: 1 })),
        signal,
      }),
  ],
];

async function expectSocketClosedAndNoSpare(s: RawServer, p: Pool): Promise<void> {
  // Left to undici's abort, the client opened a second socket only to drop the aborted request,
  // and kept it idle (the server saw two connections; stats `connected: 1, free: 1`).
  await vi.waitFor(() => {
    expect(p.stats().totals).toMatchObject({ running: 0, pending: 0, connected: 0, sockets: 0 });
    expect(s.open).toBe(0);
  });
  expect(s.opened).toBe(1);
  expect(p.stats().socketsCreated).toBe(1);
}

describe('a request aborted on its socket', () => {
  it.each(cases)('%s: its socket is closed and no other is opened', async (_name, first, run) => {
    const s = await server(first);
    const p = pool();
    const controller = new AbortController();
    const running = run(p, s.url, controller.signal);
    running.catch(() => {});
    await until(() => s.opened === 1 && p.stats().totals.running === 1);
    if (first === 'partial') await until(() => p.stats().requestsServed === 1);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    const error = await running.then(
      () => expect.unreachable('expected a rejection'),
      (e: unknown) => e,
    );
    // fetch reports the abort as the reason itself (a DOMException for a non-Error reason)
    expect(error).toBe(reason);
    await expectSocketClosedAndNoSpare(s, p);
    const next = await p.request(s.url);
    expect(await next.body.text()).toBe('ok');
    expect(s.opened).toBe(2);
  });

  it('the body destroyed before its end: the socket is closed and no other is opened', async () => {
    const s = await server('partial');
    const p = pool();
    const { body } = await p.request(s.url);
    await new Promise((resolve) => body.once('data', resolve));
    body.on('error', () => {});
    body.destroy();
    await expectSocketClosedAndNoSpare(s, p);
    expect(await (await p.request(s.url)).body.text()).toBe('ok');
    expect(s.opened).toBe(2);
  });

  it('a body destroyed after its response completed leaves its socket for the next request', async () => {
    const s = await server('answered');
    const p = pool();
    const { body } = await p.request(s.url);
    // The response is complete (its socket free) but its body is not read yet.
    await until(() => p.stats().totals.free === 1);
    body.on('error', () => {});
    body.destroy();
    expect(await (await p.request(s.url)).body.text()).toBe('ok');
    expect(s.opened).toBe(1);
    expect(p.stats().totals).toMatchObject({ connected: 1, free: 1, sockets: 1 });
  });
});
