import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { chat, send } from './__fixtures__/client';
import { fakeClock, simPerTest } from './__fixtures__/sim-per-test';
import { sseEvents } from './__fixtures__/sse';
import type { OllamaSimOptions } from './options';
import { startOllamaSim } from './sim';

const start = simPerTest();

const fake = fakeClock;
const PATH = '/v1/chat/completions';
const auth = (key: string) => ({ authorization: `Bearer ${key}` });
const limits = (headers: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(headers).filter(
      ([k]) => k.startsWith('x-ratelimit-') || k.startsWith('retry-after'),
    ),
  );
const usageOf = (text: string) =>
  (JSON.parse(text) as { usage: { total_tokens: number; prompt_tokens: number } }).usage;

describe('startOllamaSim({ quota })', () => {
  it('puts the real remaining quota and its reset on every /v1 answer, on fake time', async () => {
    fake();
    const s = await start({ quota: { requests: 3, tokens: 1000, windowMs: 60_000 } });
    const first = await send(s.url, PATH, { body: chat(), headers: auth('sk-one') });
    expect(first.status).toBe(200);
    const used = usageOf(first.text).total_tokens;
    expect(limits(first.headers)).toEqual({
      'x-ratelimit-limit-requests': '3',
      'x-ratelimit-remaining-requests': '2',
      'x-ratelimit-reset-requests': '1m0s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': String(1000 - used),
      'x-ratelimit-reset-tokens': '1m0s',
    });
    await vi.advanceTimersByTimeAsync(20_250);
    const embed = await send(s.url, '/v1/embeddings', {
      body: { model: 'nomic-embed-text', input: 'hello' },
      headers: auth('sk-one'),
    });
    expect(limits(embed.headers)).toMatchObject({
      'x-ratelimit-remaining-requests': '1',
      'x-ratelimit-reset-requests': '39.75s',
      'x-ratelimit-remaining-tokens': String(1000 - used - usageOf(embed.text).prompt_tokens),
    });
  });

  it('charges a stream before its first byte, so its headers already count its usage', async () => {
    const s = await start({ quota: { tokens: 10_000 } });
    const res = await send(s.url, PATH, {
      body: chat({ stream: true, stream_options: { include_usage: true } }),
    });
    const usage = sseEvents(res.text).at(-1)!.usage as { total_tokens: number };
    expect(res.headers['x-ratelimit-remaining-tokens']).toBe(String(10_000 - usage.total_tokens));
    expect(res.headers['x-ratelimit-limit-requests']).toBeUndefined();
  });

  it('answers 429 rate_limit_exceeded with retry-after over the request quota, until the window resets', async () => {
    fake();
    const s = await start({ quota: { requests: 2, windowMs: 10_000 } });
    for (let i = 0; i < 2; i++)
      expect((await send(s.url, PATH, { body: chat(), headers: auth('sk-a') })).status).toBe(200);
    await vi.advanceTimersByTimeAsync(2_500);
    const over = await send(s.url, PATH, { body: chat(), headers: auth('sk-a') });
    expect(over.status).toBe(429);
    expect(limits(over.headers)).toEqual({
      'x-ratelimit-limit-requests': '2',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '7.5s',
      'retry-after': '8',
      'retry-after-ms': '7500',
    });
    expect(JSON.parse(over.text)).toEqual({
      error: {
        message:
          'Rate limit reached for llama3.2 in organization org-ollama-sim on requests per 10s: ' +
          'Limit 2, Used 2, Requested 1. Please try again in 7.5s. ' +
          'Visit https://platform.openai.com/account/rate-limits to learn more.',
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    });
    await vi.advanceTimersByTimeAsync(7_499);
    expect((await send(s.url, PATH, { body: chat(), headers: auth('sk-a') })).status).toBe(429);
    await vi.advanceTimersByTimeAsync(1);
    const next = await send(s.url, PATH, { body: chat(), headers: auth('sk-a') });
    expect(next.status).toBe(200);
    expect(limits(next.headers)).toMatchObject({
      'x-ratelimit-remaining-requests': '1',
      'x-ratelimit-reset-requests': '10s',
    });
  });

  it('answers 429 of type tokens once the tokens of the window are used up', async () => {
    fake();
    const s = await start({ quota: { tokens: 40, windowMs: 60_000 } });
    const first = await send(s.url, PATH, { body: chat() });
    const used = usageOf(first.text).total_tokens;
    expect(used).toBeLessThan(40);
    expect(first.headers['x-ratelimit-remaining-tokens']).toBe(String(40 - used));
    // Tokens left: admitted, and it may overdraw (the header never goes below 0).
    const second = await send(s.url, PATH, { body: chat() });
    expect(second.status).toBe(200);
    expect(second.headers['x-ratelimit-remaining-tokens']).toBe('0');
    const over = await send(s.url, PATH, { body: chat() });
    expect(over.status).toBe(429);
    expect(JSON.parse(over.text).error).toMatchObject({
      type: 'tokens',
      code: 'rate_limit_exceeded',
    });
    expect(over.headers['retry-after-ms']).toBe('60000');
  });

  it('keeps one quota per API key and one for requests without a key, reported by hash only', async () => {
    const s = await start({ quota: { requests: 1 } });
    const statusOf = async (headers: Record<string, string>) =>
      (await send(s.url, PATH, { body: chat(), headers })).status;
    expect(await statusOf(auth('sk-secret-alpha'))).toBe(200);
    expect(await statusOf(auth('sk-secret-alpha'))).toBe(429);
    expect(await statusOf(auth('sk-secret-beta'))).toBe(200);
    expect(await statusOf({})).toBe(200);
    expect(await statusOf({ authorization: 'Basic abc' })).toBe(429);
    const id = (key: string) =>
      `key_${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
    expect(s.stats().quota).toEqual({
      [id('sk-secret-alpha')]: { admitted: 1, rejected: 1 },
      [id('sk-secret-beta')]: { admitted: 1, rejected: 0 },
      anonymous: { admitted: 1, rejected: 1 },
    });
    const seen = JSON.stringify([s.stats(), s.requests]);
    for (const secret of ['sk-secret-alpha', 'sk-secret-beta', 'c2stc2VjcmV0', 'secret-alpha'])
      expect(seen).not.toContain(secret);
  });

  it('meters only /v1: native routes, and a simulator without quota, send no rate-limit headers', async () => {
    const s = await start({ quota: { requests: 1 } });
    for (let i = 0; i < 3; i++) {
      const native = await send(s.url, '/api/chat', { body: chat({ stream: false }) });
      expect(native.status).toBe(200);
      expect(limits(native.headers)).toEqual({});
    }
    await s.close();
    const plain = await start({});
    const res = await send(plain.url, PATH, { body: chat() });
    expect(limits(res.headers)).toEqual({});
    expect(plain.stats().quota).toEqual({});
  });

  it('counts requests that end in an error against the quota, as a hosted API does', async () => {
    const s = await start({ quota: { requests: 1 } });
    expect((await send(s.url, PATH, { body: chat({ model: 'nope' }) })).status).toBe(404);
    expect((await send(s.url, PATH, { body: chat() })).status).toBe(429);
  });

  const invalid: [string, unknown, ErrorConstructor, string][] = [
    [
      'an empty quota',
      {},
      TypeError,
      'Expected `quota` to be an object with `requests` or `tokens`',
    ],
    ['requests of 0', { requests: 0 }, RangeError, 'Expected `quota.requests` to be an integer'],
    [
      'a window of 0',
      { requests: 1, windowMs: 0 },
      RangeError,
      'Expected `quota.windowMs` to be a duration > 0 ms',
    ],
    [
      'a misspelt key',
      { request: 1 },
      TypeError,
      'Unknown option `quota.request`: did you mean `quota.requests`?',
    ],
  ];
  for (const [name, quota, type, message] of invalid) {
    it(`rejects ${name} before listening`, async () => {
      const started = startOllamaSim({ quota: quota as OllamaSimOptions['quota'] });
      await expect(started).rejects.toThrow(type);
      await expect(started).rejects.toThrow(message);
    });
  }
});
