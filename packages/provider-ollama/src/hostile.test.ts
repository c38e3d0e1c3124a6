import { getEventListeners } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import type { HostileServer } from '@x/internal/testing';
import {
  errorTexts,
  expectNoSecret,
  startDataAfterDone,
  startEchoSecrets,
  startEndlessNdjson,
  startNeverResponds,
  startRouteServer,
  startTrickle,
  until,
  watchOutputs,
} from '@x/internal/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  isIncompleteStreamError,
  isOllamaError,
  isOllamaStreamError,
  isOllamaTimeoutError,
} from './errors';
import type { OllamaProviderOptions } from './options';
import { createOllamaProvider, type OllamaProvider } from './provider';
import type { ChatRequest, StreamChunk } from './types';

/** Every server started, closed after each test. */
const servers: Array<{ close(): Promise<unknown> }> = [];
const providers: OllamaProvider[] = [];

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(providers.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function against(
  start: () => Promise<HostileServer>,
  options: OllamaProviderOptions = {},
): Promise<{ server: HostileServer; provider: OllamaProvider }> {
  const server = await start();
  servers.push(server);
  // Tokens off: these servers answer only the request under test, not /api/show or /api/ps.
  const provider = createOllamaProvider({ baseUrl: server.url, tokens: false, ...options });
  providers.push(provider);
  return { server, provider };
}

const ask: ChatRequest = { model: 'hostile', messages: [{ role: 'user', content: 'hi' }] };

async function drain(iterable: AsyncIterable<StreamChunk>): Promise<StreamChunk[]> {
  const out: StreamChunk[] = [];
  for await (const chunk of iterable) out.push(chunk);
  return out;
}

describe('an endless stream (real clock: the server writes as fast as it is read)', () => {
  it('ends with a typed too-large error carrying the partial answer, under the default cap', async () => {
    const { provider } = await against(() => startEndlessNdjson());
    const error = await drain(provider.stream(ask)).catch((e: unknown) => e);
    expect(isOllamaStreamError(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'too-large' });
    expect((error as { partial: { content: string } }).partial.content.length).toBeGreaterThan(0);
    expect((error as Error).message).toContain('maxAnswerBytes');
    // 32 MiB read and decoded: under a second alone, several while other suites load the machine.
  }, 30_000);

  it('ends ten at once, typed, with the process under 1 GiB (load: about 320 MiB read)', async () => {
    const { provider } = await against(() => startEndlessNdjson());
    const results = await Promise.all(
      Array.from({ length: 10 }, () => provider.complete(ask).catch((e: unknown) => e)),
    );
    expect(results.every((e) => isOllamaStreamError(e))).toBe(true);
    expect(process.memoryUsage().rss).toBeLessThan(1024 ** 3);
  }, 60_000);
});

describe('data after done (real clock)', () => {
  for (const after of ['lines', 'error', 'open'] as const) {
    it(`ends the answer at done and releases the socket when ${after} follows`, async () => {
      const { server, provider } = await against(() => startDataAfterDone({ after, lines: 3 }));
      const answer = await provider.complete(ask);
      expect(answer.content.length).toBeGreaterThan(0);
      const chunks = await drain(provider.stream({ ...ask, cache: 'bypass' }));
      expect(chunks.at(-1)!.done).toBe(true);
      expect(chunks.at(-1)!.response!.content).toBe(answer.content);
      // The connection left open is closed by the client, not kept waiting for idleMs.
      if (after === 'open') await until(() => server.stats.clientGone);
      expect(provider.stats().inFlight).toBe(0);
    });
  }
});

describe('a stream read to its final line (real clock)', () => {
  it('keeps its connection for the next call when the body ends just after the final line', async () => {
    let connections = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        const line = (content: string, done: boolean) =>
          `${JSON.stringify({ model: 'hostile', created_at: '2026-12-03T00:00:00Z', message: { role: 'assistant', content }, done, ...(done ? { done_reason: 'stop', prompt_eval_count: 3, eval_count: 2 } : {}) })}\n`;
        res.write(line('Hel', false));
        res.write(line('lo', true));
        // The end of the chunked body a moment after the final line, as a separate packet.
        setTimeout(() => res.end(), 20);
      });
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const provider = createOllamaProvider({ baseUrl: `http://127.0.0.1:${port}`, tokens: false });
    providers.push(provider);
    try {
      for (let i = 0; i < 3; i++) {
        const chunks = await drain(provider.stream({ ...ask, cache: 'bypass' }));
        expect(chunks.at(-1)!.response!.content).toBe('Hello');
        // The body's end has arrived: the connection is free again unless it was destroyed.
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
      expect((await provider.complete({ ...ask, cache: 'bypass' })).content).toBe('Hello');
      expect(connections).toBe(1);
      expect(provider.stats().inFlight).toBe(0);
    } finally {
      await provider.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('a server that never answers', () => {
  it('ends complete() with a first-token timeout under default options', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { server, provider } = await against(() => startNeverResponds(), { retry: false });
    const pending = provider.complete(ask).catch((e: unknown) => e);
    await until(() => server.stats.connections === 1);
    await vi.advanceTimersByTimeAsync(300_000);
    const error = await pending;
    expect(isOllamaTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeout: 'firstToken' });
  });

  it('ends every call that is answered at once (metadata, embeddings) at firstTokenMs, and close() then ends', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { server, provider } = await against(() => startNeverResponds(), { retry: false });
    const calls = [
      provider.embed({ model: 'm', input: 'x' }),
      provider.listModels(),
      provider.version(),
      provider.modelInfo('m'),
      provider.ps(),
    ].map((call) => (call as Promise<unknown>).catch((e: unknown) => e));
    await until(() => server.stats.connections === calls.length);
    await vi.advanceTimersByTimeAsync(300_000);
    for (const error of await Promise.all(calls)) {
      expect(isOllamaTimeoutError(error)).toBe(true);
      expect((error as Error).message).toBe(
        'Timed out after 300000 ms waiting for the whole answer (timeouts.firstTokenMs)',
      );
    }
    await provider.close();
    expect(provider.pool!.stats().totals).toMatchObject({ running: 0, queued: 0 });
  });

  it('ends a metadata answer that trickles whitespace at firstTokenMs, whatever arrives', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { provider } = await against(
      () => startTrickle({ body: `{"models": []${' '.repeat(100_000)}}`, intervalMs: 100 }),
      { retry: false },
    );
    const pending = provider.listModels().catch((e: unknown) => e);
    for (let t = 0; t < 300_000 + 1_000; t += 1_000) await vi.advanceTimersByTimeAsync(1_000);
    const error = await pending;
    expect(isOllamaTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeout: 'firstToken', timeoutMs: 300_000 });
  });

  it('ends a trickle that never completes a line with a deadline, not never', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { createServer } = await import('node:http');
    const trickle = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      const tick = () => {
        if (res.destroyed) return;
        res.write('x');
        setTimeout(tick, 50);
      };
      tick();
    });
    await new Promise<void>((resolve) => trickle.listen(0, '127.0.0.1', resolve));
    const port = (trickle.address() as { port: number }).port;
    const provider = createOllamaProvider({
      baseUrl: `http://127.0.0.1:${port}`,
      tokens: false,
      retry: false,
    });
    providers.push(provider);
    try {
      const pending = provider.complete(ask).catch((e: unknown) => e);
      for (let t = 0; t < 300_000 + 1_000; t += 1_000) await vi.advanceTimersByTimeAsync(1_000);
      const error = await pending;
      expect(isOllamaTimeoutError(error)).toBe(true);
      expect(error).toMatchObject({ timeout: 'firstToken' });
    } finally {
      trickle.closeAllConnections();
      await new Promise((resolve) => trickle.close(resolve));
    }
  });
});

describe('a dropped stream iterator', () => {
  it('gives its socket and in-flight slot back after timeouts.consumerMs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { server, provider } = await against(() => startEndlessNdjson({ intervalMs: 0 }));
    const iterator = provider.stream(ask)[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    // The caller never asks for more (the iterator is dropped).
    expect(provider.stats().inFlight).toBe(1);
    await vi.advanceTimersByTimeAsync(300_000);
    await until(() => server.stats.clientGone);
    expect(provider.stats()).toMatchObject({ inFlight: 0, cancelled: 1 });
    expect(provider.pool!.stats().totals.running).toBe(0);
    // A read after the bound says what happened, and carries what had arrived.
    const error = await iterator.next().catch((e: unknown) => e);
    expect(error).toMatchObject({ timeout: 'consumer', partial: { content: expect.any(String) } });
    expect((error as { partial: { chunks: number } }).partial.chunks).toBeGreaterThan(0);
  });
});

describe('dropped iterators under a long-lived signal', () => {
  it('leave no listener on it once consumerMs has passed', async () => {
    // Fake timers, as the tests around: the shared deadline timer is process-wide.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { provider } = await against(() => startEndlessNdjson({ intervalMs: 0 }), {
      timeouts: { consumerMs: 50 },
    });
    const app = new AbortController();
    for (let i = 0; i < 3; i++) {
      const iterator = provider.stream({ ...ask, signal: app.signal })[Symbol.asyncIterator]();
      expect((await iterator.next()).done).toBe(false);
      // dropped: the caller never asks for more, nor returns
    }
    expect(getEventListeners(app.signal, 'abort')).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(100);
    await until(() => provider.stats().inFlight === 0);
    expect(getEventListeners(app.signal, 'abort')).toHaveLength(0);
    expect(provider.pool!.stats().totals.running).toBe(0);
  });
});

describe('a dropped pull() iterator', () => {
  it('gives its socket back after timeouts.consumerMs, and a later read says why', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { server, provider } = await against(() =>
      startEndlessNdjson({
        message: {
          status: 'pulling 8eeb52dfb3bb',
          digest: 'sha256:8eeb',
          total: 100,
          completed: 1,
        },
      }),
    );
    const iterator = provider.pull({ model: 'hostile' })[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first).toMatchObject({ done: false, value: { status: 'pulling 8eeb52dfb3bb' } });
    // The caller never asks for more (the iterator is dropped).
    expect(provider.pool!.stats().totals.running).toBe(1);
    await vi.advanceTimersByTimeAsync(300_000);
    await until(() => server.stats.clientGone);
    expect(provider.pool!.stats().totals.running).toBe(0);
    await expect(iterator.next()).rejects.toMatchObject({ timeout: 'consumer' });
  });

  it('still ends normally when the download had ended while the caller held a message', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const server = await startRouteServer({
      '/api/pull': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.end('{"status":"pulling manifest"}\n{"status":"success"}\n');
      },
    });
    servers.push(server);
    const provider = createOllamaProvider({
      baseUrl: server.url,
      tokens: false,
      timeouts: { consumerMs: 50 },
    });
    providers.push(provider);
    const statuses: string[] = [];
    for await (const progress of provider.pull({ model: 'hostile' })) {
      statuses.push(progress.status);
      // held past consumerMs: the transfer was already read to its end
      await vi.advanceTimersByTimeAsync(150);
    }
    expect(statuses).toEqual(['pulling manifest', 'success']);
  });
});

describe('a server that echoes secrets', () => {
  it.each([401, 500])(
    'leaves no secret, in any encoding, in errors, partials, events, stats or inspect output (%i)',
    async (status) => {
      const key = 'sk-live/abc+def=123';
      const header = 'tok-9f8e7d6c5b';
      const { provider } = await against(() => startEchoSecrets({ status }), {
        apiKey: key,
        headers: { 'x-api-key': header },
        retry: false,
      });
      const seen: unknown[] = [];
      provider.onError((event) => seen.push(event));
      provider.onRetry((event) => seen.push(event));
      const error = await provider.complete(ask).catch((e: unknown) => e);
      expect(isOllamaError(error)).toBe(true);
      const everything = [
        inspect(error, { depth: 10 }),
        JSON.stringify(error),
        String((error as Error).message),
        JSON.stringify(seen),
        JSON.stringify(provider.stats()),
        provider.toPrometheus(),
      ].join('\n');
      // raw, URL-encoded, and inside base64, base64url or hex at any alignment: the server echoes
      // `Bearer <key>` whole, whose base64 does not contain the key's own
      for (const secret of [key, header]) expectNoSecret(everything, secret);
    },
  );
});
it('scrubs a key the answer encodes inside the whole Authorization value, or shows in part', async () => {
  const key = 'sk-proj-SUPERSECRET0123456789abcdefXYZ';
  // each built from the header the server received, as a proxy would echo it
  const echoes = [
    (auth: string) => Buffer.from(auth).toString('base64'),
    (auth: string) => Buffer.from(`user:${auth.slice('Bearer '.length)}`).toString('base64'),
    (auth: string) => Buffer.from(auth).toString('hex'),
    (auth: string) => `${auth.slice('Bearer '.length, 'Bearer '.length + 20)}…`,
  ];
  let answered = 0;
  const server = await startRouteServer({
    '/api/chat': (req, res) => {
      const echo = echoes[answered++ % echoes.length]!(String(req.headers.authorization));
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `invalid credentials: ${echo}` }));
    },
  });
  servers.push(server);
  const provider = createOllamaProvider({
    baseUrl: server.url,
    apiKey: key,
    tokens: false,
    retry: false,
    breaker: false,
  });
  providers.push(provider);
  const outputs = watchOutputs(provider, 'provider-ollama');
  const errors: unknown[] = [];
  try {
    for (let i = 0; i < echoes.length; i++) {
      errors.push(await provider.complete(ask).catch((e: unknown) => e));
    }
  } finally {
    outputs.stop();
  }
  expect(answered).toBe(echoes.length);
  for (const error of errors) {
    expect((error as Error).message).toMatch(
      /^Ollama \/api\/chat answered 500: invalid credentials: /,
    );
    expectNoSecret([...errorTexts([error])].join('\n'), key);
  }
  expectNoSecret(JSON.stringify(outputs.seen), key);
});

describe('a web page or another service where Ollama should be (real clock)', () => {
  // What Open WebUI serves for a path of its own: its single-page app, 200 text/html.
  const page = `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8" />\n<title>Open WebUI</title>\n</head>\n<body><div id="app"></div></body>\n</html>\n`;

  async function webUi(contentType: string, body = page) {
    const server = await startRouteServer({
      '/api/chat': (_req, res) => {
        res.writeHead(200, { 'content-type': contentType });
        res.end(body);
      },
    });
    const provider = createOllamaProvider({ baseUrl: server.url, tokens: false });
    providers.push(provider);
    servers.push(server);
    return { server, provider };
  }

  function expectWebPageError(error: unknown, contentType: string) {
    expect(isOllamaStreamError(error)).toBe(true);
    expect(isIncompleteStreamError(error)).toBe(false);
    expect(error).toMatchObject({ reason: 'invalid-json', retryable: false });
    const { message } = error as Error;
    expect(message).toContain(`Ollama's /api/chat answered with a web page (${contentType})`);
    expect(message).toContain('not application/x-ndjson');
    expect(message).toContain('baseUrl');
    expect(message).toContain('Its title: "Open WebUI"');
  }

  it('ends complete() with a typed error naming the content type and the page, not retried', async () => {
    const { server, provider } = await webUi('text/html; charset=utf-8');
    expectWebPageError(
      await provider.complete(ask).catch((e: unknown) => e),
      'text/html; charset=utf-8',
    );
    expect(server.requests).toHaveLength(1);
    expect(provider.stats()).toMatchObject({ failures: 1, inFlight: 0 });
  });

  it("ends complete() with completeAs: 'whole' with the same error", async () => {
    const { provider: streamed } = await webUi('text/html');
    const provider = createOllamaProvider({
      baseUrl: streamed.baseUrl,
      tokens: false,
      completeAs: 'whole',
    });
    providers.push(provider);
    const error = await provider.complete(ask).catch((e: unknown) => e);
    expect(isOllamaStreamError(error)).toBe(true);
    expect((error as Error).message).toContain(
      "Ollama's /api/chat answered with a web page (text/html), not application/json",
    );
    expect((error as Error).message).toContain('Its title: "Open WebUI"');
  });

  it('ends stream() with the same error before yielding anything', async () => {
    const { provider } = await webUi('text/html');
    const chunks: StreamChunk[] = [];
    const error = await (async () => {
      for await (const chunk of provider.stream(ask)) chunks.push(chunk);
    })().catch((e: unknown) => e);
    expect(chunks).toEqual([]);
    expectWebPageError(error, 'text/html');
  });

  it("ends every read with a typed error, before any chunk, when another service's JSON answers", async () => {
    const { provider: streamed, server } = await webUi(
      'application/json',
      '{"detail":"Not Found"}',
    );
    const whole = createOllamaProvider({ baseUrl: server.url, tokens: false, completeAs: 'whole' });
    providers.push(whole);
    const chunks: StreamChunk[] = [];
    const errors = [
      await streamed.complete(ask).catch((e: unknown) => e),
      await whole.complete(ask).catch((e: unknown) => e),
      await (async () => {
        for await (const chunk of streamed.stream(ask)) chunks.push(chunk);
      })().catch((e: unknown) => e),
    ];
    expect(chunks).toEqual([]);
    for (const error of errors) {
      expect(isOllamaStreamError(error)).toBe(true);
      expect(error).toMatchObject({ reason: 'invalid-json' });
      expect((error as Error).message).toContain(
        'not a chat or generate chunk (no done, message or response): {"detail":"Not Found"}',
      );
    }
  });

  it('still reads an NDJSON answer sent with a charset parameter', async () => {
    const line = (content: string, done: boolean) =>
      `${JSON.stringify({ model: 'hostile', message: { role: 'assistant', content }, done, ...(done ? { done_reason: 'stop' } : {}) })}\n`;
    const { provider } = await webUi(
      'application/x-ndjson; charset=utf-8',
      line('Hel', false) + line('lo', true),
    );
    expect((await provider.complete(ask)).content).toBe('Hello');
    const chunks = await drain(provider.stream({ ...ask, cache: 'bypass' }));
    expect(chunks.at(-1)!.response!.content).toBe('Hello');
  });
});
