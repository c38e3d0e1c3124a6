import { randomBytes } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import { errorTexts, expectNoSecret, watchOutputs } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { chunk, completion, errorBody, json, sse, streamOf } from './__fixtures__/server';
import { ask, chats, collect, setup } from './__fixtures__/setup';

const key = 'sk-proj-Zq7Xv9Lm3Pw8Rt2Yb6Nc4Hd';

/** The key as the server saw it, without the Bearer prefix, or in a custom header. */
const echo = (req: { headers: Record<string, string | string[] | undefined> }) =>
  String(req.headers.authorization ?? req.headers['api-key']).replace(/^Bearer /, '');

describe('secrets', () => {
  it('keep the key out of every error, field, cause, event, statistic, metric and cache key, when the server echoes it', async () => {
    const { provider } = await setup(
      {
        '/chat/completions': [
          (req, res) =>
            json(
              400,
              errorBody(
                `Incorrect API key provided: ${echo(req)}`,
                `t-${echo(req)}`,
                `c-${echo(req)}`,
                `p-${echo(req)}`,
              ),
            )(req, res, undefined as never),
          (req, res) =>
            json(429, errorBody(`quota of ${echo(req)}`, 'requests', 'rate_limit_exceeded'), {
              'retry-after-ms': '1',
            })(req, res, undefined as never),
          (req, res) => {
            res.writeHead(401, { 'content-type': 'text/plain' });
            res.end(`${'x'.repeat(488)}${echo(req)} rejected by the proxy`);
          },
          (req, res) =>
            sse([
              chunk({ role: 'assistant', content: 'Hel' }),
              `data: ${JSON.stringify({ error: { message: `key ${echo(req)} revoked`, type: echo(req) } })}\n\n`,
            ])(req, res, undefined as never),
          (req, res) =>
            sse([chunk({ role: 'assistant', content: 'Hel' }), `data: ${echo(req)} oops\n\n`])(
              req,
              res,
              undefined as never,
            ),
          (req, res) =>
            json(200, completion({ content: 'fine' }), {
              'x-ratelimit-remaining-requests': '5',
              'x-ratelimit-reset-requests': '1s',
            })(req, res, undefined as never),
        ],
        '/models': (req, res) =>
          json(403, errorBody(`no access for ${echo(req)}`, 'invalid_request_error'))(
            req,
            res,
            undefined as never,
          ),
      },
      { apiKey: key, retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1 } },
    );
    const outputs = watchOutputs(provider, 'provider-openai');
    const errors: unknown[] = [];
    try {
      errors.push(await provider.complete(ask('a', { temperature: 0 })).catch((e) => e));
      errors.push(await provider.complete(ask('b', { temperature: 0 })).catch((e) => e));
      errors.push(await collect(provider.stream(ask('c', { cache: 'bypass' }))).catch((e) => e));
      errors.push(await collect(provider.stream(ask('d', { cache: 'bypass' }))).catch((e) => e));
      await provider.complete(ask('e', { temperature: 0 }));
      await provider.complete(ask('e', { temperature: 0 }));
      errors.push(await provider.listModels().catch((e) => e));
    } finally {
      outputs.stop();
    }
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual([
      'X_PROVIDER_OPENAI_API',
      'X_PROVIDER_OPENAI_API',
      'X_PROVIDER_OPENAI_STREAM',
      'X_PROVIDER_OPENAI_STREAM',
      'X_PROVIDER_OPENAI_API',
    ]);
    const everything = [
      ...errorTexts(errors),
      JSON.stringify(outputs.seen),
      JSON.stringify(provider.stats()),
      provider.toPrometheus(),
      JSON.stringify(await provider.health()),
      JSON.stringify(provider.serverLimits()),
      JSON.stringify(outputs.cacheKeys),
    ].join('\n');
    expect(outputs.cacheKeys.length).toBeGreaterThan(0);
    expectNoSecret(everything, key);
  }, 30_000);

  it('scrubs a key sent in a custom header (Azure-style api-key) and one from getApiKey', async () => {
    const rotating = 'rotating-key-0123456789abcdef';
    const { server, provider } = await setup(
      {
        '/chat/completions': (req, res) =>
          json(400, errorBody(`bad key ${echo(req)}`, 'invalid_request_error'))(
            req,
            res,
            undefined as never,
          ),
      },
      { apiKey: undefined, getApiKey: () => rotating, authHeader: 'api-key' },
    );
    const error = await provider.complete(ask()).catch((e: unknown) => e);
    expect(chats(server)[0]!.headers['api-key']).toBe(rotating);
    expect(chats(server)[0]!.headers.authorization).toBeUndefined();
    expectNoSecret(errorTexts([error]).join('\n'), rotating);
  });

  it('never shows a password written into baseUrl, nor a malformed key', async () => {
    const { createOpenAIProvider } = await import('./provider');
    const error = (() => {
      try {
        createOpenAIProvider({ baseUrl: 'https://user:pa/ss#w0rd-secret@proxy.example/v1' });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(RangeError);
    expect(error!.message).not.toContain('w0rd-secret');
    expect(() =>
      createOpenAIProvider({ baseUrl: 'http://127.0.0.1:1/v1', apiKey: 'sk-x\nInjected: 1' }),
    ).toThrow(/apiKey.*\[redacted\]/);
    // The type of a key of the wrong type is named, never its value.
    expect(() =>
      createOpenAIProvider({ baseUrl: 'http://127.0.0.1:1/v1', apiKey: 123456789 as never }),
    ).toThrow('got `[redacted]` (number)');
  });

  it('never shows a key pasted into the wrong option', async () => {
    const { createOpenAIProvider } = await import('./provider');
    const baseUrl = 'http://127.0.0.1:1/v1';
    const misplaced = [
      { getApiKey: key },
      { headers: `Bearer ${key}` },
      { headers: [key] },
      { authHeader: `Authorization: Bearer ${key}` },
      { organization: { key } },
      { transport: key },
      { logger: key },
      { contextWindows: { [key]: -1 } },
      { [key]: true },
    ];
    for (const options of misplaced) {
      let error: unknown;
      try {
        createOpenAIProvider({ baseUrl, ...options } as never);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(Object.keys(options))).toBeInstanceOf(Error);
      expectNoSecret(errorTexts([error]).join('\n'), key);
    }
  });

  it('keeps the key out of a stream that ends cleanly too', async () => {
    const { provider } = await setup({ '/chat/completions': sse(streamOf('ok')) }, { apiKey: key });
    const chunks = await collect(provider.stream(ask()));
    expect(JSON.stringify(chunks)).not.toContain(key.slice(0, 12));
  });

  it('scrubs the partial answer of a failed stream before the breaker publishes the error', async () => {
    const seen: string[] = [];
    const listener = (message: unknown) => seen.push(inspect(message, { depth: 10 }));
    diagnostics.subscribe('x:breaker:failure', listener);
    try {
      const { provider } = await setup(
        {
          '/chat/completions': (req, res) =>
            sse([chunk({ role: 'assistant', content: `echo ${echo(req)}` }), 'data: {broken\n\n'])(
              req,
              res,
              undefined as never,
            ),
        },
        { apiKey: key, retry: false },
      );
      const error = await provider.complete(ask()).catch((e: unknown) => e);
      expect(error).toMatchObject({
        name: 'OpenAIStreamError',
        partial: { content: 'echo [redacted]' },
      });
      expect(seen).toHaveLength(1);
      expect(seen[0]).toContain('[redacted]');
      expectNoSecret(seen[0]!, key);
    } finally {
      diagnostics.unsubscribe('x:breaker:failure', listener);
    }
  });

  it("scrubs each failed call's own key from its partial answer, however many keys a callback handed out since", async () => {
    const seen: string[] = [];
    const listener = (message: unknown) => seen.push(inspect(message, { depth: 10 }));
    diagnostics.subscribe('x:breaker:failure', listener);
    const calls = 12;
    // every call is answered once all have sent: by then each key was handed out, and more keys
    // than the provider remembers came after the first ones
    const waiting: (() => void)[] = [];
    // unrelated keys: no piece of one is a piece of another
    const keys = Array.from({ length: calls }, () => `sk-${randomBytes(18).toString('base64url')}`);
    let n = 0;
    try {
      const { provider } = await setup(
        {
          '/chat/completions': (req, res) => {
            waiting.push(() =>
              sse([
                chunk({ role: 'assistant', content: `echo ${echo(req)}` }),
                'data: {broken\n\n',
              ])(req, res, undefined as never),
            );
            if (waiting.length === calls) for (const answer of waiting) answer();
          },
        },
        {
          apiKey: undefined,
          getApiKey: () => keys[n++],
          retry: false,
          breaker: { failureThreshold: 100 },
        },
      );
      const errors = await Promise.all(
        Array.from({ length: calls }, () => provider.complete(ask()).catch((e: unknown) => e)),
      );
      expect(seen).toHaveLength(calls);
      for (const own of keys) {
        expectNoSecret(errorTexts(errors).join('\n'), own);
        expectNoSecret(seen.join('\n'), own);
      }
      expect(errors[0]).toMatchObject({ partial: { content: 'echo [redacted]' } });
    } finally {
      diagnostics.unsubscribe('x:breaker:failure', listener);
    }
  });

  it('refuses a model name that holds the key before sending, and keeps it out of stats and metrics', async () => {
    const { server, provider } = await setup(
      { '/chat/completions': sse(streamOf('ok')) },
      { apiKey: key },
    );
    const model = `gpt-4o ${key}`;
    const whole = await provider.complete({ ...ask(), model }).catch((e: unknown) => e);
    const streamed = await collect(provider.stream({ ...ask(), model })).catch((e: unknown) => e);
    for (const error of [whole, streamed]) {
      expect(error).toBeInstanceOf(RangeError);
      expect((error as Error).message).toMatch(/`request\.model` to be a model name/);
      expectNoSecret(inspect(error), key);
    }
    expect(server.requests).toHaveLength(0);
    expect(JSON.stringify(provider.stats())).not.toContain(key.slice(0, 12));
    expect(provider.toPrometheus()).not.toContain(key.slice(0, 12));
    // an ordinary model is not slowed by the check's memo, nor refused
    await expect(provider.complete(ask())).resolves.toMatchObject({ content: 'ok' });
  });
});
