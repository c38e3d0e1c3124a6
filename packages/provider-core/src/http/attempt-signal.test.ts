import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createPool } from '@x/pool';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type Accumulator,
  type BaseChatRequest,
  type BaseChatResponse,
  chatResponse,
  createErrorKit,
  EMPTY_PARTIAL,
  mapHttpStatus,
  type Operation,
  ProviderCore,
  type StreamChunk,
  type Transport,
  type WireMessage,
} from '../index';

const servers: http.Server[] = [];
const cores: ProviderCore[] = [];

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

class Lines implements Accumulator<StreamChunk, BaseChatResponse> {
  text = '';
  chunks = 0;
  done = false;
  add({ data }: WireMessage): undefined {
    const line = JSON.parse(data) as { delta?: string; done?: boolean };
    this.chunks++;
    if (line.done === true) this.done = true;
    else this.text += line.delta ?? '';
    return undefined;
  }
  addWhole(body: string): void {
    this.text = body;
    this.done = true;
  }
  partial() {
    return { ...EMPTY_PARTIAL, content: this.text, chunks: this.chunks };
  }
  build() {
    return chatResponse({ content: this.text, model: 'm' });
  }
}

/** Read as an NDJSON stream: the first-token deadline applies, so every attempt has a signal. */
const streamed: Operation<BaseChatRequest, BaseChatResponse> = {
  name: 'chat',
  endpoint: '/reply',
  checksContext: false,
  stream: { framing: 'ndjson', accept: 'application/x-ndjson' },
  model: (request) => request.model,
  body: (request) => ({ model: request.model }),
  accumulator: () => new Lines(),
};

const origin = { provider: 'demo', label: 'Demo' };
const ask: BaseChatRequest = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };

function core(url: string, options: ConstructorParameters<typeof ProviderCore>[0]['options']) {
  const created = new ProviderCore({
    identity: { id: 'demo', label: 'Demo', pkg: 'provider-demo', tokens: 'openai' },
    baseUrl: url,
    options: {
      cache: false,
      tokens: false,
      breaker: false,
      rateLimit: false,
      retry: false,
      ...options,
    },
    kit: createErrorKit(origin),
    httpError: mapHttpStatus(origin),
    auth: (key) => ({ authorization: `Bearer ${key}` }),
    local: false,
    defaults: { requestsPerSecond: 100, breaker: {} },
  });
  cores.push(created);
  return created;
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
