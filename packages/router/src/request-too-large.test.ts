import { RateLimitedError } from '@x/provider-openai';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiError, HI } from './__fixtures__/fake-provider';
import { primaryAndBackup } from './__fixtures__/routers';
import type { Router } from './router';

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

/** OpenAI's own, as `@x/provider-openai` raises it (`requestTooLarge: true`, not retryable). */
const openAITooLarge = () =>
  new RateLimitedError({
    endpoint: '/chat/completions',
    label: 'OpenAI',
    serverMessage:
      'Request too large for gpt-4o in organization org-abc on tokens per min (TPM): Limit 30000, Requested 45000.',
    retryAfterMs: 20_000,
  });

/** The ways a provider error reaches the router: as is, or wrapped by the user's code. */
const arrivals: [string, () => Error][] = [
  ['as is', tooLarge],
  ["as @x/provider-openai's RateLimitedError", openAITooLarge],
  ["wrapped (an Error's cause)", () => new Error('chat failed', { cause: tooLarge() })],
  [
    'wrapped twice',
    () => new Error('outer', { cause: new Error('chat failed', { cause: openAITooLarge() }) }),
  ],
  ["in an AggregateError's errors", () => new AggregateError([tooLarge()], 'every try failed')],
];

const ask = (router: Router) => router.complete({ model: 'chat', messages: HI });

describe('a 429 "Request too large", as is or wrapped: one rule', () => {
  it.each(arrivals)(
    'moves the call on without a cooldown or a failure in a row when it comes %s',
    async (_, make) => {
      const { a, router } = primaryAndBackup({
        cooldown: { failures: 1, durationMs: 5_000, maxRetryAfterMs: 60_000 },
      });
      const cooldowns: unknown[] = [];
      router.onCooldown((e) => cooldowns.push(e));
      a.script = [make()];
      expect((await ask(router)).route.deployment).toBe('b');
      expect(cooldowns).toEqual([]);
      expect(router.stats().deployments.a).toMatchObject({ status: 'healthy', cooldowns: 0 });
      expect((await ask(router)).route.deployment).toBe('a');
    },
  );

  it.each(arrivals)(
    'leaves a probe without a verdict (no new cooldown) when it meets one %s',
    async (_, make) => {
      const { a, router } = primaryAndBackup({
        cooldown: { failures: 1, durationMs: 5_000, maxRetryAfterMs: 60_000 },
      });
      a.script = [apiError(503)];
      await ask(router);
      expect(router.stats().deployments.a).toMatchObject({ status: 'cooling', cooldowns: 1 });
      await vi.advanceTimersByTimeAsync(5_000);
      const reasons: string[] = [];
      router.onCooldown((e) => reasons.push(e.reason));
      a.script = [make()];
      // the probe: refused as too large, the call moves on
      expect((await ask(router)).route.deployment).toBe('b');
      expect(reasons).toEqual([]);
      expect(router.stats().deployments.a).toMatchObject({ status: 'probe-due', cooldowns: 1 });
      // the next call probes it, and its answer brings it back
      expect((await ask(router)).route.deployment).toBe('a');
      expect(router.stats().deployments.a!.status).toBe('healthy');
    },
  );

  it('still counts a wrapped provider error that is not too large, whatever its own cause', async () => {
    const { a, router } = primaryAndBackup({
      cooldown: { failures: 1, durationMs: 5_000, maxRetryAfterMs: 60_000 },
    });
    // the first provider error of the chain decides (a failure whose own cause was too large,
    // as a nested router's RouterError whose last attempt was: every deployment failed there)
    const busy = Object.assign(apiError(503), { cause: tooLarge() });
    a.script = [new Error('chat failed', { cause: busy })];
    expect((await ask(router)).route.deployment).toBe('b');
    expect(router.stats().deployments.a).toMatchObject({ status: 'cooling', cooldowns: 1 });
  });
});
