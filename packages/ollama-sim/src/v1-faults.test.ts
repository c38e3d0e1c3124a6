import { afterEach, describe, expect, it, vi } from 'vitest';
import { chat, open, send, settlesSoon } from './__fixtures__/client';
import { deltas, sseData, sseEvents } from './__fixtures__/sse';
import type { FaultRule } from './faults';
import { type OllamaSim, startOllamaSim } from './sim';

let sim: OllamaSim | undefined;
async function start(faults: FaultRule[] = []): Promise<OllamaSim> {
  sim = await startOllamaSim({ faults, responseTokens: { min: 6, max: 6 } });
  return sim;
}
afterEach(async () => {
  vi.useRealTimers();
  await sim?.close();
  sim = undefined;
});

const PATH = '/v1/chat/completions';
const apiError = (message: string, type = 'api_error') => ({
  error: { message, type, param: null, code: null },
});

describe('faults on /v1', () => {
  it('answers a status fault in OpenAI error shape with the status text Ollama would write', async () => {
    const s = await start([
      {
        route: PATH,
        sequence: [
          { kind: 'status', status: 503 },
          { kind: 'status', status: 500, error: 'boom' },
        ],
      },
    ]);
    const busy = await send(s.url, PATH, { body: chat() });
    expect(busy.status).toBe(503);
    expect(busy.headers['content-type']).toBe('application/json');
    expect(JSON.parse(busy.text)).toEqual(
      apiError('server busy, please try again.  maximum pending requests exceeded'),
    );
    const boom = await send(s.url, PATH, { body: chat({ stream: true }) });
    expect([boom.status, JSON.parse(boom.text)]).toEqual([500, apiError('boom')]);
    expect(s.stats().faults).toEqual({ status: 2 });
  });

  it("writes Ollama's bytes for an error mid-stream: an empty chunk, then the end, without the error", async () => {
    const s = await start([
      { route: PATH, fault: { kind: 'error-line', afterChunks: 2, error: 'runner died' } },
    ]);
    const res = await send(s.url, PATH, { body: chat({ stream: true }) });
    expect(res.status).toBe(200);
    const data = sseData(res.text);
    expect(data).toHaveLength(3);
    const [first, , broken] = sseEvents(res.text);
    // The writer decodes the native error line as an answer with nothing in it.
    expect(broken).toEqual({
      id: first!.id,
      object: 'chat.completion.chunk',
      created: first!.created,
      model: '',
      system_fingerprint: 'fp_ollama',
      choices: [{ index: 0, delta: { content: '' }, finish_reason: null }],
    });
    expect(res.text).not.toContain('runner died');
    expect(data).not.toContain('[DONE]');
    expect(s.requests.at(-1)!.outcome).toBe('cut');
  });

  it('writes the same for /v1/completions, with the zeroed usage of include_usage', async () => {
    const s = await start([
      { route: '/v1/completions', fault: { kind: 'error-line', afterChunks: 1, error: 'gone' } },
    ]);
    const res = await send(s.url, '/v1/completions', {
      body: {
        model: 'qwen2.5:7b',
        prompt: 'Why?',
        stream: true,
        stream_options: { include_usage: true },
      },
    });
    const events = sseEvents(res.text);
    expect(events).toHaveLength(2);
    expect(events[1]).toEqual({
      id: events[0]!.id,
      object: 'text_completion',
      created: expect.any(Number),
      choices: [{ text: '', index: 0, finish_reason: null }],
      model: '',
      system_fingerprint: 'fp_ollama',
      usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    });
    expect(sseData(res.text)).not.toContain('[DONE]');
  });

  it("writes an OpenAI error event mid-stream only when the fault opts in with style 'openai'", async () => {
    const s = await start([
      {
        route: [PATH, '/api/chat'],
        fault: { kind: 'error-line', afterChunks: 2, error: 'runner died', style: 'openai' },
      },
    ]);
    const res = await send(s.url, PATH, { body: chat({ stream: true }) });
    expect(res.status).toBe(200);
    const data = sseData(res.text);
    expect(data).toHaveLength(3);
    expect(JSON.parse(data[2]!)).toEqual(apiError('runner died'));
    expect(deltas(res.text.slice(0, res.text.lastIndexOf('data: ')))).toHaveLength(2);
    expect(data).not.toContain('[DONE]');
    // Native routes always get Ollama's error line.
    const native = await send(s.url, '/api/chat', { body: chat() });
    expect(native.text.endsWith('{"error":"runner died"}\n')).toBe(true);
  });

  it('answers 500 in OpenAI shape when the error comes before the first event or the answer is buffered', async () => {
    const s = await start([{ route: PATH, fault: { kind: 'error-line', afterChunks: 0 } }]);
    const early = await send(s.url, PATH, { body: chat({ stream: true }) });
    expect(early.status).toBe(500);
    expect(early.headers['content-type']).toBe('application/json');
    const text = 'an error was encountered while running the model: unexpected EOF';
    expect(JSON.parse(early.text)).toEqual(apiError(text));
    const buffered = await send(s.url, PATH, { body: chat() });
    expect([buffered.status, JSON.parse(buffered.text)]).toEqual([500, apiError(text)]);
  });

  it('ends the stream cleanly without its finish chunk and [DONE] for end-without-done', async () => {
    const s = await start([{ route: PATH, fault: { kind: 'end-without-done' } }]);
    const res = await send(s.url, PATH, { body: chat({ stream: true }) });
    expect(res.error).toBeUndefined();
    const events = sseEvents(res.text);
    expect(events).toHaveLength(6);
    expect(sseData(res.text)).not.toContain('[DONE]');
    expect(
      events.every((e) => (e.choices as { finish_reason: unknown }[])[0]!.finish_reason === null),
    ).toBe(true);
  });

  it('breaks the connection after the given events for destroy', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    // The stall lets the client read the events before the connection breaks.
    const s = await start([
      {
        route: PATH,
        fault: [
          { kind: 'stall', ms: 100, afterChunks: 3 },
          { kind: 'destroy', afterChunks: 3 },
        ],
      },
    ]);
    const stream = await open(s.url, PATH, chat({ stream: true }));
    const rest = stream.rest();
    await vi.advanceTimersByTimeAsync(100);
    const { chunks, error } = await rest;
    expect(error).toMatchObject({ code: 'UND_ERR_SOCKET' });
    expect(deltas(Buffer.concat(chunks).toString())).toHaveLength(3);
  });

  it('holds an event back for a stall, on fake time', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const s = await start([{ route: PATH, fault: { kind: 'stall', ms: 10_000, afterChunks: 1 } }]);
    const stream = await open(s.url, PATH, chat({ stream: true }));
    const first = (await stream.next())!.toString();
    expect(first).toMatch(/^data: \{.*"role":"assistant"/);
    const next = stream.next();
    expect(await settlesSoon(next)).toBe(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect((await next)!.toString()).toMatch(/^data: /);
    await stream.rest();
  });

  it('applies faults to /v1/embeddings and /v1/models too', async () => {
    const s = await start([
      { route: ['/v1/embeddings', '/v1/models'], fault: { kind: 'status', status: 502 } },
    ]);
    const embed = await send(s.url, '/v1/embeddings', {
      body: { model: 'nomic-embed-text', input: 'x' },
    });
    expect([embed.status, JSON.parse(embed.text)]).toEqual([502, apiError('bad gateway')]);
    const models = await send(s.url, '/v1/models');
    expect(models.status).toBe(502);
  });
});

describe('fault: rate-limit', () => {
  it('answers 429 with exhausted request headers, retry-after and rate_limit_exceeded by default', async () => {
    const s = await start([{ route: PATH, fault: { kind: 'rate-limit' } }]);
    const res = await send(s.url, PATH, { body: chat() });
    expect(res.status).toBe(429);
    expect(res.headers).toMatchObject({
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '1s',
      'x-ratelimit-limit-tokens': '150000',
      'x-ratelimit-remaining-tokens': '150000',
      'x-ratelimit-reset-tokens': '0s',
      'retry-after': '1',
      'retry-after-ms': '1000',
    });
    const body = JSON.parse(res.text) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({
      type: 'requests',
      param: null,
      code: 'rate_limit_exceeded',
    });
    expect(body.error.message).toBe(
      'Rate limit reached for llama3.2 in organization org-ollama-sim on requests per min (RPM): ' +
        'Limit 60, Used 60, Requested 1. Please try again in 1s. ' +
        'Visit https://platform.openai.com/account/rate-limits to learn more.',
    );
    expect(s.stats().faults).toEqual({ 'rate-limit': 1 });
  });

  it('reports an exhausted token limit with its reset written as a Go duration', async () => {
    const s = await start([
      {
        route: PATH,
        fault: { kind: 'rate-limit', limit: 'tokens', retryAfterMs: 6_500, limitTokens: 30_000 },
      },
    ]);
    const res = await send(s.url, PATH, { body: chat() });
    expect(res.headers).toMatchObject({
      'x-ratelimit-remaining-requests': '60',
      'x-ratelimit-limit-tokens': '30000',
      'x-ratelimit-remaining-tokens': '0',
      'x-ratelimit-reset-tokens': '6.5s',
      'retry-after': '7',
      'retry-after-ms': '6500',
    });
    expect(JSON.parse(res.text).error).toMatchObject({
      type: 'tokens',
      code: 'rate_limit_exceeded',
    });
  });

  it('says insufficient_quota in type and code when the credit is gone', async () => {
    const s = await start([
      { route: PATH, fault: { kind: 'rate-limit', code: 'insufficient_quota' } },
    ]);
    const res = await send(s.url, PATH, { body: chat() });
    expect(res.status).toBe(429);
    expect(JSON.parse(res.text).error).toEqual({
      message: expect.stringMatching(/^You exceeded your current quota/),
      type: 'insufficient_quota',
      param: null,
      code: 'insufficient_quota',
    });
  });

  it('answers {"error"} with the same headers on a native route, and the fault\'s own message', async () => {
    const s = await start([
      {
        route: '/api/chat',
        fault: { kind: 'rate-limit', message: 'slow down', retryAfterMs: 250 },
      },
    ]);
    const res = await send(s.url, '/api/chat', { body: chat() });
    expect(res.status).toBe(429);
    expect(res.text).toBe('{"error":"slow down"}');
    expect(res.headers).toMatchObject({ 'retry-after': '1', 'retry-after-ms': '250' });
    expect(res.headers['x-ratelimit-reset-requests']).toBe('250ms');
  });

  it('rejects a malformed rate-limit fault naming the field', async () => {
    const s = await start();
    expect(() =>
      s.setFaults([{ fault: { kind: 'rate-limit', code: 'nope' as 'insufficient_quota' } }]),
    ).toThrow(
      new RangeError(
        "Expected `faults[0].fault.code` to be one of 'rate_limit_exceeded', 'insufficient_quota', got `\"nope\"` (string)",
      ),
    );
    expect(() => s.setFaults([{ fault: { kind: 'rate-limit', retryAfterMs: -1 } }])).toThrow(
      RangeError,
    );
    expect(() => s.setFaults([{ fault: { kind: 'rate-limit', limitRequests: 0 } }])).toThrow(
      RangeError,
    );
    expect(() =>
      s.setFaults([
        { fault: { kind: 'rate-limit', retryAfter: 1 } as unknown as FaultRule['fault'] & object },
      ]),
    ).toThrow(
      /Unknown option `faults\[0\].fault.retryAfter`: did you mean `faults\[0\].fault.retryAfterMs`\?/,
    );
  });
});
