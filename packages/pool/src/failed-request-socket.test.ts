import type net from 'node:net';
import { Readable } from 'node:stream';
import { until } from '@x/internal/testing';
import { type Dispatcher, interceptors, request as undiciRequest } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type RawServer, startRawServer } from './__fixtures__/raw-servers';
import { createPool, type Pool } from './pool';

// A request that fails on its socket by undici's own abort (its body stream errors while it is
// sent, its handler throws, which undici catches): its socket is closed, as the exchange is
// unfinished, and no other socket is opened for it (as for an abort, see running-abort.test.ts).

const closers: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const OK = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';
const HEAD = 'HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n';

type First = 'silent' | 'answered' | 'partial' | 'headers';

/**
 * The first request on the first socket gets no answer (`silent`), `ok` (`answered`), headers and
 * part of a body (`partial`), or headers only, its body part when `sendBody()` is called
 * (`headers`); every later request, on any socket, gets `ok`.
 */
async function server(first: First): Promise<RawServer & { sendBody(): void }> {
  let sockets = 0;
  let held: net.Socket | undefined;
  const s = await startRawServer((socket: net.Socket) => {
    sockets++;
    if (sockets > 1 || first === 'answered') socket.write(OK);
    else if (first === 'partial') socket.write(`${HEAD}partial`);
    else if (first === 'headers') {
      socket.write(HEAD);
      held = socket;
    }
    socket.on('data', () => socket.write(OK));
  });
  closers.push(() => s.close());
  return Object.assign(s, { sendBody: () => held?.write('partial') });
}

function pool(): Pool {
  const p = createPool();
  closers.push(() => p.destroy());
  return p;
}

/** A request body that sends one chunk, then fails with `error` once the server has it. */
function failingBody(s: RawServer, error: Error): Readable {
  const body = new Readable({ read() {} });
  body.push('part of the upload');
  until(() => s.opened === 1).then(
    () => setTimeout(() => body.destroy(error), 20),
    () => {},
  );
  return body;
}

/** Sends `handler` through `pool.dispatcher`; resolves with the error the handler got. */
function dispatch(p: Pool, url: string, handler: (fail: (e: Error) => void) => object) {
  return new Promise<unknown>((resolve) => {
    const given = handler(resolve) as Dispatcher.DispatchHandler;
    p.dispatcher.dispatch({ origin: url, path: '/', method: 'GET' }, given);
  });
}

const legacy = (fail: (e: Error) => void, own: object) => ({
  onConnect() {},
  onHeaders: () => true,
  onData: () => true,
  onComplete() {},
  onError: fail,
  ...own,
});

const newStyle = (fail: (e: Error) => void, own: object) => ({
  onRequestStart() {},
  onResponseStart() {},
  onResponseData() {},
  onResponseEnd() {},
  onResponseError: (_controller: unknown, error: Error) => fail(error),
  ...own,
});

const thrown = new Error('handler bug');
const boom = () => {
  throw thrown;
};

type Run = (p: Pool, s: RawServer) => Promise<unknown>;

const cases: [string, First, Run, unknown][] = [
  [
    'pool.request whose body stream errors while sent',
    'silent',
    (p, s) => p.request(s.url, { method: 'POST', body: failingBody(s, new Error('upload broke')) }),
    'upload broke',
  ],
  [
    "undici's request through a composed pool.dispatcher, whose body stream errors while sent",
    'silent',
    (p, s) =>
      undiciRequest(s.url, {
        dispatcher: p.dispatcher.compose(interceptors.redirect({ maxRedirections: 1 })),
        method: 'POST',
        body: failingBody(s, new Error('upload broke')),
      }),
    'upload broke',
  ],
  [
    'a handler of pool.dispatcher throwing in onHeaders',
    'answered',
    (p, s) => dispatch(p, s.url, (fail) => legacy(fail, { onHeaders: boom })),
    thrown,
  ],
  [
    'a handler of pool.dispatcher throwing in onData',
    'partial',
    (p, s) => dispatch(p, s.url, (fail) => legacy(fail, { onData: boom })),
    thrown,
  ],
  [
    'a new-style handler of pool.dispatcher throwing in onResponseStart',
    'answered',
    (p, s) => dispatch(p, s.url, (fail) => newStyle(fail, { onResponseStart: boom })),
    thrown,
  ],
  [
    'a new-style handler of pool.dispatcher throwing in onResponseData',
    'partial',
    (p, s) => dispatch(p, s.url, (fail) => newStyle(fail, { onResponseData: boom })),
    thrown,
  ],
];

async function expectSocketClosedAndNoSpare(s: RawServer, p: Pool): Promise<void> {
  // Left to undici's abort, the client opened a second socket only to drop the failed request,
  // and kept it idle (the server saw two connections; stats `connected: 1, free: 1`).
  await vi.waitFor(() => {
    expect(p.stats().totals).toMatchObject({ running: 0, pending: 0, connected: 0, sockets: 0 });
    expect(s.open).toBe(0);
  });
  expect(s.opened).toBe(1);
  expect(p.stats().socketsCreated).toBe(1);
}

async function expectNextRequestServed(s: RawServer, p: Pool): Promise<void> {
  expect(await (await p.request(s.url)).body.text()).toBe('ok');
  expect(s.opened).toBe(2);
}

describe('a request failed on its socket', () => {
  it.each(cases)('%s: its socket is closed and no other is opened', async (_, first, run, want) => {
    const s = await server(first);
    const p = pool();
    const error = await run(p, s).then(
      (result) => result,
      (e: unknown) => e,
    );
    // The caller gets the failure itself, never the socket's closing.
    if (typeof want === 'string') expect((error as Error).message).toBe(want);
    else expect(error).toBe(want);
    await expectSocketClosedAndNoSpare(s, p);
    await expectNextRequestServed(s, p);
  });

  it("pool.request's body consumer throwing in a 'data' listener: the body fails with it, the socket is closed", async () => {
    const s = await server('headers');
    const p = pool();
    const { body } = await p.request(s.url);
    const failed = new Promise((resolve) => body.once('error', resolve));
    body.on('data', boom);
    s.sendBody();
    // undici catches the throw (the chunk is handed to the listener as it arrives) and fails the
    // request with it.
    expect(await failed).toBe(thrown);
    await expectSocketClosedAndNoSpare(s, p);
    await expectNextRequestServed(s, p);
  });

  it("pool.request's body consumer throwing in a for await loop: the socket is closed", async () => {
    const s = await server('partial');
    const p = pool();
    const { body } = await p.request(s.url);
    const error = await (async () => {
      for await (const _chunk of body) throw thrown;
    })().catch((e: unknown) => e);
    expect(error).toBe(thrown);
    await expectSocketClosedAndNoSpare(s, p);
    await expectNextRequestServed(s, p);
  });

  it('a request failed after its response completed leaves its socket for the next request', async () => {
    const s = await server('answered');
    const p = pool();
    // undici catches a throw of onComplete and hands it to onError: the exchange was over.
    const error = await dispatch(p, s.url, (fail) => legacy(fail, { onComplete: boom }));
    expect(error).toBe(thrown);
    expect(await (await p.request(s.url)).body.text()).toBe('ok');
    expect(s.opened).toBe(1);
    expect(p.stats().totals).toMatchObject({ connected: 1, free: 1, sockets: 1 });
  });
});
