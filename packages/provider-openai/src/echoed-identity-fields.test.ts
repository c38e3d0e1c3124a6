// A hostile server (or a proxy echoing headers) answering the request's key as the answer's
// `id`, `system_fingerprint`, `service_tier`, a tool call's `id` and `name` and a spoken answer's
// audio `id`: the answer, its
// chunks, the events and the cache get none of it, and a cache shared with a provider holding
// another key hands that provider none of it either.
import { expectNoSecret, type Handler, watchOutputs } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { chunk, completion, DONE, MODEL, usage } from './__fixtures__/server';
import { setup, track } from './__fixtures__/setup';
import { createOpenAIProvider, type OpenAIProvider } from './provider';
import type { ChatRequest } from './types';

const KEY_A = 'sk-proj-AAAAaaaa1111bbbbCCCC2222';
const KEY_B = 'sk-proj-BBBBzzzz9999yyyyXXXX8888';

const ask: ChatRequest = {
  model: MODEL,
  messages: [{ role: 'user', content: 'weather?' }],
  tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object' } } }],
  temperature: 0,
};

/** Answers with the request's key in every identity field and in the tool call's id and name. */
const echoing: Handler = (req, res, received) => {
  const key = String(req.headers.authorization).slice('Bearer '.length);
  const identity = { id: key, system_fingerprint: key, service_tier: key };
  const call = { id: key, type: 'function', function: { name: key, arguments: '{"city":"Oslo"}' } };
  if (received.json?.stream !== true) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(completion({ tool_calls: [call] }, identity, 'tool_calls')));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(
    [
      chunk({ role: 'assistant', content: '' }, null, identity),
      chunk({ tool_calls: [{ index: 0, ...call }] }, null, identity),
      chunk({}, 'tool_calls', identity),
      chunk({}, null, { ...identity, choices: [], usage: usage() }),
      DONE,
    ].join(''),
  );
};

/** Every chunk of a stream, and its answer. */
async function streamed(provider: OpenAIProvider) {
  const chunks: unknown[] = [];
  for await (const piece of provider.stream(ask)) chunks.push(piece);
  return chunks;
}

describe('a server echoing the key into the answer identity and tool call fields', () => {
  it.each([
    ['buffered', async (p: OpenAIProvider) => [await p.complete(ask)]],
    ['streamed', streamed],
  ])('%s: the answer, its chunks and the events carry none of it', async (_, call) => {
    const { provider } = await setup({ '/chat/completions': echoing }, { apiKey: KEY_A });
    const outputs = watchOutputs(provider, 'provider-openai');
    const seen = await call(provider);
    outputs.stop();
    const answer = seen.at(-1) as Record<string, unknown>;
    const response = (answer.response ?? answer) as Record<string, unknown>;
    expect(response).toMatchObject({
      id: '[redacted]',
      systemFingerprint: '[redacted]',
      serviceTier: '[redacted]',
      toolCalls: [{ id: '[redacted]', name: '[redacted]', arguments: { city: 'Oslo' } }],
    });
    expectNoSecret(JSON.stringify([seen, outputs.seen, provider.stats()]), KEY_A);
  });

  it('scrubs a key a key callback handed out', async () => {
    const keys: string[] = [];
    const getApiKey = () => {
      const key = `sk-proj-callback-${keys.length}-Zq7Xv9Lm3Pw8`;
      keys.push(key);
      return key;
    };
    const { provider } = await setup({ '/chat/completions': echoing }, { getApiKey });
    const seen = [await provider.complete(ask), ...(await streamed(provider))];
    expect(keys).toHaveLength(2);
    for (const key of keys) expectNoSecret(JSON.stringify(seen), key);
  });

  // `aggressive`: the default strategy caches no request that offers tools
  it.each([
    ['buffered', async (p: OpenAIProvider) => [await p.complete(ask)]],
    ['streamed', streamed],
  ])('%s: a cache shared with another key hands that key none of it', async (_, call) => {
    const { server, provider: a } = await setup(
      { '/chat/completions': echoing },
      { apiKey: KEY_A, cache: { maxEntries: 10, strategy: 'aggressive' } },
    );
    const b = track(createOpenAIProvider({ baseUrl: server.url, apiKey: KEY_B, cache: a.cache! }));
    const first = await call(a);
    const replayed = await call(b);
    expect(server.requests).toHaveLength(1);
    const last = replayed.at(-1) as Record<string, unknown>;
    expect((last.response ?? last) as object).toMatchObject({ cached: true, id: '[redacted]' });
    expectNoSecret(JSON.stringify(replayed), KEY_A);
    expectNoSecret(JSON.stringify(first), KEY_A);
  });
});

/** Speaks its answer, with the request's key as the audio's id (whole, or in every audio piece). */
const speaking: Handler = (req, res, received) => {
  const key = String(req.headers.authorization).slice('Bearer '.length);
  const audio = { id: key, data: 'UklGRg==', transcript: 'Sunny.', expires_at: 1_900_000_000 };
  if (received.json?.stream !== true) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(completion({ content: null, audio })));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(
    [
      chunk({ role: 'assistant', audio: { id: key, data: 'UklG', transcript: 'Sun' } }),
      chunk({ audio: { id: key, data: 'Rg==', transcript: 'ny.' } }),
      chunk({ audio: { id: key, expires_at: 1_900_000_000 } }, 'stop'),
      chunk({}, null, { choices: [], usage: usage() }),
      DONE,
    ].join(''),
  );
};

describe('a server echoing the key into the audio id', () => {
  const speak: ChatRequest = { ...ask, tools: undefined };
  it.each([
    ['buffered', async (p: OpenAIProvider) => [await p.complete(speak)]],
    [
      'streamed',
      async (p: OpenAIProvider) => {
        const chunks: unknown[] = [];
        for await (const piece of p.stream(speak)) chunks.push(piece);
        return chunks;
      },
    ],
  ])(
    '%s: the answer, its chunks, the events and a shared cache carry none of it',
    async (_, call) => {
      const { server, provider: a } = await setup(
        { '/chat/completions': speaking },
        { apiKey: KEY_A, cache: { maxEntries: 10, strategy: 'aggressive' } },
      );
      const b = track(
        createOpenAIProvider({ baseUrl: server.url, apiKey: KEY_B, cache: a.cache! }),
      );
      const outputs = watchOutputs(a, 'provider-openai');
      const seen = await call(a);
      outputs.stop();
      const replayed = await call(b);
      expect(server.requests).toHaveLength(1);
      for (const [answers, cached] of [
        [seen, false],
        [replayed, true],
      ] as const) {
        const last = answers.at(-1) as Record<string, unknown>;
        const response = (last.response ?? last) as Record<string, unknown>;
        expect(response).toMatchObject({
          cached,
          audio: { id: '[redacted]', data: 'UklGRg==', transcript: 'Sunny.' },
          message: { audio: { id: '[redacted]' } },
        });
      }
      expectNoSecret(JSON.stringify([seen, replayed, outputs.seen, a.stats()]), KEY_A);
    },
  );
});
