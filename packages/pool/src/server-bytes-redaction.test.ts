import net from 'node:net';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createPool, type Pool } from './pool';

const KEY = 'sk-secret-0123456789abcdef';
const closers: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A raw server answering every request with `bytes`, then closing. */
async function rawServer(bytes: string): Promise<string> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => socket.end(bytes));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;
}

function pool(): Pool {
  const p = createPool();
  closers.push(() => p.destroy());
  return p;
}

const shown = (error: unknown): string =>
  `${inspect(error, { depth: 10 })}\n${(error as Error).stack}\n${JSON.stringify(error)}`;
const headers = { authorization: `Bearer ${KEY}`, 'x-api-key': KEY };

const echoes = {
  'a bad header line': `HTTP/1.1 200 OK\r\nbad header ${KEY}\r\ncontent-length: 0\r\n\r\n`,
  'a bad status line': `HTTP/1.1 2x0 ${KEY}\r\ncontent-length: 0\r\n\r\n`,
  'a bad chunk size': `HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n${KEY}\r\n`,
};

describe("errors never show server bytes echoing the request's key", () => {
  for (const [what, bytes] of Object.entries(echoes)) {
    it(`pool.request and pool.fetch, ${what}`, async () => {
      const url = await rawServer(bytes);
      const p = pool();
      const viaRequest = await p
        .request(url, { headers })
        .then(({ body }) => body.text())
        .then(
          () => expect.unreachable('expected a rejection'),
          (e: unknown) => e,
        );
      const viaFetch = await p
        .fetch(url, { headers })
        .then((res) => res.text())
        .then(
          () => expect.unreachable('expected a rejection'),
          (e: unknown) => e,
        );
      for (const error of [viaRequest, viaFetch]) {
        expect(shown(error)).not.toContain(KEY);
        expect(shown(error)).not.toContain('0123456789');
      }
      const parser = (viaRequest as { name?: string }).name === 'HTTPParserError';
      if (parser)
        expect((viaRequest as { data?: string }).data).toMatch(/^\[redacted: \d+ bytes\]$/);
    });
  }

  it('pool.fetch, a Location the URL parser refuses: only its scheme and host are shown', async () => {
    const url = await rawServer(
      `HTTP/1.1 302 Found\r\nlocation: http://[bad/${KEY}\r\ncontent-length: 0\r\n\r\n`,
    );
    const error = await pool()
      .fetch(url)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(shown(error)).not.toContain(KEY);
    expect(((error as Error).cause as { input?: unknown }).input).toBe('http://[bad');
  });
});
