// A bounded load test: 500 concurrent calls against @x/ollama-sim with 10% injected faults.

import { until } from '@x/internal/testing';
import { startOllamaSim } from '@x/ollama-sim';
import { describe, expect, it } from 'vitest';
import { isOllamaError } from './errors';
import { createOllamaProvider } from './provider';
import type { ChatRequest } from './types';

describe('OllamaProvider under load', () => {
  it('ends every one of 500 concurrent calls in an answer or a typed error, with 10% faults', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const sim = await startOllamaSim({
      loadTimeMs: 0,
      numParallel: 8,
      responseTokens: { min: 5, max: 30 },
      faults: {
        seed: 42,
        rules: [
          { route: '/api/chat', fault: { kind: 'status', status: 503 }, probability: 0.03 },
          { route: '/api/chat', fault: { kind: 'error-line', afterChunks: 1 }, probability: 0.02 },
          { route: '/api/chat', fault: { kind: 'destroy', afterChunks: 1 }, probability: 0.02 },
          {
            route: '/api/chat',
            fault: { kind: 'end-without-done', afterChunks: 2 },
            probability: 0.02,
          },
          {
            route: '/api/chat',
            fault: { kind: 'stall', ms: 1_000, afterChunks: 1 },
            probability: 0.01,
          },
        ],
      },
    });
    const provider = createOllamaProvider({
      baseUrl: sim.url,
      rateLimit: { requestsPerSecond: 100_000 },
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
      timeouts: { idleMs: 200 },
    });
    try {
      const calls = Array.from({ length: 500 }, async (_, i) => {
        const request: ChatRequest = {
          model: i % 3 === 0 ? 'qwen2.5:7b' : 'llama3.2',
          messages: [{ role: 'user', content: `Question number ${i}: what is ${i} squared?` }],
        };
        if (i % 2 === 0) return provider.complete(request);
        let last: unknown;
        for await (const chunk of provider.stream(request)) last = chunk;
        return last;
      });
      const outcome = await Promise.race([
        Promise.allSettled(calls),
        new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 30_000).unref()),
      ]);
      expect(outcome).not.toBe('hung');
      const settled = outcome as PromiseSettledResult<unknown>[];
      const failures = settled.filter((r) => r.status === 'rejected');
      const untyped = failures
        .map((r) => (r as PromiseRejectedResult).reason)
        // One predicate for every failure: the breaker's, limiter's and pool's arrive typed too.
        .filter((e) => !isOllamaError(e));
      expect(untyped).toEqual([]);
      expect(settled.length - failures.length).toBeGreaterThan(350);
      expect(failures.length).toBeGreaterThan(0);
      const stats = provider.stats();
      expect(stats.requests).toBe(500);
      expect(stats.successes + stats.failures).toBe(500);
      expect(stats.inFlight).toBe(0);
      // Retries stay under the budget: a fifth of the traffic plus the reserve.
      expect(stats.retries).toBeLessThanOrEqual(0.2 * 500 + 10);
      await until(() => provider.pool!.stats().totals.running === 0);
      expect(provider.rateLimiter!.stats().queued).toBe(0);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await provider.close();
      await sim.close();
    }
  }, 60_000);
});
