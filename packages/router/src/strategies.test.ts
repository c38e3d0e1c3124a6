import { createRandom as seeded } from '@x/internal';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiError, type FakeProvider, fakeProvider, HI } from './__fixtures__/fake-provider';
import type { StrategyName } from './options';
import { createRouter, type Router } from './router';

function build(
  strategy: StrategyName,
  specs: { id: string; weight?: number; delayMs?: number }[],
  extra: {
    latency?: { smoothing?: number; exploration?: number };
    seed?: number;
    cooldown?: false;
  } = {},
) {
  const providers = new Map<string, FakeProvider>();
  const router = createRouter({
    strategy,
    random: seeded(extra.seed ?? 42),
    ...(extra.latency !== undefined ? { latency: extra.latency } : {}),
    ...(extra.cooldown !== undefined ? { cooldown: extra.cooldown } : {}),
    deployments: specs.map((s) => {
      const provider = fakeProvider(s.id, { delayMs: s.delayMs ?? 0 });
      providers.set(s.id, provider);
      return { id: s.id, group: 'chat', provider, model: 'm', weight: s.weight };
    }),
  });
  return { router, providers };
}

async function served(router: Router, n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const { route } = await router.complete({ model: 'chat', messages: HI });
    counts[route.deployment] = (counts[route.deployment] ?? 0) + 1;
  }
  return counts;
}

describe("strategy 'weighted-random'", () => {
  it('splits calls in proportion to the weights (within 2 points over 10 000 calls)', async () => {
    const { router } = build('weighted-random', [
      { id: 'a', weight: 1 },
      { id: 'b', weight: 3 },
      { id: 'c', weight: 6 },
    ]);
    const counts = await served(router, 10_000);
    expect(Math.abs(counts.a! / 10_000 - 0.1)).toBeLessThan(0.02);
    expect(Math.abs(counts.b! / 10_000 - 0.3)).toBeLessThan(0.02);
    expect(Math.abs(counts.c! / 10_000 - 0.6)).toBeLessThan(0.02);
  });

  // `u^(1/weight)` underflowed to 0 for such weights: two equal weights of 0.0001 split 93/7.
  it.each([1e-3, 1e-4, 1e-12])(
    'splits calls in proportion to weights as small as %s (within 2 points over 10 000 calls)',
    async (w) => {
      const { router } = build('weighted-random', [
        { id: 'a', weight: w },
        { id: 'b', weight: w },
        { id: 'c', weight: 2 * w },
      ]);
      const counts = await served(router, 10_000);
      expect(Math.abs(counts.a! / 10_000 - 0.25)).toBeLessThan(0.02);
      expect(Math.abs(counts.b! / 10_000 - 0.25)).toBeLessThan(0.02);
      expect(Math.abs(counts.c! / 10_000 - 0.5)).toBeLessThan(0.02);
    },
  );

  it('draws the same deployments in the same order under the same seed', async () => {
    const order = async () => {
      const { router } = build('weighted-random', [{ id: 'a' }, { id: 'b' }, { id: 'c' }], {
        seed: 7,
      });
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) {
        ids.push((await router.complete({ model: 'chat', messages: HI })).route.deployment);
      }
      return ids;
    };
    const first = await order();
    expect(await order()).toEqual(first);
    expect(new Set(first).size).toBe(3);
  });
});

describe("strategy 'least-in-flight'", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends each call to the deployment with the fewest calls in flight', async () => {
    const { router, providers } = build('least-in-flight', [
      { id: 'a', delayMs: 1_000 },
      { id: 'b', delayMs: 1_000 },
      { id: 'c', delayMs: 1_000 },
    ]);
    const calls = Array.from({ length: 9 }, () => router.complete({ model: 'chat', messages: HI }));
    await vi.advanceTimersByTimeAsync(0);
    expect([...providers.values()].map((p) => p.inFlight)).toEqual([3, 3, 3]);
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all(calls);
  });

  it('fills the idle deployment first when the others are busy', async () => {
    const { router, providers } = build('least-in-flight', [
      { id: 'slow', delayMs: 10_000 },
      { id: 'fast', delayMs: 10 },
    ]);
    const long = [0, 1].map(() => router.complete({ model: 'chat', messages: HI }));
    await vi.advanceTimersByTimeAsync(0);
    expect(providers.get('slow')!.inFlight + providers.get('fast')!.inFlight).toBe(2);
    // While both hold one call, `fast` frees up first and takes the next calls.
    await vi.advanceTimersByTimeAsync(10);
    const next = router.complete({ model: 'chat', messages: HI });
    await vi.advanceTimersByTimeAsync(10);
    expect((await next).route.deployment).toBe('fast');
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all(long);
  });
});

describe("strategy 'lowest-latency'", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  async function timed(router: Router, n: number): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const call = router.complete({ model: 'chat', messages: HI });
      await vi.advanceTimersByTimeAsync(100);
      const { route } = await call;
      counts[route.deployment] = (counts[route.deployment] ?? 0) + 1;
    }
    return counts;
  }

  it('measures every deployment once, then sends most calls to the fastest (exploration 5%)', async () => {
    const { router } = build('lowest-latency', [
      { id: 'slow', delayMs: 80 },
      { id: 'fast', delayMs: 10 },
      { id: 'medium', delayMs: 40 },
    ]);
    const counts = await timed(router, 1_000);
    expect(counts.fast! / 1_000).toBeGreaterThan(0.93);
    // Exploration keeps measuring the others (about 5% of calls, spread by weight).
    expect(counts.slow! + counts.medium!).toBeGreaterThanOrEqual(20);
    expect(router.stats().deployments.fast!.latencyMs.complete).toBe(10);
    expect(router.stats().deployments.slow!.latencyMs.complete).toBe(80);
  });

  it('moves to a deployment that became faster, found by exploration', async () => {
    const { router, providers } = build(
      'lowest-latency',
      [
        { id: 'a', delayMs: 10 },
        { id: 'b', delayMs: 50 },
      ],
      { latency: { exploration: 0.1, smoothing: 0.5 } },
    );
    await timed(router, 100);
    providers.get('a')!.delayMs = 90;
    providers.get('b')!.delayMs = 5;
    const counts = await timed(router, 300);
    expect(counts.b! / 300).toBeGreaterThan(0.8);
  });

  it('never explores with exploration: 0', async () => {
    const { router } = build(
      'lowest-latency',
      [
        { id: 'a', delayMs: 10 },
        { id: 'b', delayMs: 50 },
      ],
      { latency: { exploration: 0 } },
    );
    const counts = await timed(router, 200);
    // One call measures `b`, then every call goes to `a`.
    expect(counts).toEqual({ a: 199, b: 1 });
  });

  it('tries a deployment that only fails first on few calls when cooldowns are off', async () => {
    const { router, providers } = build(
      'lowest-latency',
      [{ id: 'dead' }, { id: 'live', delayMs: 10 }],
      { cooldown: false },
    );
    const dead = providers.get('dead')!;
    dead.fallback = apiError(503);
    const counts = await timed(router, 200);
    expect(counts).toEqual({ live: 200 });
    // Its first try, then about one in forty calls (exploration 5%, drawn by weight): its
    // failures rank it behind the one that answers.
    expect(dead.requests.length).toBeGreaterThanOrEqual(1);
    expect(dead.requests.length).toBeLessThan(20);
  });

  it('tries a deployment that failed first again once its penalty has faded', async () => {
    const { router, providers } = build(
      'lowest-latency',
      [{ id: 'flaky' }, { id: 'steady', delayMs: 10 }],
      { latency: { exploration: 0 } },
    );
    const flaky = providers.get('flaky')!;
    flaky.script = [apiError(503)];
    await timed(router, 100);
    // Its one failure, then 10 s of calls all to `steady`.
    expect(flaky.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(await timed(router, 1)).toEqual({ flaky: 1 });
    expect(router.stats().deployments.flaky!.latencyMs.complete).toBe(0);
  });
});

describe("strategy 'most-quota-left'", () => {
  it('sends calls to the deployment whose server said the most quota is left', async () => {
    const { router, providers } = build('most-quota-left', [{ id: 'a' }, { id: 'b' }]);
    providers.get('a')!.serverLimits = () => ({
      limitRequests: 100,
      remainingRequests: 10,
      resetRequestsAt: Date.now() + 60_000,
    });
    providers.get('b')!.serverLimits = () => ({
      limitRequests: 100,
      remainingRequests: 60,
      limitTokens: 1000,
      remainingTokens: 500,
      resetRequestsAt: Date.now() + 60_000,
    });
    expect(await served(router, 50)).toEqual({ b: 50 });
    expect(router.stats().deployments.a!.quotaLeft).toBe(0.1);
    expect(router.stats().deployments.b!.quotaLeft).toBe(0.5);
    // A pause after a 429 is no quota at all.
    providers.get('b')!.serverLimits = () => ({ pausedUntil: Date.now() + 1_000 });
    expect(await served(router, 10)).toEqual({ a: 10 });
  });

  it("follows each provider's rate limiter: the one it has drawn on more goes last", async () => {
    const { router, providers } = build('most-quota-left', [{ id: 'a' }, { id: 'b' }]);
    const limiter = (admitted: () => number, queued = () => 0) => ({
      limits: [{ name: 'requests', ratePerSecond: 0.001, capacity: 100 }],
      stats: () => ({ admitted: admitted(), queued: queued() }),
    });
    let usedA = 0;
    const usedB = 0;
    providers.get('a')!.rateLimiter = limiter(() => usedA);
    providers.get('b')!.rateLimiter = limiter(() => usedB);
    await served(router, 1);
    usedA += 30; // someone else used a's quota
    const counts = await served(router, 20);
    expect(counts).toEqual({ b: 20 });
    // A limiter with callers queued has nothing left.
    const { router: second, providers: p2 } = build('most-quota-left', [{ id: 'a' }, { id: 'b' }]);
    p2.get('a')!.rateLimiter = limiter(
      () => 0,
      () => 3,
    );
    p2.get('b')!.rateLimiter = limiter(() => usedB);
    expect(await served(second, 10)).toEqual({ b: 10 });
  });

  it('balances by weight while the quotas are equal', async () => {
    const { router } = build('most-quota-left', [{ id: 'a' }, { id: 'b' }]);
    const counts = await served(router, 2_000);
    expect(Math.abs(counts.a! / 2_000 - 0.5)).toBeLessThan(0.04);
  });
});
