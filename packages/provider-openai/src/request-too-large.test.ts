import { describe, expect, it, vi } from 'vitest';
import { completion, errorBody, json } from './__fixtures__/server';
import { ask, chats, setup } from './__fixtures__/setup';
import { isRateLimitedError, RateLimitedError } from './errors';

const TOO_LARGE =
  'Request too large for gpt-4o in organization org-abc123 on tokens per min (TPM): Limit 30000, Requested 36278. The input or output tokens must be reduced in order to run successfully.';

/** OpenAI's 429 for a request over the tier's tokens a minute, with a `retry-after` of 3 s. */
const tooLarge = json(429, errorBody(TOO_LARGE, 'tokens', 'rate_limit_exceeded'), {
  'retry-after-ms': '3000',
  'retry-after': '3',
});

/** Lets real I/O flow (the clock is fake and stands still meanwhile). */
async function flush(turns = 30): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

describe('RateLimitedError for a request too large for the tier', () => {
  it('is sent once, not retryable, flagged requestTooLarge, and says how to fix it', async () => {
    const { server, provider } = await setup({ '/chat/completions': tooLarge });
    const error = await provider.complete(ask()).catch((e: unknown) => e);
    expect(isRateLimitedError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'X_PROVIDER_OPENAI_RATE_LIMITED',
      statusCode: 429,
      retryable: false,
      requestTooLarge: true,
      quotaExhausted: false,
      errorCode: 'rate_limit_exceeded',
    });
    expect((error as Error).message).toContain(
      `/chat/completions answered 429 (request too large): ${TOO_LARGE} No retry can succeed: reduce the input or \`maxTokens\` (the output tokens asked for count too), or raise the tier's tokens-per-minute limit.`,
    );
    expect(chats(server)).toHaveLength(1);
  });

  it('pauses no other caller and leaves the breaker closed', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { server, provider } = await setup(
      {
        '/chat/completions': [
          tooLarge,
          tooLarge,
          tooLarge,
          json(200, completion({ content: 'ok' })),
        ],
      },
      { breaker: { failureThreshold: 2 } },
    );
    for (let i = 0; i < 3; i++) {
      await expect(provider.complete(ask(`big ${i}`))).rejects.toMatchObject({
        requestTooLarge: true,
      });
    }
    // No clock moves: a pause of the limiter (3 s) would hold this call until it did.
    const next = provider.complete(ask('small'));
    await flush();
    await expect(next).resolves.toMatchObject({ content: 'ok' });
    expect(chats(server)).toHaveLength(4);
    expect(provider.serverLimits()?.pausedUntil).toBeUndefined();
    expect(provider.breaker?.state).toBe('closed');
  });

  it('still pauses every caller for a 429 of the pace', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { provider } = await setup(
      {
        '/chat/completions': json(
          429,
          errorBody('Rate limit reached', 'requests', 'rate_limit_exceeded'),
          {
            'retry-after-ms': '3000',
          },
        ),
      },
      { retry: false },
    );
    await expect(provider.complete(ask())).rejects.toMatchObject({
      retryable: true,
      requestTooLarge: false,
    });
    expect(provider.serverLimits()?.pausedUntil).toEqual(expect.any(Number));
  });

  it('tells the flag from the message, whatever the code, never for an exhausted quota', () => {
    const init = { endpoint: '/embeddings', label: 'Groq', serverMessage: TOO_LARGE };
    expect(new RateLimitedError(init)).toMatchObject({ requestTooLarge: true, retryable: false });
    expect(new RateLimitedError({ ...init, errorCode: 'insufficient_quota' })).toMatchObject({
      requestTooLarge: false,
      quotaExhausted: true,
      retryable: false,
    });
    expect(
      new RateLimitedError({ ...init, serverMessage: 'Rate limit reached for requests' }),
    ).toMatchObject({ requestTooLarge: false, retryable: true });
  });
});
