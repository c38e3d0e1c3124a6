import net from 'node:net';
import { errors as undiciErrors } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createPool, type Pool } from './pool';

const closers: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A raw server: `answer` writes to each socket once its request arrived. */
async function rawServer(answer: (socket: net.Socket) => void): Promise<string> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.once('data', () => answer(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(resolve);
      }),
  );
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;
}

/** Answers with `103 Early Hints` every 20 ms and never a final status. */
function endlessHints(socket: net.Socket): void {
  const hint = () => socket.write('HTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\n');
  hint();
  const timer = setInterval(hint, 20);
  socket.on('close', () => clearInterval(timer));
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
});
