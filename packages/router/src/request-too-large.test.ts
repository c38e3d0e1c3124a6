import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiError, HI } from './__fixtures__/fake-provider';
import { primaryAndBackup } from './__fixtures__/routers';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A 429 refusing one request as over the deployment's tokens per minute, with a Retry-After. */
const tooLarge = () =>
  Object.assign(apiError(429, { retryable: false, retryAfterMs: 20_000 }), {
    requestTooLarge: true,
  });

describe('a 429 "Request too large" (requestTooLarge)', () => {
  it('moves the call on, without a cooldown or a failure against the deployment', async () => {
    const { a, router } = primaryAndBackup({
      cooldown: { failures: 1, durationMs: 5_000, maxRetryAfterMs: 60_000 },
    });
    const cooldowns: unknown[] = [];
    router.onCooldown((e) => cooldowns.push(e));
    a.script = [tooLarge()];
    const answer = await router.complete({ model: 'chat', messages: HI });
    expect(answer.route.deployment).toBe('b');
    expect(cooldowns).toEqual([]);
    // a failed attempt there, but none in a row towards a cooldown (failures: 1 would take it out)
    expect(router.stats().deployments.a).toMatchObject({ status: 'healthy' });
    // the next request, of ordinary size, goes to the primary at once
    expect((await router.complete({ model: 'chat', messages: HI })).route.deployment).toBe('a');
  });

  it('still takes a deployment out for an ordinary 429 with the same Retry-After', async () => {
    const { a, router } = primaryAndBackup({
      cooldown: { failures: 3, durationMs: 5_000, maxRetryAfterMs: 60_000 },
    });
    a.script = [apiError(429, { retryAfterMs: 20_000 })];
    await router.complete({ model: 'chat', messages: HI });
    expect(router.stats().deployments.a!.status).toBe('cooling');
  });
});
