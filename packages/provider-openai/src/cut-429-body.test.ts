// A 429 whose body never arrives whole (the connection reset after part of it, or the body late
// past its deadline): its headers alone still pause every caller, as a 429 read whole does, and
// the call ends with the cut's typed error.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { completion, json } from './__fixtures__/server';
import { ask, chats, setup } from './__fixtures__/setup';
import { isOpenAIConnectionError, isOpenAITimeoutError } from './errors';

const PACE = '{"error":{"message":"Rate limit reached for gpt-4o-mini in organization org-abc on';
const TOO_LARGE = '{"error":{"message":"Request too large for gpt-4o in organization org-abc on';

/**
 * A 429 with `headers` and a Content-Length over what it sends: `text`, then (`reset`) a
 * destroyed socket, or nothing more, the connection left open.
 */
function cut429(headers: Record<string, string>, text = PACE, reset = true) {
  return (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(429, {
      'content-type': 'application/json',
      'content-length': '1000',
      ...headers,
    });
    res.write(text);
    if (reset) setTimeout(() => res.socket?.destroy(), 20);
  };
}

const ok = json(200, completion({ content: 'ok' }));

describe('a 429 whose body is cut', () => {
  it('pauses the limiter by its Retry-After and ends the call with the typed connection error', async () => {
    const { server, provider } = await setup(
      { '/chat/completions': [cut429({ 'retry-after': '2' }), ok] },
      { retry: false },
    );
    const error = await provider.complete(ask()).catch((e: unknown) => e);
    expect(isOpenAIConnectionError(error)).toBe(true);
    expect(error).toMatchObject({ retryable: true });
    // Every other caller now waits the server's 2 s.
    expect(provider.rateLimiter?.pausedFor('openai')).toBeGreaterThan(1_500);
    expect(provider.serverLimits()?.pausedUntil).toBeGreaterThan(Date.now() + 1_500);
    const started = performance.now();
    await expect(provider.complete(ask('next'))).resolves.toMatchObject({ content: 'ok' });
    expect(performance.now() - started).toBeGreaterThan(1_500);
    expect(chats(server)).toHaveLength(2);
  }, 10_000);

  it('holds the retry of the cut call itself until the pause ends (retry-after-ms)', async () => {
    const { server, provider } = await setup({
      '/chat/completions': [cut429({ 'retry-after-ms': '600' }), ok],
    });
    const started = performance.now();
    await expect(provider.complete(ask())).resolves.toMatchObject({ content: 'ok', attempts: 2 });
    expect(performance.now() - started).toBeGreaterThan(500);
    expect(chats(server)).toHaveLength(2);
  }, 10_000);

  it('pauses it too when the body stalls past idleMs, the call ending with the typed timeout', async () => {
    const { provider } = await setup(
      { '/chat/completions': cut429({ 'retry-after': '3' }, PACE, false) },
      { retry: false, timeouts: { idleMs: 200 } },
    );
    const error = await provider.complete(ask()).catch((e: unknown) => e);
    expect(isOpenAITimeoutError(error)).toBe(true);
    expect(provider.rateLimiter?.pausedFor('openai')).toBeGreaterThan(2_000);
  }, 10_000);

  it('pauses no one when what arrived says the request is too large for the tier', async () => {
    const { provider } = await setup(
      { '/chat/completions': cut429({ 'retry-after': '3' }, TOO_LARGE) },
      { retry: false },
    );
    const error = await provider.complete(ask()).catch((e: unknown) => e);
    expect(isOpenAIConnectionError(error)).toBe(true);
    expect(provider.rateLimiter?.pausedFor('openai')).toBe(0);
    expect(provider.serverLimits()?.pausedUntil).toBeUndefined();
  }, 10_000);
});
