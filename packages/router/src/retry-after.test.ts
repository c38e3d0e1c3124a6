import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiError, HI } from './__fixtures__/fake-provider';
import { linkedState, primaryAndBackup } from './__fixtures__/routers';
import type { RouterError } from './errors';

/**
 * `RouterError.retryAfterMs` when no deployment could answer at once: the soonest time one of
 * them could answer again, whatever kept each away. Fake timers.
 */
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const fail = (router: ReturnType<typeof primaryAndBackup>['router']) =>
  router.complete({ model: 'chat', messages: HI }).catch((e: unknown) => e) as Promise<RouterError>;

describe('RouterError.retryAfterMs', () => {
  it("is the time left of another instance's probe claim for a deployment it probes", async () => {
    // Every probe claim is found held elsewhere, for durationMs (4 s).
    const { state, link } = linkedState({ probesClaimed: true });
    const { a, router } = primaryAndBackup({
      cooldown: { failures: 1, durationMs: 4_000 },
      state,
    });
    a.script = [apiError(503)];
    await router.complete({ model: 'chat', messages: HI });
    link().cooldown('b', 20_000, 'failures');
    await vi.advanceTimersByTimeAsync(4_000);
    const error = await fail(router);
    expect(error.attempts.map((x) => x.skipped)).toEqual(['probing', 'cooldown']);
    expect(error).toMatchObject({ retryable: true, retryAfterMs: 4_000 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await fail(router)).toMatchObject({ retryAfterMs: 3_000 });
  });

  it('is the time its open breaker has left, when the breaker says', async () => {
    const { state, link } = linkedState();
    const { a, router } = primaryAndBackup({ state });
    a.breaker = { state: 'open', stats: () => ({ retryAfterMs: 2_500 }) };
    link().cooldown('b', 8_000, 'failures');
    const error = await fail(router);
    expect(error.attempts.map((x) => x.skipped)).toEqual(['breaker-open', 'cooldown']);
    expect(error).toMatchObject({ retryable: true, retryAfterMs: 2_500 });
  });

  it.each([
    ['has no stats()', { state: 'open' }],
    ['cannot tell (isolated by hand)', { state: 'open', stats: () => ({ retryAfterMs: null }) }],
  ])('leaves out a deployment whose open breaker %s', async (_name, breaker) => {
    const { state, link } = linkedState();
    const { a, router } = primaryAndBackup({ state });
    a.breaker = breaker;
    link().cooldown('b', 8_000, 'failures');
    expect(await fail(router)).toMatchObject({ retryable: true, retryAfterMs: 8_000 });
  });

  it('leaves out a deployment whose probe is in flight here', async () => {
    const { state, link } = linkedState();
    const { a, router } = primaryAndBackup({ cooldown: { failures: 1, durationMs: 1_000 }, state });
    a.script = [apiError(503)];
    await router.complete({ model: 'chat', messages: HI });
    await vi.advanceTimersByTimeAsync(1_000);
    a.delayMs = 10_000;
    const probe = router.complete({ model: 'chat', messages: HI });
    await vi.advanceTimersByTimeAsync(0);
    link().cooldown('b', 8_000, 'failures');
    const error = await fail(router);
    expect(error.attempts.map((x) => x.skipped)).toEqual(['probing', 'cooldown']);
    expect(error).toMatchObject({ retryable: true, retryAfterMs: 8_000 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect((await probe).route.deployment).toBe('a');
  });
});
