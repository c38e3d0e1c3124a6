import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { request as undiciRequest } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { cores, lineCore } from './__fixtures__/line-core';
import { isProviderError, type Transport } from './index';

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.destroy()));
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

interface Seen {
  method: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A loopback server that keeps what each request sent and answers `status` once it read it all. */
async function recorder(status: (seen: Seen, n: number) => number = () => 201) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => parts.push(chunk));
    req.on('end', () => {
      const one = { method: req.method ?? '', headers: req.headers, body: Buffer.concat(parts) };
      seen.push(one);
      const code = status(one, seen.length);
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(code >= 300 ? '{"error":"no"}' : '');
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

async function* chunksOf(bytes: Uint8Array, size: number, pauseMs = 0) {
  for (let at = 0; at < bytes.length; at += size) {
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    yield bytes.subarray(at, at + size);
  }
}

const transports = {
  pool: {},
  agent: { pool: false as const },
  custom: { transport: ((url, options) => undiciRequest(url, options)) as Transport },
};

describe('ProviderCore.request with a raw body', () => {
  for (const [name, options] of Object.entries(transports)) {
    it(`sends a Uint8Array byte for byte with its content-length and content-type (${name})`, async () => {
      const { url, seen } = await recorder();
      const core = lineCore(url, options);
      for (const bytes of [randomBytes(1000), randomBytes(300_000)]) {
        const answer = await core.request({
          endpoint: '/upload',
          method: 'POST',
          body: { data: bytes, contentType: 'application/x-gguf' },
        });
        expect(answer.status).toBe(201);
        const last = seen.at(-1)!;
        expect(last.body.equals(bytes)).toBe(true);
        expect(last.headers['content-length']).toBe(String(bytes.length));
        expect(last.headers['content-type']).toBe('application/x-gguf');
      }
    });

    it(`streams an async iterable, with content-length when given and chunked without (${name})`, async () => {
      const { url, seen } = await recorder();
      const core = lineCore(url, options);
      const bytes = randomBytes(200_000);
      await core.request({
        endpoint: '/upload',
        method: 'POST',
        body: { data: chunksOf(bytes, 7_000), length: bytes.length },
      });
      expect(seen[0]!.body.equals(bytes)).toBe(true);
      expect(seen[0]!.headers['content-length']).toBe(String(bytes.length));
      expect(seen[0]!.headers['content-type']).toBe('application/octet-stream');
      await core.request({
        endpoint: '/upload',
        method: 'POST',
        body: { data: Readable.from(chunksOf(bytes, 10_000)) },
      });
      expect(seen[1]!.body.equals(bytes)).toBe(true);
      expect(seen[1]!.headers['content-length']).toBeUndefined();
      expect(seen[1]!.headers['transfer-encoding']).toBe('chunked');
    });
  }

  it('sends a HEAD and returns its status', async () => {
    const { url, seen } = await recorder(() => 200);
    const answer = await lineCore(url, {}).request({ endpoint: '/blob', method: 'HEAD' });
    expect(answer).toEqual({ text: '', attempts: 1, status: 200 });
    expect(seen[0]!.method).toBe('HEAD');
  });

  it('returns a status listed in `answers` as an answer, and throws it otherwise', async () => {
    const { url } = await recorder(() => 404);
    const core = lineCore(url, {});
    const answer = await core.request({ endpoint: '/blob', method: 'HEAD', answers: [404] });
    expect(answer.status).toBe(404);
    const error = await core.request({ endpoint: '/blob', method: 'HEAD' }).catch((e) => e);
    expect(isProviderError(error) && error.kind).toBe('api');
  });

  it('retries a Uint8Array body but sends an iterable body once', async () => {
    const { url, seen } = await recorder((_seen, n) => (n % 2 === 1 ? 503 : 201));
    const core = lineCore(url, { retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 1 } });
    const bytes = randomBytes(100);
    const answer = await core.request({ endpoint: '/u', method: 'POST', body: { data: bytes } });
    expect(answer).toMatchObject({ attempts: 2, status: 201 });
    expect(seen).toHaveLength(2);
    const error = await core
      .request({ endpoint: '/u', method: 'POST', body: { data: chunksOf(bytes, 10) } })
      .catch((e) => e);
    expect(isProviderError(error) && error.retryable).toBe(true);
    expect(seen).toHaveLength(3);
  });

  it('refuses a payload and a body together', () => {
    const core = lineCore('http://127.0.0.1:9', {});
    expect(() =>
      core.request({
        endpoint: '/u',
        method: 'POST',
        payload: {},
        body: { data: new Uint8Array() },
      }),
    ).toThrow(TypeError);
  });

  it('ends the call with what a source threw, not a connection error', async () => {
    const { url } = await recorder();
    async function* broken() {
      yield new Uint8Array(10);
      throw new RangeError('disk gone');
    }
    const error = await lineCore(url, {})
      .request({ endpoint: '/u', method: 'POST', body: { data: broken() } })
      .catch((e) => e);
    expect(error).toBeInstanceOf(RangeError);
  });

  it('starts the whole answer deadline once the body is sent, not at the send (real clock)', async () => {
    const { url, seen } = await recorder();
    const core = lineCore(url, { timeouts: { firstTokenMs: 60 } });
    const bytes = randomBytes(50_000);
    // 10 chunks 25 ms apart: the upload takes 250 ms, four times the deadline.
    const answer = await core.request({
      endpoint: '/u',
      method: 'POST',
      body: { data: chunksOf(bytes, 5_000, 25), length: bytes.length },
    });
    expect(answer.status).toBe(201);
    expect(seen[0]!.body.equals(bytes)).toBe(true);
  });
});
