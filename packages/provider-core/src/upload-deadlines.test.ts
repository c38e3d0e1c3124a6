import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cores, lineCore } from './__fixtures__/line-core';
import { isProviderError, type Transport, type TransportResponse } from './index';

// Which deadline bounds an upload while it is sent, and what each timeout says it waited for.

const servers: http.Server[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(cores.splice(0).map((c) => c.destroy()));
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A custom transport that never reads the body and never answers; it follows its signal. */
const silent: Transport = (_url, options) =>
  new Promise<TransportResponse>((_resolve, reject) => {
    options.signal?.addEventListener('abort', () => reject(options.signal?.reason), {
      once: true,
    });
  });

async function* endless() {
  for (;;) yield new Uint8Array(64 * 1024);
}

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('ProviderCore.request upload deadlines', () => {
  it('ends an upload nothing reads within firstTokenMs when idleMs is off, as a JSON call', async () => {
    vi.useFakeTimers();
    const core = lineCore('http://127.0.0.1:9', {
      transport: silent,
      timeouts: { firstTokenMs: 300, idleMs: 0 },
    });
    const outcomes: unknown[] = [];
    let settled = 0;
    const calls = [
      core.request({ endpoint: '/u', method: 'POST', payload: { a: 1 } }),
      core.request({ endpoint: '/u', method: 'POST', body: { data: endless() } }),
      core.request({ endpoint: '/u', method: 'POST', body: { data: new Uint8Array(200_000) } }),
    ];
    calls.forEach((call, i) => {
      call.catch((e) => {
        outcomes[i] = e;
        settled++;
      });
    });
    await vi.advanceTimersByTimeAsync(301);
    expect(settled).toBe(3);
    for (const error of outcomes) {
      expect(isProviderError(error) && error.kind).toBe('timeout');
      expect((error as { timeout?: unknown }).timeout).toBe('firstToken');
    }
    const [json, ...uploads] = outcomes as Error[];
    expect(json!.message).toBe(
      'Timed out after 300 ms waiting for the server to answer POST /u (timeouts.firstTokenMs)',
    );
    for (const upload of uploads) {
      expect(upload.message).toBe(
        'Timed out after 300 ms waiting for the server to take the next part of the request body (timeouts.firstTokenMs)',
      );
    }
  });

  it('keeps an upload going past firstTokenMs while the server takes its chunks, idleMs off', async () => {
    vi.useFakeTimers();
    let taken = 0;
    const transport: Transport = async (_url, options) => {
      for await (const chunk of options.body as AsyncIterable<Uint8Array>) {
        taken += chunk.byteLength;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return { statusCode: 201, headers: {}, body: Readable.from([]) };
    };
    const core = lineCore('http://127.0.0.1:9', {
      transport,
      timeouts: { firstTokenMs: 300, idleMs: 0 },
    });
    const call = core.request({ endpoint: '/u', method: 'POST', body: { data: stream(10) } });
    await vi.advanceTimersByTimeAsync(1_500);
    await expect(call).resolves.toMatchObject({ status: 201 });
    expect(taken).toBe(10 * 1_000);
  });
});

async function* stream(chunks: number) {
  for (let i = 0; i < chunks; i++) yield new Uint8Array(1_000);
}

describe('ProviderTimeoutError messages of a whole call', () => {
  it('says the server stopped taking the request body when its idleMs fires (real clock)', async () => {
    const url = await serve((req) => req.pause());
    const core = lineCore(url, { timeouts: { firstTokenMs: 10_000, idleMs: 300 } });
    const error = await core
      .request({ endpoint: '/u', method: 'POST', body: { data: endless() } })
      .catch((e) => e);
    expect(isProviderError(error) && error.kind).toBe('timeout');
    expect(error.message).toBe(
      'Timed out after 300 ms waiting for the server to take the next part of the request body (timeouts.idleMs)',
    );
  });

  it("says it waited for the error answer's body when one stalls (real clock)", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.write('{"error":');
    });
    const core = lineCore(url, { timeouts: { firstTokenMs: 10_000, idleMs: 300 } });
    const error = await core.request({ endpoint: '/m', method: 'GET' }).catch((e) => e);
    expect(isProviderError(error) && error.kind).toBe('timeout');
    expect(error.message).toBe(
      "Timed out after 300 ms waiting for the error answer's body (timeouts.idleMs)",
    );
  });

  it('says it waited for the answer to the request it sent when that deadline fires (real clock)', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
    });
    const core = lineCore(url, { timeouts: { firstTokenMs: 300, idleMs: 100 } });
    const error = await core.request({ endpoint: '/m', method: 'GET' }).catch((e) => e);
    expect(error.message).toBe(
      'Timed out after 300 ms waiting for the server to answer GET /m (timeouts.firstTokenMs)',
    );
  });
});
