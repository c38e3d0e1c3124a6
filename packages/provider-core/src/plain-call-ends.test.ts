import { createReadStream } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cores, lineCore } from './__fixtures__/line-core';
import { isProviderError } from './index';

// How `ProviderCore.request` ends: a metadata call at `timeouts.totalMs`, an upload not; an
// upload at once on its source's own 'error' (a file that cannot be opened) and on close().

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.destroy()));
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

async function server(handler: http.RequestListener): Promise<string> {
  const s = http.createServer(handler);
  servers.push(s);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

const silent = (req: http.IncomingMessage) => req.resume();
const missing = () => createReadStream(join(tmpdir(), 'plain-call-ends-no-such-file.bin'));

describe('ProviderCore.request and timeouts.totalMs', () => {
  it('ends a metadata call at totalMs, retries included, with timeout "total"', async () => {
    const core = lineCore(await server(silent), {
      retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 },
      timeouts: { totalMs: 300, firstTokenMs: 1_000 },
    });
    const started = performance.now();
    const error = await core.request({ endpoint: '/m', method: 'GET' }).catch((e) => e);
    expect(isProviderError(error) && error.kind).toBe('timeout');
    expect(error).toMatchObject({ timeout: 'total', timeoutMs: 300, retryable: false });
    expect(performance.now() - started).toBeLessThan(900);
  });

  it('counts the total deadline against the server, as complete() does', async () => {
    const core = lineCore(await server(silent), {
      breaker: { failureThreshold: 1 },
      timeouts: { totalMs: 100, firstTokenMs: 1_000 },
    });
    await expect(core.request({ endpoint: '/m', method: 'GET' })).rejects.toMatchObject({
      timeout: 'total',
    });
    expect(core.breaker?.state).toBe('open');
  });

  it('leaves an upload out of it', async () => {
    const url = await server((req, res) => {
      req.resume();
      req.on('end', () => res.end('{}'));
    });
    const core = lineCore(url, { timeouts: { totalMs: 100, firstTokenMs: 1_000 } });
    async function* slow() {
      for (let i = 0; i < 4; i++) {
        yield new Uint8Array(64);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const answer = await core.request({ endpoint: '/u', method: 'POST', body: { data: slow() } });
    expect(answer.status).toBe(200);
  });
});

describe('ProviderCore.request with a source that fails on its own', () => {
  it('ends with the ENOENT of a file that cannot be opened, nothing uncaught, breaker closed', async () => {
    let received = 0;
    const core = lineCore(
      await server((req) => {
        received++;
        req.resume();
      }),
      { breaker: { failureThreshold: 1 }, timeouts: { firstTokenMs: 30_000, idleMs: 30_000 } },
    );
    const stream = missing();
    const started = performance.now();
    const error = await core
      .request({ endpoint: '/u', method: 'POST', body: { data: stream } })
      .catch((e) => e);
    expect(error.code).toBe('ENOENT');
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(core.breaker?.state).toBe('closed');
    expect(stream.destroyed).toBe(true);
    expect(received).toBeLessThanOrEqual(1);
  });

  it('ends unsent with the error of a Readable that had already failed', async () => {
    const core = lineCore(await server(silent), {});
    const failed = new Readable({ read() {} });
    const reason = new Error('broken before it was handed over');
    failed.on('error', () => {});
    failed.destroy(reason);
    const error = await core
      .request({ endpoint: '/u', method: 'POST', body: { data: failed } })
      .catch((e) => e);
    expect(error).toBe(reason);
  });

  it('names `body.data`, or the name a wrapper gives, for a chunk that is not bytes', async () => {
    const core = lineCore(await server(silent), {});
    const plain = await core
      .request({ endpoint: '/u', method: 'POST', body: { data: Readable.from(['x']) } })
      .catch((e) => e);
    expect(plain.message).toBe(
      'Expected every chunk of `body.data` to be a Uint8Array, got String',
    );
    const named = await core
      .request({
        endpoint: '/u',
        method: 'POST',
        body: { data: Readable.from([5]), names: { length: 'options.size', data: 'data' } },
      })
      .catch((e) => e);
    expect(named).toBeInstanceOf(TypeError);
    expect(named.message).toBe('Expected every chunk of `data` to be a Uint8Array, got Number');
  });
});

describe('ProviderCore.request and close()', () => {
  it('ends an upload in progress at once with the closed error, its source ended', async () => {
    const core = lineCore(await server(silent), {});
    let finished = false;
    async function* endless() {
      try {
        for (;;) {
          yield new Uint8Array(64);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      } finally {
        finished = true;
      }
    }
    const pending = core
      .request({ endpoint: '/u', method: 'POST', body: { data: endless() } })
      .catch((e) => e);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = performance.now();
    await core.close();
    expect(performance.now() - started).toBeLessThan(1_000);
    const error = await pending;
    expect(isProviderError(error) && error.kind).toBe('closed');
    await vi.waitFor(() => expect(finished).toBe(true));
  });
});
