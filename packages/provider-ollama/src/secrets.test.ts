import diagnosticsChannel from 'node:diagnostics_channel';
import { errorTexts, expectNoSecret, watchOutputs } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { ask, chatChunk, chats, collect, fixtureSetup, loadFixture } from './__fixtures__/server';

const { setup } = fixtureSetup();

describe('secrets', () => {
  it('sends the API key as a Bearer token and never puts it in errors, events or stats', async () => {
    const key = 'sk-test-1234567890-secret';
    const { server, provider } = await setup(
      {
        '/api/chat': (req, res) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: `bad auth ${req.headers.authorization} for ${key}` }));
        },
      },
      { apiKey: key, retry: false, headers: { 'x-team': 'blue' } },
    );
    const events: unknown[] = [];
    provider.onError((e) => events.push(e));
    const onChannel = (message: unknown) => events.push(message);
    diagnosticsChannel.subscribe('x:provider-ollama:error', onChannel);
    try {
      const error = await provider.complete(ask()).catch((e) => e);
      expect(chats(server)[0]!.headers.authorization).toBe(`Bearer ${key}`);
      expect(chats(server)[0]!.headers['x-team']).toBe('blue');
      const everything = JSON.stringify([
        error.message,
        error.serverMessage,
        events,
        provider.stats(),
        provider.toPrometheus(),
      ]);
      expect(everything).not.toContain(key);
      expect(everything).toContain('[redacted]');
      expect(events).toHaveLength(2);
    } finally {
      diagnosticsChannel.unsubscribe('x:provider-ollama:error', onChannel);
    }
  });

  it('keeps the key out of every error, cause, event, statistic, metric, health report and cache key', async () => {
    const key = 'sk-live-Zq7Xv9Lm3Pw8Rt2Yb6Nc4Hd';
    // What the server sends back: the key without its Bearer prefix, in every place a server (or a
    // proxy in front of it) could echo it: JSON errors, a text body cut at 500 characters right in
    // the middle of the key, an error line mid-stream, a line that is not JSON.
    const echo = (req: { headers: { authorization?: string } }) =>
      String(req.headers.authorization).replace(/^Bearer /, '');
    const { provider } = await setup(
      {
        '/api/chat': [
          (req, res) => {
            res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' });
            res.end(JSON.stringify({ error: `unknown key ${echo(req)}` }));
          },
          (req, res) => {
            res.writeHead(503, { 'content-type': 'application/json; charset=utf-8' });
            res.end(JSON.stringify({ error: `busy, retry with ${echo(req)}` }));
          },
          (req, res) => {
            res.writeHead(401, { 'content-type': 'text/plain' });
            res.end(`${'x'.repeat(488)}${echo(req)} rejected by the proxy`);
          },
          (req, res) => {
            res.writeHead(200, { 'content-type': 'application/x-ndjson' });
            res.write(chatChunk('Hel'));
            res.end(`${JSON.stringify({ error: `key ${echo(req)} revoked` })}\n`);
          },
          (req, res) => {
            res.writeHead(200, { 'content-type': 'application/x-ndjson' });
            res.write(chatChunk('Hel'));
            res.end(`${echo(req)} oops\n`);
          },
          loadFixture('01-chat-nonstream.json'),
        ],
      },
      // Three of these answers are the server's failures: with the preset's threshold (3) the
      // breaker would open before the last, successful calls.
      {
        apiKey: key,
        retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1 },
        breaker: { failureThreshold: 10 },
      },
    );
    const outputs = watchOutputs(provider, 'provider-ollama');
    const errors: unknown[] = [];
    try {
      errors.push(await provider.complete(ask('a', { temperature: 0 })).catch((e) => e));
      errors.push(
        await provider.complete(ask('b', { temperature: 0, cache: 'bypass' })).catch((e) => e),
      );
      errors.push(await collect(provider.stream(ask('c', { cache: 'bypass' }))).catch((e) => e));
      errors.push(await collect(provider.stream(ask('d', { cache: 'bypass' }))).catch((e) => e));
      await provider.complete(ask('e', { temperature: 0 }));
      await provider.complete(ask('e', { temperature: 0 }));
    } finally {
      outputs.stop();
    }
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual([
      'X_PROVIDER_OLLAMA_API',
      'X_PROVIDER_OLLAMA_API',
      'X_PROVIDER_OLLAMA_STREAM',
      'X_PROVIDER_OLLAMA_STREAM',
    ]);
    const everything = [
      // The whole cause chain: messages, stacks, every own field, as JSON and as util.inspect sees it.
      ...errorTexts(errors),
      JSON.stringify(outputs.seen),
      JSON.stringify(provider.stats()),
      provider.toPrometheus(),
      JSON.stringify(await provider.health()),
      JSON.stringify(outputs.cacheKeys),
    ].join('\n');
    expect(outputs.cacheKeys.length).toBeGreaterThan(0);
    // Not the key, nor any 8-character piece of it.
    expectNoSecret(everything, key);
  });

  it('scrubs a key from getApiKey out of errors', async () => {
    const key = 'rotating-key-0123456789';
    const { provider } = await setup(
      {
        '/api/chat': (req, res) => {
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              error: `token ${String(req.headers.authorization).slice(7)} expired`,
            }),
          );
        },
      },
      { getApiKey: () => key, retry: false, tokens: false },
    );
    const error = await provider.complete(ask()).catch((e) => e);
    expect(error.statusCode).toBe(401);
    expect(JSON.stringify([error.message, error.serverMessage])).not.toContain(key);
  });

  it('scrubs the values of key headers that gateways name freely (apikey, api_key, x-secret)', async () => {
    const headers = {
      apikey: 'kong-key-0123456789',
      api_key: 'underscore-key-0123456789',
      'Ocp-Apim-Subscription-Key': 'azure-key-0123456789',
      'x-secret': 'plain-secret-0123456789',
    };
    const { provider } = await setup(
      {
        '/api/chat': (req, res) => {
          res.writeHead(403, { 'content-type': 'application/json' });
          const echoed = Object.keys(headers).map((name) => req.headers[name.toLowerCase()]);
          res.end(JSON.stringify({ error: `rejected ${echoed.join(' ')}` }));
        },
      },
      { headers, retry: false, tokens: false },
    );
    const error = await provider.complete(ask()).catch((e) => e);
    expect(error.statusCode).toBe(403);
    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toMatch(/0123456789/);
  });

  it('scrubs each request its own key when getApiKey hands out one per request', async () => {
    let n = 0;
    const waiting: Array<() => void> = [];
    const { provider } = await setup(
      {
        '/api/chat': (req, res) => {
          // Hold every answer until all calls are in, then echo each one its raw key.
          waiting.push(() => {
            res.writeHead(401, { 'content-type': 'application/json' });
            res.end(
              JSON.stringify({
                error: `key ${String(req.headers.authorization).slice(7)} expired`,
              }),
            );
          });
          if (waiting.length === 12) for (const answer of waiting) answer();
        },
      },
      {
        getApiKey: () => `per-request-key-${String(++n).padStart(4, '0')}`,
        retry: false,
        tokens: false,
      },
    );
    const errors = await Promise.all(
      Array.from({ length: 12 }, (_, i) => provider.complete(ask(`q${i}`)).catch((e) => e)),
    );
    expect(errors.map((e) => e.statusCode)).toEqual(Array(12).fill(401));
    expect(JSON.stringify(errors.map((e) => [e.message, e.serverMessage]))).not.toMatch(
      /per-request-key-\d/,
    );
  });

  it('asks getApiKey before each request', async () => {
    let n = 0;
    const { server, provider } = await setup(
      { '/api/chat': loadFixture('01-chat-nonstream.json') },
      { getApiKey: () => `key-${++n}` },
    );
    await provider.complete(ask());
    await provider.complete(ask());
    // Every request, the window lookups (/api/show, /api/ps) included, carried a key of its own.
    const keys = server.requests.map((r) => r.headers.authorization);
    expect(new Set(keys).size).toBe(server.requests.length);
    expect(keys.every((k) => /^Bearer key-\d+$/.test(k ?? ''))).toBe(true);
    expect(server.requests.map((r) => r.path).sort()).toEqual([
      '/api/chat',
      '/api/chat',
      '/api/ps',
      '/api/show',
    ]);
    expect(
      server.requests.filter((r) => r.path === '/api/chat').map((r) => r.headers.authorization),
    ).toEqual(['Bearer key-3', 'Bearer key-4']);
  });
});
