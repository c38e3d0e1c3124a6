import { errors as undiciErrors } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { endlessHints, type RawServer, startRawServer } from './__fixtures__/raw-servers';
import { createPool, type Pool } from './pool';

const closers: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function rawServer(answer: Parameters<typeof startRawServer>[0]): Promise<string> {
  return (await server(answer)).url;
}

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

describe('headersTimeoutMs bounds the wait for the final status, 1xx responses included', () => {
  it('pool.request fails with HeadersTimeoutError against endless 103 Early Hints', async () => {
    const url = await rawServer(endlessHints);
    const error = await pool({ headersTimeoutMs: 150 })
      .request(url)
      .then(
        () => expect.unreachable('expected a rejection'),
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(undiciErrors.HeadersTimeoutError);
    expect(error).toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
  }, 10_000);

  it('pool.fetch fails with HeadersTimeoutError as its cause against endless 103 Early Hints', async () => {
    const url = await rawServer(endlessHints);
    const error = await pool({ headersTimeoutMs: 150 })
      .fetch(url)
      .then(
        () => expect.unreachable('expected a rejection'),
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).cause).toBeInstanceOf(undiciErrors.HeadersTimeoutError);
  }, 10_000);

  it("a per-request headersTimeout (undici's option) wins over the pool's", async () => {
    const url = await rawServer(endlessHints);
    const error = await pool({ headersTimeoutMs: 0 })
      .request(url, { headersTimeout: 150 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(undiciErrors.HeadersTimeoutError);
  }, 10_000);

  it('a final status after a 1xx ends the deadline: a body slower than headersTimeoutMs is read', async () => {
    const url = await rawServer((socket) => {
      socket.write('HTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\n');
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n');
      // The body comes well after the headers deadline would have passed.
      setTimeout(() => socket.write('ok'), 400);
    });
    const p = pool({ headersTimeoutMs: 150, bodyTimeoutMs: 5_000 });
    const { statusCode, body } = await p.request(url);
    expect(statusCode).toBe(200);
    expect(await body.text()).toBe('ok');
  }, 10_000);

  it('the socket of a request whose 1xx wait timed out is closed, and no other is opened', async () => {
    const s = await server(endlessHints);
    const p = pool({ headersTimeoutMs: 150 });
    await expect(p.request(s.url)).rejects.toBeInstanceOf(undiciErrors.HeadersTimeoutError);
    // The exchange is unfinished: its socket cannot serve another request. Left to undici's
    // abort, the client opened a new socket only to drop the request, and kept it idle.
    await vi.waitFor(() => {
      expect(p.stats().totals).toMatchObject({ running: 0, pending: 0, sockets: 0 });
      expect(s.open).toBe(0);
    });
    expect(s.opened).toBe(1);
    expect(p.stats().socketsCreated).toBe(1);
  }, 10_000);
});
