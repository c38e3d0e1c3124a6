import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { ask, chats, useSimulatorPair } from './__fixtures__/routers';
import { isRouterError, type RouterError } from './errors';
import { createRouter } from './router';

// Against real servers: two simulators on 127.0.0.1 and a router whose group `chat` tries `a`
// first and `b` second (__fixtures__/routers.ts). Real clock (real sockets), except the
// deadline test, which fakes it. Every failure that makes the router try the next deployment.

const { open, setup } = useSimulatorPair();

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
    // `large` was not loaded (`/api/ps`): its metadata (`/api/show`) gave only its trained
    // maximum, an upper bound that holds the prompt, never taken as its window.
    expect(router.stats().deployments.large).toMatchObject({
      contextWindow: undefined,
      contextWindowMax: 131_072,
    });
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
