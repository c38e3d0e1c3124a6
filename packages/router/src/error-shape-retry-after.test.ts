import { chatResponse } from '@x/provider-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiError, HI } from './__fixtures__/fake-provider';
import type { RouterError } from './errors';
import { createRouter } from './router';

/**
 * The `Retry-After` of a 429 or 503 of a provider not built on @x/provider-core: read on the error
 * and along its cause chain (a user's wrapper of an SDK's error), `retry-after-ms` first as
 * `openai`'s client reads it, bounded: a value no server means is left out.
 */

/** What `openai`'s client rejects with on an error status: `status` and a `Headers`. */
class APIError extends Error {
  constructor(
    readonly status: number,
    readonly headers: Headers,
  ) {
    super(`${status} status code (no body)`);
    this.name = 'APIError';
  }
}

const ask = { model: 'chat', messages: HI } as const;
const answering = {
  complete: async (r: { model: string }) => chatResponse({ content: 'ok', model: r.model }),
};

/** The cooldowns one failed call to `a` (`b` answering) starts, and what `a`'s stats say. */
async function cooldownsAfter(error: unknown, maxRetryAfterMs?: number) {
  const router = createRouter({
    deployments: [
      {
        id: 'a',
        group: 'chat',
        provider: { complete: async () => Promise.reject(error) },
        model: 'm',
      },
      { id: 'b', group: 'chat', provider: answering, model: 'm', priority: 1 },
    ],
    cooldown: { failures: 3, windowMs: 10_000, durationMs: 5_000, maxRetryAfterMs },
  });
  const cooldowns: Array<{ deployment: string; reason: string; durationMs: number }> = [];
  router.onCooldown((e) => cooldowns.push(e));
  expect((await router.complete(ask)).route).toMatchObject({
    deployment: 'b',
    attempts: [{ deployment: 'a' }],
  });
  const { cooldownRemainingMs: remaining, status } = router.stats().deployments.a!;
  await router.close();
  return { cooldowns, remaining, status };
}

function retryAfterCooldown(durationMs: number) {
  return [expect.objectContaining({ deployment: 'a', reason: 'retry-after', durationMs })];
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

describe('a Retry-After in the cause chain of another provider error', () => {
  it.each([
    [
      'a plain record on a wrapped 429',
      () => new Error('chat failed', { cause: { status: 429, headers: { 'retry-after': '7' } } }),
      7_000,
    ],
    [
      "a fetch Response's Headers two causes deep (a 503)",
      () =>
        new Error('chat failed', {
          cause: new Error('upstream', {
            cause: { status: 503, headers: new Headers({ 'retry-after': '3' }) },
          }),
        }),
      3_000,
    ],
    [
      "axios' response.headers on a wrapped error",
      () =>
        new Error('chat failed', {
          cause: { response: { status: 429, headers: { 'retry-after': '9' } } },
        }),
      9_000,
    ],
    [
      'an openai-shaped 429 wrapped by the caller',
      () =>
        new Error('chat failed', {
          cause: new APIError(429, new Headers({ 'retry-after': '11' })),
        }),
      11_000,
    ],
  ])('cools the deployment for it, from %s', async (_, make, ms) => {
    const { cooldowns, remaining } = await cooldownsAfter(make());
    expect(cooldowns).toEqual(retryAfterCooldown(ms));
    expect(remaining).toBe(ms);
  });

  it('caps a huge one at maxRetryAfterMs', async () => {
    const error = new Error('chat failed', {
      cause: { status: 429, headers: { 'retry-after': '999999999' } },
    });
    const { cooldowns } = await cooldownsAfter(error, 30_000);
    expect(cooldowns).toEqual(retryAfterCooldown(30_000));
  });

  it('reads an HTTP date', async () => {
    const error = new Error('chat failed', {
      cause: { status: 429, headers: { 'retry-after': 'Thu, 01 Jan 2026 00:00:20 GMT' } },
    });
    const { cooldowns } = await cooldownsAfter(error);
    expect(cooldowns).toEqual(retryAfterCooldown(20_000));
  });

  it('gives RouterError.retryAfterMs with cooldown: false', async () => {
    const error = new Error('chat failed', {
      cause: { status: 429, headers: new Headers({ 'retry-after': '6' }) },
    });
    expect(await failureWithoutCooldown(error)).toMatchObject({ retryAfterMs: 6_000 });
  });
});

describe('the retryAfterMs of a provider error the caller wrapped', () => {
  it.each([
    ['a 429', () => apiError(429, { retryAfterMs: 7_000 }), 7_000],
    ['a busy 503', () => apiError(503, { kind: 'server-busy', retryAfterMs: 4_000 }), 4_000],
  ])('cools the deployment for it, as for the provider error alone: %s', async (_, make, ms) => {
    for (const error of [
      make(),
      new Error('chat failed', { cause: make() }),
      new Error('chat failed', { cause: new Error('upstream', { cause: make() }) }),
    ]) {
      const { cooldowns, remaining } = await cooldownsAfter(error);
      expect(cooldowns).toEqual(retryAfterCooldown(ms));
      expect(remaining).toBe(ms);
    }
  });

  it('gives RouterError.retryAfterMs with cooldown: false', async () => {
    const error = new Error('chat failed', { cause: apiError(429, { retryAfterMs: 8_000 }) });
    expect(await failureWithoutCooldown(error)).toMatchObject({ retryAfterMs: 8_000 });
  });

  it('starts no Retry-After cooldown for a wrapped 400 (no retry of it is asked for)', async () => {
    const error = new Error('chat failed', {
      cause: apiError(400, { retryable: false, retryAfterMs: 5_000 }),
    });
    const router = createRouter({
      deployments: [
        {
          id: 'a',
          group: 'chat',
          provider: { complete: async () => Promise.reject(error) },
          model: 'm',
        },
      ],
    });
    const cooldowns: unknown[] = [];
    router.onCooldown((e) => cooldowns.push(e));
    await router.complete(ask).catch(() => undefined);
    expect(cooldowns).toEqual([]);
    await router.close();
  });
});

describe('retry-after-ms of another provider error', () => {
  it.each([
    ['before retry-after', { 'retry-after-ms': '1500', 'retry-after': '2' }, 1_500],
    ['alone', { 'retry-after-ms': '2500' }, 2_500],
    ['with a fraction', { 'retry-after-ms': '2500.5' }, 2_500.5],
    [
      'of 0, leaving the word to retry-after (as openai)',
      { 'retry-after-ms': '0', 'retry-after': '4' },
      4_000,
    ],
    [
      'not a number, leaving the word to retry-after',
      { 'retry-after-ms': 'soon', 'retry-after': '4' },
      4_000,
    ],
  ])('cools the deployment for it, read %s', async (_, headers, ms) => {
    const { cooldowns } = await cooldownsAfter(new APIError(429, new Headers(headers)));
    expect(cooldowns).toEqual(retryAfterCooldown(ms));
  });

  it('is read in a wrapped error too', async () => {
    const error = new Error('chat failed', {
      cause: { status: 503, headers: { 'retry-after-ms': '1200' } },
    });
    const { cooldowns } = await cooldownsAfter(error);
    expect(cooldowns).toEqual(retryAfterCooldown(1_200));
  });
});

describe('header values no server means', () => {
  it.each([
    ['a negative retry-after-ms', { 'retry-after-ms': '-5000' }],
    ['an exponent in retry-after-ms', { 'retry-after-ms': '1e9' }],
    ['a negative retry-after', { 'retry-after': '-5' }],
    ['a retry-after that is no number nor date', { 'retry-after': 'later' }],
    ['a retry-after past 64 characters', { 'retry-after': `${' '.repeat(100)}7` }],
    ['a retry-after-ms past 64 characters', { 'retry-after-ms': `${'0'.repeat(100)}7` }],
  ])('start no Retry-After cooldown: %s', async (_, headers) => {
    const wrapped = new Error('chat failed', { cause: { status: 429, headers } });
    const { cooldowns, status } = await cooldownsAfter(wrapped);
    expect(cooldowns).toEqual([]);
    expect(status).toBe('healthy');
  });

  it('start no cooldown, and the call falls back, when headers.get() throws', async () => {
    const headers = {
      get() {
        throw new Error('hostile get');
      },
    };
    const { cooldowns } = await cooldownsAfter(
      Object.assign(new Error('busy'), { status: 429, headers }),
    );
    expect(cooldowns).toEqual([]);
  });
});

/** What a router without cooldowns ends a call with when its one deployment throws `error`. */
async function failureWithoutCooldown(error: unknown): Promise<RouterError> {
  const router = createRouter({
    deployments: [
      {
        id: 'a',
        group: 'chat',
        provider: { complete: async () => Promise.reject(error) },
        model: 'm',
      },
    ],
    cooldown: false,
  });
  const failure = (await router.complete(ask).catch((e: unknown) => e)) as RouterError;
  expect(failure).toMatchObject({ code: 'X_ROUTER_ALL_FAILED', retryable: true });
  await router.close();
  return failure;
}
