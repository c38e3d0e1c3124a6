import { inspect } from 'node:util';
import { errorTexts, recordingLogger, startRouteServer } from '@x/internal/testing';
import { isProviderErrorOfKind } from '@x/provider-core';
import { createOllamaProvider, isOllamaError } from '@x/provider-ollama';
import { afterEach, describe, expect, it } from 'vitest';
import { isRouterError } from './errors';
import { createRouter } from './router';

/**
 * A key callback that fails, through two real providers and a router: nothing of what it threw
 * (the configured key, the vault's token) may reach an error, an event or a log line. Real clock
 * (a real server on 127.0.0.1, which must receive nothing).
 */
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

const KEY = 'sk-live-CONFIGURED-0123456789';
const TOKEN = 'hvs.VAULT-TOKEN-abcdef012345';

describe('a getApiKey() that throws', () => {
  it('ends each call with a typed error naming the thrown type, never its text, through a router', async () => {
    const server = await startRouteServer({});
    open.push(server);
    const providerLog = recordingLogger();
    const routerLog = recordingLogger();
    const getApiKey = () => {
      throw new Error(`vault ${TOKEN} refused to renew ${KEY}`);
    };
    const options = {
      baseUrl: server.url,
      apiKey: KEY,
      getApiKey,
      retry: false,
      cache: false,
      tokens: false,
      logger: providerLog.logger,
    } as const;
    const a = createOllamaProvider({ ...options, name: 'a' });
    const b = createOllamaProvider({ ...options, name: 'b' });
    const events: unknown[] = [];
    a.onError((e) => events.push(e));
    b.onError((e) => events.push(e));
    const router = createRouter({
      deployments: [
        { id: 'a', group: 'chat', provider: a, model: 'llama3.2' },
        { id: 'b', group: 'chat', provider: b, model: 'llama3.2', priority: 1 },
      ],
      logger: routerLog.logger,
    });
    open.push(a, b, router);
    const ask = { model: 'llama3.2', messages: [{ role: 'user' as const, content: 'Hi' }] };

    const direct = await a.complete(ask).catch((e: unknown) => e as Error);
    expect(isOllamaError(direct)).toBe(true);
    expect(isProviderErrorOfKind(direct, 'credentials')).toBe(true);
    expect(direct.message).toBe('getApiKey() failed (Error): nothing was sent to Ollama');

    const routed = await router
      .complete({ ...ask, model: 'chat' })
      .catch((e: unknown) => e as Error);
    expect(isRouterError(routed)).toBe(true);
    if (!isRouterError(routed)) return;
    expect(routed.attempts.map((attempt) => attempt.error?.message)).toEqual([
      'getApiKey() failed (Error): nothing was sent to Ollama',
      'getApiKey() failed (Error): nothing was sent to Ollama',
    ]);
    expect(server.requests).toEqual([]);
    expect(routerLog.events()).toEqual(expect.arrayContaining(['fallback', 'call-failed']));
    expect(providerLog.events()).toContain('call-failed');

    const everything = [
      ...errorTexts([direct, routed, ...routed.errors]),
      inspect(routed, { depth: 12, showHidden: true }),
      JSON.stringify(routed),
      JSON.stringify(events),
      inspect(events, { depth: 12 }),
      JSON.stringify(providerLog.entries),
      JSON.stringify(routerLog.entries),
    ].join('\n');
    expect(everything).toContain('getApiKey() failed (Error)');
    for (const secret of [KEY, TOKEN]) {
      for (let i = 0; i + 8 <= secret.length; i++) {
        expect(everything).not.toContain(secret.slice(i, i + 8));
      }
    }
    expect(everything).not.toContain('refused to renew');
  });
});
