import { inspect } from 'node:util';
import { type Dispatcher, errors as undiciErrors, request as undiciRequest } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { endlessHints, type RawServer, startRawServer } from './__fixtures__/raw-servers';
import { createPool, type Pool } from './pool';

const KEY = 'sk-secret-0123456789abcdef';
const closers: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function server(answer: Parameters<typeof startRawServer>[0]): Promise<RawServer> {
  const s = await startRawServer(answer);
  closers.push(() => s.close());
  return s;
}

function pool(options: Parameters<typeof createPool>[0]): Pool {
  const p = createPool(options);
  closers.push(() => p.destroy());
  return p;
}

/** An interceptor that hands every request on: `compose()` gives the pool new-style handlers. */
const passThrough: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) =>
  dispatch(opts, handler);

/** Sends a GET with a handler of undici's newer style only; resolves its error or status. */
function newStyleGet(
  dispatcher: Dispatcher,
  url: string,
  headers: Record<string, string> = {},
): Promise<Error | number> {
  const { origin, pathname } = new URL(url);
  return new Promise((resolve) => {
    let status = 0;
    dispatcher.dispatch({ origin, path: pathname, method: 'GET', headers }, {
      onRequestStart() {},
      onResponseStart(_controller, code) {
        status = code;
      },
      onResponseData() {},
      onResponseEnd: () => resolve(status),
      onResponseError: (_controller, error) => resolve(error),
    } satisfies Dispatcher.DispatchHandler);
  });
}

const shown = (error: unknown): string =>
  `${inspect(error, { depth: 10 })}\n${(error as Error).stack}\n${JSON.stringify(error)}`;

describe('handlers of undici newer style get the same guard as legacy ones', () => {
  it('a new-style handler fails with HeadersTimeoutError against endless 103 Early Hints', async () => {
    const s = await server(endlessHints);
    const p = pool({ headersTimeoutMs: 150 });
    const error = await newStyleGet(p.dispatcher, s.url);
    expect(error).toBeInstanceOf(undiciErrors.HeadersTimeoutError);
    expect(error).toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
    // Its unfinished exchange's socket is closed, and no spare one is opened.
    await vi.waitFor(() => expect(p.stats().totals).toMatchObject({ running: 0, sockets: 0 }));
    expect(s.opened).toBe(1);
  }, 10_000);

  it('undici request through a composed pool.dispatcher fails with HeadersTimeoutError', async () => {
    const s = await server(endlessHints);
    const composed = pool({ headersTimeoutMs: 150 }).dispatcher.compose(passThrough);
    const error = await undiciRequest(s.url, { dispatcher: composed }).then(
      () => expect.unreachable('expected a rejection'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(undiciErrors.HeadersTimeoutError);
  }, 10_000);

  it("a new-style handler's parser error does not show server bytes echoing the key", async () => {
    const s = await server((socket) =>
      socket.end(`HTTP/1.1 200 OK\r\nbad header ${KEY}\r\ncontent-length: 0\r\n\r\n`),
    );
    const p = pool({});
    const headers = { 'x-api-key': KEY };
    const direct = await newStyleGet(p.dispatcher, s.url, headers);
    const composed = await undiciRequest(s.url, {
      dispatcher: p.dispatcher.compose(passThrough),
      headers,
    }).catch((e: unknown) => e);
    for (const error of [direct, composed]) {
      expect(error).toMatchObject({ name: 'HTTPParserError' });
      expect((error as { data?: string }).data).toMatch(/^\[redacted: \d+ bytes\]$/);
      expect(shown(error)).not.toContain('0123456789');
    }
  });

  it('a final status after a 1xx ends the deadline for a new-style handler', async () => {
    const s = await server((socket) => {
      socket.write('HTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\n');
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n');
      setTimeout(() => socket.write('ok'), 400);
    });
    const p = pool({ headersTimeoutMs: 150, bodyTimeoutMs: 5_000 });
    expect(await newStyleGet(p.dispatcher, s.url)).toBe(200);
  }, 10_000);
});
