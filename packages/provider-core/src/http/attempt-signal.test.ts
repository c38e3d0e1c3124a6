import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createPool } from '@x/pool';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ask, lineCore as core, cores, streamed } from '../__fixtures__/line-core';
import type { Transport } from '../index';

const servers: http.Server[] = [];

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(cores.splice(0).map((c) => c.close()));
  await Promise.all(
    servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve).closeAllConnections())),
  );
});

/** Takes requests and never answers them; counts the ones that arrived. */
async function silentServer(): Promise<{ url: string; arrived: () => number }> {
  let arrived = 0;
  const server = http.createServer(() => {
    arrived++;
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrived: () => arrived,
  };
}

/** Real sockets, fake clock: lets I/O run without moving the clock. */
async function settleIo(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setImmediate(resolve));
}

describe('AttemptSignal', () => {
  it('ends a call waiting in the pool queue when its first-token deadline fires, and empties the queue', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const { url, arrived } = await silentServer();
    await using pool = createPool({ connectionsPerHost: 1, headersTimeoutMs: 0, bodyTimeoutMs: 0 });
    // The socket's holder has no deadline: only the queued call's fires.
    const holder = core(url, { pool, timeouts: false });
    const first = holder.complete(streamed, ask).catch((error: unknown) => error);
    await settleIo(() => arrived() === 1);
    const provider = core(url, { pool, timeouts: { firstTokenMs: 5_000 } });
    const second = provider.complete(streamed, ask).catch((error: unknown) => error);
    await settleIo(() => pool.stats().totals.queued === 1);
    await vi.advanceTimersByTimeAsync(5_001);
    await expect(second).resolves.toMatchObject({ timeout: 'firstToken', timeoutMs: 5_000 });
    expect(pool.stats().totals.queued).toBe(0);
    expect(arrived()).toBe(1);
    await pool.destroy();
    await first;
  });

  it("ends a call waiting in the pool queue at its caller's abort, with the abort's reason", async () => {
    const { url, arrived } = await silentServer();
    const provider = core(url, { pool: { connectionsPerHost: 1 } });
    const first = provider.complete(streamed, ask).catch((error: unknown) => error);
    await vi.waitFor(() => expect(arrived()).toBe(1));
    const controller = new AbortController();
    const second = provider
      .complete(streamed, { ...ask, signal: controller.signal })
      .catch((error: unknown) => error);
    await vi.waitFor(() => expect(provider.pool!.stats().totals.queued).toBe(1));
    const reason = new Error('gave up');
    controller.abort(reason);
    await expect(second).resolves.toBe(reason);
    expect(provider.pool!.stats().totals.queued).toBe(0);
    await provider.pool!.destroy();
    await first;
  });

  it('hands a custom transport a real AbortSignal', async () => {
    const signals: unknown[] = [];
    const transport: Transport = async (_url, options) => {
      signals.push(options.signal);
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/x-ndjson' },
        body: Readable.from([Buffer.from('{"delta":"hi"}\n{"done":true}\n')]),
      };
    };
    const provider = core('http://127.0.0.1:9', { pool: false, transport });
    await expect(provider.complete(streamed, ask)).resolves.toMatchObject({ content: 'hi' });
    expect(signals).toHaveLength(1);
    expect(signals[0]).toBeInstanceOf(AbortSignal);
  });
});
