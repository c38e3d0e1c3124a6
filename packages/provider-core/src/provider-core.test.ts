import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type Accumulator,
  type BaseChatRequest,
  type BaseChatResponse,
  chatResponse,
  createErrorKit,
  EMPTY_PARTIAL,
  type ExchangeObserver,
  mapHttpStatus,
  type Operation,
  ProviderCore,
  type StreamChunk,
} from './index';

const servers: http.Server[] = [];
const cores: ProviderCore[] = [];

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(cores.splice(0).map((c) => c.close()));
  await Promise.all(
    servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve).closeAllConnections())),
  );
});

type Answer = { status: number; headers?: Record<string, string>; body: string };

/** Answers each request with the next answer of the list (the last one repeats). */
async function scriptedServer(answers: Answer[]): Promise<{ url: string; arrivals: number[] }> {
  const arrivals: number[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const answer = answers[Math.min(arrivals.length, answers.length - 1)]!;
      arrivals.push(Date.now());
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, arrivals };
}

class Whole implements Accumulator<StreamChunk, BaseChatResponse> {
  text = '';
  chunks = 0;
  done = false;
  add(): undefined {
    return undefined;
  }
  addWhole(body: string): void {
    this.text = (JSON.parse(body) as { text: string }).text;
    this.done = true;
  }
  partial() {
    return EMPTY_PARTIAL;
  }
  build() {
    return chatResponse({ content: this.text, model: 'm' });
  }
}

const op: Operation<BaseChatRequest, BaseChatResponse> = {
  name: 'chat',
  endpoint: '/reply',
  checksContext: false,
  model: (request) => request.model,
  body: (request) => ({ model: request.model }),
  accumulator: () => new Whole(),
};

const origin = { provider: 'demo', label: 'Demo' };
const ask: BaseChatRequest = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
const ok: Answer = { status: 200, body: '{"text":"fine"}' };

function core(
  url: string,
  options: ConstructorParameters<typeof ProviderCore>[0]['options'],
  onExchange?: ExchangeObserver,
): ProviderCore {
  const created = new ProviderCore({
    identity: { id: 'demo', label: 'Demo', pkg: 'provider-demo', tokens: 'openai' },
    baseUrl: url,
    options: { cache: false, tokens: false, breaker: false, ...options },
    kit: createErrorKit(origin),
    httpError: mapHttpStatus(origin),
    auth: (key) => ({ authorization: `Bearer ${key}` }),
    local: false,
    defaults: { requestsPerSecond: 100, breaker: {} },
    ...(onExchange === undefined ? {} : { onExchange }),
  });
  cores.push(created);
  return created;
}

describe('ProviderCore onExchange', () => {
  it('hands the observer each attempt as it is sent, then its status and headers, error answers included', async () => {
    const { url } = await scriptedServer([
      { status: 429, headers: { 'retry-after-ms': '1', 'x-quota': 'low' }, body: '{}' },
      { ...ok, headers: { 'x-quota': 'fine' } },
    ]);
    const seen: string[] = [];
    const provider = core(url, { retry: { baseDelayMs: 1, maxDelayMs: 1 } }, (endpoint) => {
      seen.push(`sent ${endpoint}`);
      return (status, headers) => seen.push(`${status} ${headers['x-quota']}`);
    });
    await expect(provider.complete(op, ask)).resolves.toMatchObject({ content: 'fine' });
    expect(seen).toEqual(['sent /reply', '429 low', 'sent /reply', '200 fine']);
  });

  it('never fails a call when the observer throws', async () => {
    const { url } = await scriptedServer([ok]);
    const provider = core(url, {}, () => () => {
      throw new Error('observer bug');
    });
    await expect(provider.complete(op, ask)).resolves.toMatchObject({ content: 'fine' });
    const failing = core(url, {}, () => {
      throw new Error('observer bug');
    });
    await expect(failing.complete(op, ask)).resolves.toMatchObject({ content: 'fine' });
  });
});

describe('ProviderCore retries', () => {
  it('sends a retry only once the rate limiter admits it, as one more request', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { url, arrivals } = await scriptedServer([{ status: 503, body: '{}' }, ok]);
    // One request per 10 s, no burst: the first attempt empties the bucket.
    const provider = core(url, {
      rateLimit: { requestsPerSecond: 0.1, burst: 1 },
      retry: { baseDelayMs: 1, maxDelayMs: 1 },
    });
    const pending = provider.complete(op, ask);
    // Real I/O, fake clock: wait without moving the clock.
    while (arrivals.length === 0) await new Promise((resolve) => setImmediate(resolve));
    await vi.advanceTimersByTimeAsync(9_000);
    expect(arrivals).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_100);
    await expect(pending).resolves.toMatchObject({ attempts: 2 });
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(9_900);
    expect(provider.stats().rateLimitWaits).toBe(1);
  });

  it('reports no queue wait for a call admitted at once, and the wait of one that queued', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { url, arrivals } = await scriptedServer([ok, ok]);
    const provider = core(url, { rateLimit: { requestsPerSecond: 1, burst: 1 } });
    const first = await provider.complete(op, ask);
    expect(first.timings.queueWaitMs).toBe(0);
    const pending = provider.complete(op, ask);
    await vi.advanceTimersByTimeAsync(500);
    expect(arrivals).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(600);
    while (arrivals.length < 2) await new Promise((resolve) => setImmediate(resolve));
    const second = await pending;
    expect(second.timings.queueWaitMs).toBeGreaterThanOrEqual(900);
    expect(second.timings.queueWaitMs).toBeLessThanOrEqual(1_100);
    expect(provider.stats()).toMatchObject({ rateLimitAdmitted: 2, rateLimitWaits: 1 });
  });

  it("throws the server's error when the rate limiter cannot admit the retry in time", async () => {
    const { url, arrivals } = await scriptedServer([{ status: 503, body: '{"error":"busy"}' }, ok]);
    const provider = core(url, {
      rateLimit: { requestsPerSecond: 0.001, burst: 1, timeoutMs: 1_000 },
      retry: { baseDelayMs: 1, maxDelayMs: 1 },
    });
    await expect(provider.complete(op, ask)).rejects.toMatchObject({
      statusCode: 503,
      serverMessage: 'busy',
    });
    expect(arrivals).toHaveLength(1);
  });

  it('neither retries a 501 Not Implemented nor lets it open the breaker', async () => {
    const { url, arrivals } = await scriptedServer([
      { status: 501, body: '{"error":"This server does not support embeddings"}' },
    ]);
    const provider = core(url, {
      retry: { baseDelayMs: 1, maxDelayMs: 1 },
      breaker: { failureThreshold: 1 },
    });
    for (let i = 0; i < 2; i++) {
      await expect(provider.complete(op, ask)).rejects.toMatchObject({
        statusCode: 501,
        retryable: false,
      });
    }
    expect(arrivals).toHaveLength(2);
    expect(provider.breaker!.state).toBe('closed');
  });
});

describe('ProviderCore with a total deadline', () => {
  it('hands a custom transport a real AbortSignal that the deadline aborts', async () => {
    const signals: AbortSignal[] = [];
    const provider = core('http://127.0.0.1:9', {
      timeouts: { totalMs: 50, firstTokenMs: 0, idleMs: 0 },
      retry: false,
      transport: async (_url, options) => {
        signals.push(options.signal!);
        // Never answers: only the deadline ends the call.
        return new Promise((_resolve, reject) => {
          options.signal!.addEventListener('abort', () => reject(options.signal!.reason));
        });
      },
    });
    await expect(provider.complete(op, ask)).rejects.toMatchObject({ timeout: 'total' });
    expect(signals).toHaveLength(1);
    expect(signals[0]).toBeInstanceOf(AbortSignal);
    expect(signals[0]!.aborted).toBe(true);
  });
});

describe('ProviderCore behind a path', () => {
  it("sends to the base URL's path and the endpoint, over the pool, an Agent and a custom transport", async () => {
    const paths: string[] = [];
    const server = http.createServer((req, res) => {
      paths.push(req.url ?? '');
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(ok.body);
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const options of [{}, { pool: false as const }]) {
      await core(`${url}/proxy/v1`, options).complete(op, ask);
      await core(url, options).complete(op, ask);
    }
    // A custom transport is handed the whole URL.
    const targets: string[] = [];
    await core(`${url}/proxy/v1`, {
      transport: (target, options) => {
        targets.push(target);
        return request(target, options) as never;
      },
    }).complete(op, ask);
    expect(targets).toEqual([`${url}/proxy/v1/reply`]);
    expect(paths).toEqual([
      '/proxy/v1/reply',
      '/reply',
      '/proxy/v1/reply',
      '/reply',
      '/proxy/v1/reply',
    ]);
  });
});
