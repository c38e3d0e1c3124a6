import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEchoSecrets } from '@x/internal/testing';
import { defaultModels, type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import { isProviderError } from '@x/provider-core';
import {
  createOllamaProvider,
  isOllamaStreamError,
  type OllamaProviderOptions,
} from '@x/provider-ollama';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isRouterError, type RouterError } from './errors';
import type { RouterOptions } from './options';
import { createRouter } from './router';

/**
 * Every fallback trigger and non-trigger against real servers: two simulators on 127.0.0.1, an
 * @x/provider-ollama provider on each (retries off, so one failure is one attempt), and a router
 * whose group `chat` tries `a` first (priority 0) and `b` second. Real clock (real sockets), except
 * the deadline test, which fakes it.
 */
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const thing of open.splice(0).reverse()) await thing.close();
});

const TINY = { name: 'tiny', contextLength: 512, capabilities: ['completion'] } as const;

async function setup(
  options: {
    a?: OllamaProviderOptions;
    b?: OllamaProviderOptions;
    windowA?: number;
    router?: Omit<RouterOptions, 'deployments'>;
  } = {},
) {
  const models = [...defaultModels, TINY];
  const simA = await startOllamaSim({ models });
  const simB = await startOllamaSim({ models });
  const base = { retry: false, cache: false, rateLimit: false } as const;
  const a = createOllamaProvider({ baseUrl: simA.url, ...base, ...options.a });
  const b = createOllamaProvider({ baseUrl: simB.url, ...base, ...options.b });
  const router = createRouter({
    deployments: [
      { id: 'a', group: 'chat', provider: a, model: 'llama3.2', contextWindow: options.windowA },
      { id: 'b', group: 'chat', provider: b, model: 'llama3.2', priority: 1 },
    ],
    ...options.router,
  });
  open.push(simA, simB, a, b, router);
  return { simA, simB, a, b, router };
}

const chats = (sim: OllamaSim) => sim.stats().byRoute['/api/chat'] ?? 0;
const ask = { model: 'chat', messages: [{ role: 'user', content: 'Hi' }] };

describe('fallbacks', () => {
  it.each([
    ['a 429', { kind: 'status', status: 429 }, 'X_PROVIDER_OLLAMA_API'],
    ['a 500 (server error)', { kind: 'status', status: 500 }, 'X_PROVIDER_OLLAMA_API'],
    ['a 502', { kind: 'status', status: 502 }, 'X_PROVIDER_OLLAMA_API'],
    ['a 503 (server busy)', { kind: 'status', status: 503 }, 'X_PROVIDER_OLLAMA_SERVER_BUSY'],
    [
      'a 404 of the model missing on that server',
      { kind: 'status', status: 404, error: "model 'llama3.2' not found" },
      'X_PROVIDER_OLLAMA_MODEL_NOT_FOUND',
    ],
    [
      'an answer cut before it was done',
      { kind: 'end-without-done' },
      'X_PROVIDER_OLLAMA_INCOMPLETE_STREAM',
    ],
    [
      'an error line in the answer',
      { kind: 'error-line', afterChunks: 1, error: 'model runner crashed' },
      'X_PROVIDER_OLLAMA_STREAM',
    ],
  ] as const)('moves the call to the next deployment after %s', async (_name, fault, code) => {
    const { simA, simB, router } = await setup();
    simA.setFaults([{ route: '/api/chat', fault }]);
    const answer = await router.complete(ask);
    expect(answer.content.length).toBeGreaterThan(0);
    expect(answer.route).toMatchObject({
      group: 'chat',
      deployment: 'b',
      servedBy: 'chat',
      model: 'llama3.2',
      attempts: [{ deployment: 'a', group: 'chat', model: 'llama3.2', error: { code } }],
    });
    expect([chats(simA), chats(simB)]).toEqual([1, 1]);
  });

  it('moves the call on when the server refuses connections', async () => {
    const { simA, router } = await setup();
    await simA.stop();
    const answer = await router.complete(ask);
    expect(answer.route.attempts[0]!.error).toMatchObject({
      code: 'X_PROVIDER_OLLAMA_CONNECTION',
      kind: 'connection',
    });
    expect(answer.route.deployment).toBe('b');
  });

  it('moves the call on when what answers on the port is not HTTP', async () => {
    // Another service where deployment a should be: its greeting where a status line should be.
    const other = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.socket!.end('SSH-2.0-OpenSSH_9.6\r\n'));
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    open.push({ close: () => new Promise<void>((resolve) => other.close(() => resolve())) });
    const baseUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    const { simB, router } = await setup({ a: { baseUrl, tokens: false } });
    const answer = await router.complete(ask);
    expect(answer.route.attempts[0]!.error).toMatchObject({
      code: 'X_PROVIDER_OLLAMA_PROTOCOL',
      kind: 'protocol',
    });
    expect(answer.route.deployment).toBe('b');
    expect(chats(simB)).toBe(1);
  });

  it('moves the call on when a deadline fires (fake timers)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { simA, router } = await setup({ a: { timeouts: { totalMs: 500 } } });
    simA.setFaults([{ route: '/api/chat', fault: { kind: 'latency', ms: 60_000 } }]);
    const pending = router.complete(ask);
    await vi.waitFor(() => expect(simA.stats().requests).toBeGreaterThan(0));
    await vi.advanceTimersByTimeAsync(500);
    const answer = await pending;
    expect(answer.route.attempts[0]!.error).toMatchObject({ kind: 'timeout' });
    expect(answer.route.deployment).toBe('b');
  });

  it("moves the call on when the provider's own rate limiter refuses it", async () => {
    const { simA, router } = await setup({
      a: { rateLimit: { requestsPerSecond: 0.001, burst: 1, timeoutMs: 1 } },
    });
    await router.complete(ask);
    const answer = await router.complete(ask);
    expect(answer.route.attempts[0]!.error).toMatchObject({ kind: 'local-limit' });
    expect(answer.route.deployment).toBe('b');
    expect(chats(simA)).toBe(1);
  });

  it('passes over a deployment whose breaker is open, without a call', async () => {
    const { simA, simB, a, router } = await setup({ a: { breaker: { failureThreshold: 1 } } });
    a.breaker!.open();
    const answer = await router.complete(ask);
    expect(answer.route).toMatchObject({ deployment: 'b', attempts: [] });
    expect([chats(simA), chats(simB)]).toEqual([0, 1]);
    expect(router.stats().deployments.a).toMatchObject({ breaker: 'open', skipped: 1, calls: 0 });
  });

  it('moves a prompt too long for the window to a deployment with a larger one', async () => {
    const { simA, simB, a, b } = await setup();
    const router = createRouter({
      deployments: [
        { id: 'small', group: 'chat', provider: a, model: 'tiny' },
        { id: 'same', group: 'chat', provider: a, model: 'tiny', priority: 1, contextWindow: 512 },
        { id: 'large', group: 'chat', provider: b, model: 'llama3.2', priority: 2 },
      ],
    });
    open.push(router);
    const fallbacks: unknown[] = [];
    router.onFallback((e) => fallbacks.push(e));
    const long = 'lorem ipsum dolor sit amet '.repeat(400);
    const answer = await router.complete({
      model: 'chat',
      messages: [{ role: 'user', content: long }],
    });
    expect(answer.route.deployment).toBe('large');
    expect(answer.route.attempts).toMatchObject([
      { deployment: 'small', error: { kind: 'context-overflow' } },
    ]);
    expect(fallbacks).toMatchObject([{ from: 'small', reason: 'context-window' }]);
    // The deployment with the same window was never called; the overflow was found before sending.
    expect([chats(simA), chats(simB)]).toEqual([0, 1]);
    expect(router.stats().deployments.small!.contextWindow).toBe(512);
    expect(router.stats().deployments.same!.skipped).toBe(1);
    // The window of `large` came from its provider's metadata (`/api/show`).
    expect(router.stats().deployments.large!.contextWindow).toBe(131_072);
  });

  it('fails with the overflow when no deployment has a larger window', async () => {
    const { a } = await setup();
    const router = createRouter({
      deployments: [
        { id: 'x', group: 'chat', provider: a, model: 'tiny' },
        { id: 'y', group: 'chat', provider: a, model: 'tiny', priority: 1 },
      ],
    });
    open.push(router);
    const long = 'lorem ipsum dolor sit amet '.repeat(400);
    const error = (await router
      .complete({ model: 'chat', messages: [{ role: 'user', content: long }] })
      .catch((e: unknown) => e)) as RouterError;
    expect(isRouterError(error)).toBe(true);
    expect(error.kind).toBe('context-overflow');
    expect(error.attempts.map((x) => [x.deployment, x.skipped])).toEqual([
      ['x', undefined],
      ['y', 'window-too-small'],
    ]);
  });
});

describe('no fallback', () => {
  it.each([
    ['a 400', { kind: 'status', status: 400, error: 'invalid message' }],
    [
      'a 500 that is the caller mistake',
      { kind: 'status', status: 500, error: 'option "num_ctx" must be of type integer' },
    ],
  ] as const)('rejects with %s as is and calls no other deployment', async (_name, fault) => {
    const { simA, simB, router } = await setup();
    simA.setFaults([{ route: '/api/chat', fault }]);
    const error = await router.complete(ask).catch((e: unknown) => e);
    expect(isProviderError(error)).toBe(true);
    expect(isRouterError(error)).toBe(false);
    expect(error).toMatchObject({ statusCode: fault.status });
    expect([chats(simA), chats(simB)]).toEqual([1, 0]);
  });

  it('rejects a malformed request with a TypeError before anything is sent', async () => {
    const { simA, simB, router } = await setup();
    const error = await router
      .complete({ model: 'chat', messages: [{ role: 'user', content: 42 as never }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(simA.stats().requests + simB.stats().requests).toBe(0);
  });

  it('rejects a misspelt message key with the TypeError naming it, and accepts a reply pushed back', async () => {
    const { simA, simB, router } = await setup();
    const typo = { role: 'user', content: 'Hi', imgaes: [] } as { role: 'user'; content: string };
    await expect(router.complete({ model: 'chat', messages: [typo] })).rejects.toThrow(
      new TypeError(
        'Unknown option `request.messages[0].imgaes`: did you mean `request.messages[0].images`?',
      ),
    );
    expect(simA.stats().requests + simB.stats().requests).toBe(0);

    const tools = [{ type: 'function' as const, function: { name: 'get_current_weather' } }];
    const messages = [{ role: 'user', content: 'What is the weather in Paris?' }];
    const first = await router.complete({ model: 'chat', messages, tools });
    expect(first.message.toolCalls).toHaveLength(1);
    const again = await router.complete({
      model: 'chat',
      messages: [...messages, first.message, { role: 'tool', content: '21 °C' }],
      tools,
    });
    expect(again.content.length).toBeGreaterThan(0);
  });

  it("names the router's own `tags` for a misspelt one, and leaves the provider's keys to it", async () => {
    const { simA, simB, router } = await setup();
    for (const key of ['tag', 'Tags', 'tgas']) {
      const request = { ...ask, [key]: ['eu'] } as typeof ask;
      const hint = new TypeError(
        `Unknown option \`request.${key}\`: did you mean \`request.tags\`?`,
      );
      await expect(router.complete(request)).rejects.toThrow(hint);
      await expect(
        (async () => {
          for await (const _ of router.stream(request));
        })(),
      ).rejects.toThrow(hint);
    }
    // A misspelt key of the provider's keeps the provider's own hint.
    await expect(router.complete({ ...ask, temprature: 0 } as typeof ask)).rejects.toThrow(
      new TypeError('Unknown option `request.temprature`: did you mean `request.temperature`?'),
    );
    expect(simA.stats().requests + simB.stats().requests).toBe(0);
  });

  it("rejects with the caller's abort reason and tries nothing else", async () => {
    const { simA, simB, router } = await setup();
    simA.setFaults([{ route: '/api/chat', fault: { kind: 'latency', ms: 60_000 } }]);
    const controller = new AbortController();
    const pending = router.complete({ ...ask, signal: controller.signal }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(chats(simA)).toBe(1));
    const errors: unknown[] = [];
    router.onError((e) => errors.push(e));
    controller.abort(new Error('user left'));
    expect(await pending).toBe(controller.signal.reason);
    expect(simB.stats().requests).toBe(0);
    // A cancellation, not a failure: no error event, no failure of the call or of `a`.
    expect(router.stats()).toMatchObject({ failures: 0, failuresByCode: {}, cancelled: 1 });
    expect(router.stats().deployments.a).toMatchObject({
      status: 'healthy',
      inFlight: 0,
      failures: 0,
    });
    expect(errors).toEqual([]);
  });

  it('rejects at once with an aborted signal', async () => {
    const { simA, router } = await setup();
    const signal = AbortSignal.abort(new Error('before'));
    await expect(router.complete({ ...ask, signal })).rejects.toBe(signal.reason);
    expect(simA.stats().requests).toBe(0);
  });
});

describe('streams', () => {
  const collect = async (
    iterable: AsyncIterable<{ content: string; done: boolean; response?: unknown }>,
  ) => {
    const chunks: { content: string; done: boolean; response?: unknown }[] = [];
    for await (const chunk of iterable) chunks.push(chunk);
    return chunks;
  };

  it('falls back while no chunk has arrived, and the last chunk says who served it', async () => {
    const { simA, simB, router } = await setup();
    simA.setFaults([{ route: '/api/chat', fault: { kind: 'status', status: 503 } }]);
    const chunks = await collect(router.stream(ask));
    const last = chunks.at(-1)!;
    expect(last.done).toBe(true);
    expect(last.response).toMatchObject({
      route: { deployment: 'b', attempts: [{ deployment: 'a', error: { statusCode: 503 } }] },
    });
    expect(chunks.length).toBeGreaterThan(2);
    expect([chats(simA), chats(simB)]).toEqual([1, 1]);
  });

  it('falls back when the stream ends before its first chunk', async () => {
    const { simA, router } = await setup();
    simA.setFaults([{ route: '/api/chat', fault: { kind: 'end-without-done', afterChunks: 0 } }]);
    const chunks = await collect(router.stream(ask));
    expect(chunks.at(-1)!.response).toMatchObject({
      route: { deployment: 'b', attempts: [{ error: { kind: 'incomplete-stream' } }] },
    });
  });

  it('falls back when the connection breaks before the first chunk', async () => {
    const { simA, router } = await setup();
    simA.setFaults([{ route: '/api/chat', fault: { kind: 'destroy', afterChunks: 0 } }]);
    const chunks = await collect(router.stream(ask));
    expect(chunks.at(-1)!.response).toMatchObject({
      route: { deployment: 'b', attempts: [{ error: { kind: 'connection' } }] },
    });
  });

  it('never falls back once a chunk reached the caller: the error reaches it', async () => {
    const { simA, simB, router } = await setup();
    simA.setFaults([
      { route: '/api/chat', fault: { kind: 'error-line', afterChunks: 2, error: 'boom' } },
    ]);
    const received: string[] = [];
    const error = await (async () => {
      for await (const chunk of router.stream(ask)) received.push(chunk.content);
    })().catch((e: unknown) => e);
    expect(isOllamaStreamError(error)).toBe(true);
    expect(received).toHaveLength(2);
    expect(simB.stats().requests).toBe(0);
    expect(router.stats()).toMatchObject({ failures: 1, fallbacks: 0, streams: 1 });
    expect(chats(simA)).toBe(1);
  });

  it('never falls back after a chunk when the connection breaks', async () => {
    const { simA, simB, router } = await setup();
    // A pause after the first chunk lets it reach the caller before the connection breaks.
    const fault = [
      { kind: 'stall', ms: 50, afterChunks: 1 },
      { kind: 'destroy', afterChunks: 2 },
    ] as const;
    simA.setFaults([{ route: '/api/chat', fault }]);
    const received: string[] = [];
    const error = await (async () => {
      for await (const chunk of router.stream(ask)) received.push(chunk.content);
    })().catch((e: unknown) => e);
    expect(received.length).toBeGreaterThanOrEqual(1);
    expect(isProviderError(error)).toBe(true);
    expect(simB.stats().requests).toBe(0);
  });

  it('cools down a deployment that breaks every stream after its first chunks', async () => {
    // No breaker: the router's own cooldown is under test, not the provider's breaker.
    const { simA, simB, router } = await setup({
      a: { breaker: false },
      router: { cooldown: { failures: 3, windowMs: 60_000 } },
    });
    // A pause after the first chunk lets it reach the caller before the connection breaks.
    const fault = [
      { kind: 'stall', ms: 20, afterChunks: 1 },
      { kind: 'destroy', afterChunks: 3 },
    ] as const;
    simA.setFaults([{ route: '/api/chat', fault }]);
    const cooldowns: unknown[] = [];
    router.onCooldown((e) => cooldowns.push(e));
    for (let i = 0; i < 3; i++) {
      const received: string[] = [];
      const error = await (async () => {
        for await (const chunk of router.stream(ask)) received.push(chunk.content);
      })().catch((e: unknown) => e);
      expect(isProviderError(error)).toBe(true);
      expect(received.length).toBeGreaterThanOrEqual(1);
      // Its first chunk still measured its time to the first token (until the cooldown clears it).
      if (i === 0) expect(router.stats().deployments.a!.latencyMs.stream).toBeGreaterThan(0);
    }
    expect(cooldowns).toMatchObject([{ deployment: 'a', reason: 'failures', source: 'local' }]);
    expect(router.stats().deployments.a).toMatchObject({
      status: 'cooling',
      successes: 0,
      failures: 3,
    });
    const chunks = await collect(router.stream(ask));
    expect(chunks.at(-1)!.response).toMatchObject({ route: { deployment: 'b', attempts: [] } });
    expect([chats(simA), chats(simB)]).toEqual([3, 1]);
  });

  it("aborts the provider's request when the caller stops reading", async () => {
    const { simA, router } = await setup();
    simA.setFaults([{ route: '/api/chat', fault: { kind: 'stall', ms: 60_000, afterChunks: 2 } }]);
    for await (const chunk of router.stream(ask)) {
      if (chunk.content.length > 0) break;
    }
    await vi.waitFor(() => expect(simA.stats().aborted).toBe(1));
    expect(router.stats()).toMatchObject({ cancelled: 1, inFlight: 0, failures: 0 });
    expect(router.stats().deployments.a!.inFlight).toBe(0);
  });
});

describe('secrets', () => {
  it('never shows a key a server echoed, in answers, errors, events, stats or metrics', async () => {
    const key = 'sk-router-secret-1234567890';
    const echo = await startEchoSecrets();
    const { simB, b } = await setup();
    const leaky = createOllamaProvider({
      baseUrl: echo.url,
      apiKey: key,
      retry: false,
      tokens: false,
    });
    const router = createRouter({
      deployments: [
        { id: 'leaky', group: 'chat', provider: leaky, model: 'llama3.2' },
        { id: 'b', group: 'chat', provider: b, model: 'llama3.2', priority: 1 },
      ],
    });
    open.push(echo, leaky, router);
    const seen: unknown[] = [];
    router.onFallback((e) => seen.push(e));
    router.onError((e) => seen.push(e));
    const answer = await router.complete(ask);
    expect(answer.route.attempts[0]!.error).toMatchObject({ statusCode: 401 });
    await simB.stop();
    const error = await router.complete(ask).catch((e: unknown) => e);
    const everything = JSON.stringify([
      answer.route,
      error,
      (error as Error).message,
      (error as RouterError).attempts,
      seen,
      router.stats(),
      router.toPrometheus(),
    ]);
    expect(everything).toContain('invalid credentials');
    for (const form of [key, encodeURIComponent(key), Buffer.from(key).toString('base64')]) {
      expect(everything).not.toContain(form);
    }
  });
});

describe('RouterError', () => {
  it('lists every attempt when every deployment fails, and reads as a provider error', async () => {
    const { simA, simB, router } = await setup();
    simA.setFaults([{ route: '/api/chat', fault: { kind: 'status', status: 503 } }]);
    await simB.stop();
    const error = (await router.complete(ask).catch((e: unknown) => e)) as RouterError;
    expect(isRouterError(error)).toBe(true);
    expect(isProviderError(error)).toBe(true);
    expect(error).toMatchObject({
      name: 'RouterError',
      code: 'X_ROUTER_ALL_FAILED',
      provider: 'router',
      kind: 'connection',
      retryable: true,
      group: 'chat',
    });
    expect(error.attempts.map((x) => [x.deployment, x.error.code])).toEqual([
      ['a', 'X_PROVIDER_OLLAMA_SERVER_BUSY'],
      ['b', 'X_PROVIDER_OLLAMA_CONNECTION'],
    ]);
    expect(error.errors).toHaveLength(2);
    expect(error.cause).toBe(error.errors[1]);
    expect(error.message).toBe(
      'Every deployment of "chat" failed or was unavailable (a: X_PROVIDER_OLLAMA_SERVER_BUSY, b: X_PROVIDER_OLLAMA_CONNECTION)',
    );
  });
});
