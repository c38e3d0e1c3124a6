import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HI } from './__fixtures__/fake-provider';
import { linkedState, primaryAndBackup } from './__fixtures__/routers';

/**
 * What a shared state may tell a router (`StateLink`), whatever store it is built on: a state of
 * another program, or a key another program wrote, must not keep a deployment out for longer
 * than the router would itself, nor send it straight to its probe. Fake timers.
 */
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function routerWithLink() {
  const { state, link } = linkedState();
  const built = primaryAndBackup({
    cooldown: { durationMs: 1_000, maxRetryAfterMs: 5_000 },
    state,
  });
  return { ...built, link };
}

describe('StateLink.cooldown', () => {
  it.each([
    ['Infinity', Number.POSITIVE_INFINITY],
    ['1e12 ms', 1e12],
  ])('caps a shared cooldown of %s at the longest the router decides itself', async (_n, ms) => {
    const { router, link } = routerWithLink();
    link().cooldown('a', ms, 'retry-after');
    expect(router.stats().deployments.a).toMatchObject({
      status: 'cooling',
      cooldownRemainingMs: 5_000,
    });
    await vi.advanceTimersByTimeAsync(5_000);
    expect((await router.complete({ model: 'chat', messages: HI })).route.deployment).toBe('a');
  });

  it.each([
    ['NaN', Number.NaN],
    ['0', 0],
    ['-5', -5],
  ])('ignores a shared cooldown of %s ms', async (_n, ms) => {
    const { router, link } = routerWithLink();
    link().cooldown('a', ms, 'failures');
    expect(router.stats().deployments.a!.status).toBe('healthy');
    expect(router.stats().cooldowns.shared).toBe(0);
  });
});
