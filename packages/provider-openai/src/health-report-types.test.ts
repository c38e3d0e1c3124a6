import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  type Breaker,
  type BreakerState,
  type BreakerStats,
  type Cache,
  type CacheStats,
  type ConcurrencyLimiter,
  createOpenAIProvider,
  type HealthReport,
  type OpenAIProvider,
  type Pool,
  type PoolStats,
  type RateLimiter,
  type RateLimiterStats,
} from './index';

// Type-level, checked by `tsc` (`pnpm typecheck`): the pieces the provider hands out are named
// from this package, and `health()` reports them with their own types (they were `unknown`).
// scripts/check-dist-names.mjs checks that a user's declarations can name them.
let provider: OpenAIProvider | undefined;
afterEach(() => provider?.destroy());

describe('OpenAIProvider pieces and HealthReport types', () => {
  it('gives the getters and the health report the types this package exports', async () => {
    expectTypeOf<HealthReport['breaker']>().toEqualTypeOf<{ state: BreakerState } | undefined>();
    expectTypeOf<HealthReport['rateLimit']>().toEqualTypeOf<RateLimiterStats | undefined>();
    expectTypeOf<HealthReport['cache']>().toEqualTypeOf<CacheStats | undefined>();
    expectTypeOf<HealthReport['pool']>().toEqualTypeOf<PoolStats | undefined>();
    expectTypeOf<OpenAIProvider['breaker']>().toEqualTypeOf<Breaker | undefined>();
    expectTypeOf<OpenAIProvider['rateLimiter']>().toEqualTypeOf<RateLimiter | undefined>();
    expectTypeOf<OpenAIProvider['concurrencyLimiter']>().toEqualTypeOf<
      ConcurrencyLimiter | undefined
    >();
    expectTypeOf<OpenAIProvider['cache']>().toEqualTypeOf<Cache | undefined>();
    expectTypeOf<OpenAIProvider['pool']>().toEqualTypeOf<Pool | undefined>();
    expectTypeOf<ReturnType<Breaker['stats']>>().toEqualTypeOf<BreakerStats>();

    // Nothing listens on port 9: the report comes back unreachable, with every piece's state.
    provider = createOpenAIProvider({
      baseUrl: 'http://127.0.0.1:9/v1',
      apiKey: 'sk-test',
      cache: {},
    });
    const report = await provider.health({ timeoutMs: 10_000 });
    expect(report.reachable).toBe(false);
    expect(report.breaker).toEqual({ state: provider.breaker?.state });
    expect(report.rateLimit).toEqual(provider.rateLimiter?.stats());
    expect(report.cache).toEqual(provider.cache?.stats());
    expect(report.pool?.origins).toEqual(provider.pool?.stats().origins);
    expect(report.pool).toBeDefined();
    expect(report.rateLimit?.queued).toBe(0);
    expect(report.cache?.hits).toBe(0);
  });
});
