// Real clock: the providers call a real @x/ollama-sim on 127.0.0.1.

import { releaseSharedBreaker, sharedBreaker } from '@x/breaker';
import { type OllamaSim, type OllamaSimOptions, startOllamaSim } from '@x/ollama-sim';
import { sharedRateLimiter } from '@x/rate-limit';
import { afterEach, describe, expect, it } from 'vitest';
import { isCircuitOpenError, isOllamaError } from './errors';
import type { OllamaProviderOptions } from './options';
import { createOllamaProvider, type OllamaProvider } from './provider';
import type { ChatRequest } from './types';

const sims: OllamaSim[] = [];
const providers: OllamaProvider[] = [];
const breakerNames: string[] = [];

afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
  await Promise.all(sims.splice(0).map((s) => s.close()));
  for (const name of breakerNames.splice(0)) releaseSharedBreaker(name);
});

async function sim(options: OllamaSimOptions = {}): Promise<OllamaSim> {
  const started = await startOllamaSim({ loadTimeMs: 0, ...options });
  sims.push(started);
  return started;
}

/** A provider on `url` that fails fast: no retry, a breaker that opens after 2 failures. */
function provider(url: string, options: OllamaProviderOptions): OllamaProvider {
  const created = createOllamaProvider({
    baseUrl: url,
    retry: false,
    breaker: { failureThreshold: 2 },
    ...options,
  });
  providers.push(created);
  return created;
}

/** A unique share name per test, its breaker released after it. */
function named(name: string): string {
  const unique = `${name}-${breakerNames.length}-${Math.random().toString(36).slice(2, 8)}`;
  breakerNames.push(unique);
  return unique;
}

const ask = (content: string): ChatRequest => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content }],
});

const failing = {
  faults: { rules: [{ route: '/api/chat', fault: { kind: 'status', status: 503 } }] },
} as const;

describe('createOllamaProvider({ share })', () => {
  it('opens one breaker for two providers sharing a name: the second is refused unsent', async () => {
    const server = await sim(failing as OllamaSimOptions);
    const share = named('ollama-local');
    const a = provider(server.url, { share });
    const b = provider(server.url, { share });
    expect(b.breaker).toBe(a.breaker);
    expect(b.rateLimiter).toBe(a.rateLimiter);
    expect(a.breaker).toBe(sharedBreaker(share));
    await a.complete(ask('one')).catch(() => {});
    await a.complete(ask('two')).catch(() => {});
    expect(a.breaker?.state).toBe('open');
    const sent = server.stats().byRoute['/api/chat'];
    const refused = await b.complete(ask('three')).catch((e: unknown) => e);
    expect(isCircuitOpenError(refused)).toBe(true);
    expect(isOllamaError(refused)).toBe(true);
    expect(server.stats().byRoute['/api/chat']).toBe(sent);
  });

  it('keeps apart providers with different names', async () => {
    const server = await sim(failing as OllamaSimOptions);
    const a = provider(server.url, { share: named('gpu-a') });
    const b = provider(server.url, { share: named('gpu-b') });
    expect(b.breaker).not.toBe(a.breaker);
    expect(b.rateLimiter).not.toBe(a.rateLimiter);
    await a.complete(ask('one')).catch(() => {});
    await a.complete(ask('two')).catch(() => {});
    expect(a.breaker?.state).toBe('open');
    expect(b.breaker?.state).toBe('closed');
  });

  it('shares one quota, charged under the share name', async () => {
    const server = await sim();
    const share = named('quota');
    const options = { share, rateLimit: { requestsPerSecond: 1, burst: 1 } };
    const a = provider(server.url, options);
    const b = provider(server.url, options);
    await a.complete(ask('spends the only token'));
    // The token b would need was spent by a.
    expect(await b.rateLimiter?.tryAcquire(share)).toBe(false);
  });

  it('shares the slots of maxConcurrent, and the cache when named', async () => {
    const server = await sim();
    const share = { ...{ maxConcurrent: named('slots') }, cache: named('answers') };
    const a = provider(server.url, { share, maxConcurrent: 2 });
    const b = provider(server.url, { share, maxConcurrent: 2 });
    expect(b.concurrencyLimiter).toBe(a.concurrencyLimiter);
    expect(b.cache).toBe(a.cache);
    const request = { ...ask('What is 2 + 2?'), options: { temperature: 0 } };
    await a.complete(request);
    const again = await b.complete(request);
    expect(again.cached).toBe(true);
    expect(server.stats().byRoute['/api/chat']).toBe(1);
    await a.concurrencyLimiter?.close();
    await a.cache?.close();
  });

  it('leaves shared pieces open when a provider closes; closing a piece frees its name', async () => {
    const server = await sim();
    const share = named('closing');
    const a = provider(server.url, { share });
    const b = provider(server.url, { share });
    const limiter = a.rateLimiter!;
    await a.close();
    const answer = await b.complete(ask('still works'));
    expect(answer.content.length).toBeGreaterThan(0);
    expect(sharedRateLimiter(share)).toBe(limiter);
    await limiter.close();
    const c = provider(server.url, { share });
    expect(c.rateLimiter).not.toBe(limiter);
    expect((await c.complete(ask('a fresh limiter'))).content.length).toBeGreaterThan(0);
    await c.rateLimiter?.close();
  });

  it('refuses conflicting options, names holding credentials and unknown keys at construction', async () => {
    const share = named('conflict');
    provider('http://127.0.0.1:1', { share, rateLimit: { requestsPerSecond: 5 } });
    expect(() =>
      createOllamaProvider({
        baseUrl: 'http://127.0.0.1:1',
        share,
        rateLimit: { requestsPerSecond: 6 },
      }),
    ).toThrow(/already exists with other options \(`limits.requests.ratePerSecond` differs\)/);
    expect(() => createOllamaProvider({ share: 'http://user:hunter2@ollama:11434' })).toThrow(
      RangeError,
    );
    try {
      createOllamaProvider({ share: 'http://user:hunter2@ollama:11434' });
    } catch (error) {
      expect((error as Error).message).toMatch(
        /^Expected `share` to be a label without credentials/,
      );
      expect((error as Error).message).not.toContain('hunter2');
    }
    expect(() => createOllamaProvider({ share: { breker: 'x' } as never })).toThrow(
      /Unknown option `share.breker`: did you mean `share.breaker`\?/,
    );
    expect(() => createOllamaProvider({ share: 42 as never })).toThrow(TypeError);
    await sharedRateLimiter(share).close();
  });
});
