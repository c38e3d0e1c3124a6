import { startEchoSecrets } from '@x/internal/testing';
import { isProviderError } from '@x/provider-core';
import { createOllamaProvider } from '@x/provider-ollama';
import { describe, expect, it } from 'vitest';
import { ask, useSimulatorPair } from './__fixtures__/routers';
import { isRouterError, type RouterError } from './errors';
import { createRouter } from './router';

// Against real servers: two simulators on 127.0.0.1 and a router whose group `chat` tries `a`
// first and `b` second (__fixtures__/routers.ts). Real clock (real sockets). The RouterError
// when every deployment fails, and no key a server echoed in anything the router lets out.

const { open, setup } = useSimulatorPair();

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
