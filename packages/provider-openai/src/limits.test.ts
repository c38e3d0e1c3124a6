import { isRateLimitTimeoutError } from '@x/rate-limit';
import { describe, expect, it, vi } from 'vitest';
import { openAIDuration, type QuotaLog, quotaHandler } from './__fixtures__/quota';
import { completion, errorBody, json } from './__fixtures__/server';
import { ask, chats, setup } from './__fixtures__/setup';
import { isLocalLimitError } from './errors';

const FAKE: Parameters<typeof vi.useFakeTimers>[0] = {
  toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'],
};

/** Lets real I/O flow (the clock is fake and stands still meanwhile). */
async function flush(turns = 30): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

/**
 * Lets real I/O flow until no request of `pool` is on the wire: on a busy machine a round trip
 * takes more than a few turns of the loop, and a request answered after the fake clock moved on
 * would reach the server's quota in a later window than it was sent in.
 */
async function settle(pool: { stats(): { totals: { running: number } } } | undefined) {
  await flush();
  for (let i = 0; i < 10_000 && pool !== undefined && pool.stats().totals.running > 0; i++) {
    await new Promise((r) => setImmediate(r));
  }
}

/** A successful answer stating the requests left and when they reset. */
const okWith = (remaining: number, reset: string) =>
  json(200, completion({ content: 'ok' }), {
    'x-ratelimit-limit-requests': '3',
    'x-ratelimit-remaining-requests': String(remaining),
    'x-ratelimit-reset-requests': reset,
  });

describe('limits learned from the server', () => {
  it('holds the next request until the reset when the server says none are left', async () => {
    vi.useFakeTimers(FAKE);
    const { server, provider } = await setup({
      '/chat/completions': [okWith(1, '2s'), okWith(0, '1.9s'), okWith(2, '1s')],
    });
    await provider.complete(ask('a'));
    await provider.complete(ask('b'));
    const third = provider.complete(ask('c'));
    await flush();
    // The second request spent the budget the first answer stated: paused until its reset, 2 s.
    await vi.advanceTimersByTimeAsync(1_900);
    await flush();
    expect(chats(server)).toHaveLength(2);
    expect(provider.serverLimits()).toMatchObject({
      limitRequests: 3,
      remainingRequests: 0,
      pausedUntil: expect.any(Number),
    });
    await vi.advanceTimersByTimeAsync(150);
    await flush();
    await expect(third).resolves.toMatchObject({ content: 'ok' });
    expect(chats(server)).toHaveLength(3);
  });

  it('pauses every call for the retry-after of a 429, not only the one retried', async () => {
    vi.useFakeTimers(FAKE);
    const { server, provider } = await setup(
      {
        '/chat/completions': [
          json(429, errorBody('Rate limit reached', 'requests', 'rate_limit_exceeded'), {
            'retry-after-ms': '3000',
          }),
          json(200, completion({ content: 'ok' })),
        ],
      },
      { retry: false },
    );
    await expect(provider.complete(ask('a'))).rejects.toMatchObject({ retryAfterMs: 3_000 });
    const next = provider.complete(ask('b'));
    await flush();
    await vi.advanceTimersByTimeAsync(2_900);
    await flush();
    expect(chats(server)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    await expect(next).resolves.toMatchObject({ content: 'ok' });
  });

  it('stops sending once the requests it sent spent the budget the server stated, before any 429', async () => {
    vi.useFakeTimers(FAKE);
    const { server, provider } = await setup({
      '/chat/completions': okWith(3, '10s'),
    });
    await provider.complete(ask('first'));
    // The server said 3 more; 5 calls at once: 3 leave, 2 wait for the reset.
    const calls = Array.from({ length: 5 }, (_, i) => provider.complete(ask(`n${i}`)));
    await flush();
    await vi.advanceTimersByTimeAsync(1_000);
    await flush();
    expect(chats(server)).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(9_100);
    await flush();
    await Promise.all(calls);
    expect(chats(server)).toHaveLength(6);
  });

  it('admits a client far above the quota at the quota pace, with no 429 after the first window', async () => {
    vi.useFakeTimers(FAKE);
    const log: QuotaLog = { answers: [] };
    const windowMs = 1_000;
    const { provider } = await setup(
      { '/chat/completions': quotaHandler(5, windowMs, log) },
      // Twenty times the quota, and ten callers at once: far above it.
      { rateLimit: { requestsPerSecond: 100 }, cache: false },
    );
    const start = Date.now();
    const end = start + 10 * windowMs;
    let stop = false;
    const worker = async () => {
      while (!stop) await provider.complete(ask('go')).catch(() => {});
    };
    const workers = Array.from({ length: 10 }, worker);
    while (Date.now() < end) {
      await vi.advanceTimersByTimeAsync(5);
      await settle(provider.pool);
    }
    stop = true;
    await vi.advanceTimersByTimeAsync(5 * windowMs);
    await flush();
    await Promise.all(workers);
    const firstWindowEnd = (Math.floor(start / windowMs) + 1) * windowMs;
    const later = log.answers.filter((a) => a.at >= firstWindowEnd && a.at < end);
    const refused = later.filter((a) => a.status === 429).length;
    expect(refused / later.length).toBeLessThan(0.01);
    // The pace: the quota is used (5 per window), never exceeded.
    const ok = later.filter((a) => a.status === 200).length;
    expect(ok).toBeGreaterThanOrEqual(8 * 5);
    expect(provider.breaker?.state).toBe('closed');
  });

  it('does not adjust the limiter with learnLimits: false', async () => {
    vi.useFakeTimers(FAKE);
    const { server, provider } = await setup(
      { '/chat/completions': okWith(0, '30s') },
      { learnLimits: false },
    );
    await provider.complete(ask('a'));
    await provider.complete(ask('b'));
    expect(chats(server)).toHaveLength(2);
    expect(provider.serverLimits()).toBeUndefined();
  });

  it('cuts an absurd reset to five minutes, and fails calls at once that would wait longer than the limiter allows', async () => {
    vi.useFakeTimers(FAKE);
    const { server, provider } = await setup({
      '/chat/completions': okWith(0, '999999999s'),
    });
    await provider.complete(ask('a'));
    await flush();
    const limits = provider.serverLimits()!;
    expect(limits.pausedUntil! - Date.now()).toBeLessThanOrEqual(5 * 60_000);
    expect(limits.pausedUntil! - Date.now()).toBeGreaterThan(4 * 60_000);
    const error = await provider.complete(ask('b')).catch((e: unknown) => e);
    // One predicate for every failure: the limiter's refusal arrives as the provider's typed error.
    expect(isLocalLimitError(error)).toBe(true);
    expect(isRateLimitTimeoutError((error as Error).cause)).toBe(true);
    expect(chats(server)).toHaveLength(1);
  });

  it('drains the tokens limit to the tokens the server has left', async () => {
    const { provider } = await setup(
      {
        '/chat/completions': json(200, completion({ content: 'ok' }), {
          'x-ratelimit-limit-tokens': '10000',
          'x-ratelimit-remaining-tokens': '100',
          'x-ratelimit-reset-tokens': openAIDuration(6_000),
        }),
      },
      { rateLimit: { tokensPerMinute: 10_000 } },
    );
    await provider.complete(ask('a'));
    await vi.waitFor(async () => {
      const key = provider.preset;
      expect(await provider.rateLimiter!.waitTimeMs(key, { tokens: 1_000 })).toBeGreaterThan(0);
    });
    expect(provider.serverLimits()).toMatchObject({ limitTokens: 10_000, remainingTokens: 100 });
  });

  it("learns Mistral's per-minute counts: none left holds the next request", async () => {
    vi.useFakeTimers(FAKE);
    const mistral = (remaining: number) =>
      json(200, completion({ content: 'ok' }), {
        'x-ratelimit-limit-req-minute': '2',
        'x-ratelimit-remaining-req-minute': String(remaining),
        'x-ratelimit-limit-tokens-minute': '500000',
        'x-ratelimit-remaining-tokens-minute': '499000',
      });
    const { server, provider } = await setup({ '/chat/completions': [mistral(0), mistral(1)] });
    await provider.complete(ask('a'));
    const second = provider.complete(ask('b'));
    await flush();
    // no reset stated: held for the provider's default pause (1 s), not sent at once
    expect(chats(server)).toHaveLength(1);
    expect(provider.serverLimits()).toMatchObject({
      limitRequests: 2,
      remainingRequests: 0,
      limitTokens: 500_000,
      remainingTokens: 499_000,
    });
    await vi.advanceTimersByTimeAsync(1_050);
    await flush();
    await expect(second).resolves.toMatchObject({ content: 'ok' });
    expect(chats(server)).toHaveLength(2);
  });
});
