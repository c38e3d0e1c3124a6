// A hostile server (or a proxy echoing headers) answering the request's key in what it words
// besides the model's text: a citation's URL, title, snippet and dates (OpenAI's `url_citation`
// annotations, Perplexity's `citations` and `search_results`), a moderation's model and category
// names, and the `/models` list's ids and owners. The answer, its chunks and the model list carry none of it, and a cache shared with a
// provider holding another key hands that provider none of it either.
import { expectNoSecret, type Handler } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { chunk, completion, DONE, MODEL, usage } from './__fixtures__/server';
import { setup, track } from './__fixtures__/setup';
import { createOpenAIProvider, type OpenAIProvider } from './provider';
import type { ChatRequest } from './types';

const KEY_A = 'sk-proj-AAAAaaaa1111bbbbCCCC2222';
const KEY_B = 'sk-proj-BBBBzzzz9999yyyyXXXX8888';

const ask: ChatRequest = {
  model: MODEL,
  messages: [{ role: 'user', content: 'Who wrote the manual?' }],
  temperature: 0,
};

const keyOf = (req: { headers: Record<string, unknown> }) =>
  String(req.headers.authorization).slice('Bearer '.length);

/** The request's key in every text of a citation, in both wires' shapes. */
function citing(key: string) {
  const url = `https://news.example/story?token=${key}`;
  const annotations = [
    {
      type: 'url_citation',
      url_citation: { url, title: `About ${key}`, start_index: 0, end_index: 5 },
    },
  ];
  const sources = {
    citations: [`https://docs.example/${key}`],
    search_results: [
      {
        title: key,
        url: `https://docs.example/${key}`,
        date: key,
        last_updated: key,
        snippet: `said ${key}`,
      },
    ],
  };
  // A server moderating on its own, unasked: its results are kept, their names scrubbed too.
  const result = {
    type: 'moderation_result',
    model: key,
    flagged: false,
    categories: { [key]: false },
    category_scores: { [key]: 0.1 },
    category_applied_input_types: { [key]: ['text'] },
  };
  const moderation = { input: { type: 'moderation_results', model: key, results: [result] } };
  return { annotations, sources, moderation };
}

const echoing: Handler = (req, res, received) => {
  const { annotations, sources, moderation } = citing(keyOf(req as never));
  if (received.json?.stream !== true) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(completion({ content: 'Fresh.', annotations }, { ...sources, moderation })),
    );
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(
    [
      chunk({ role: 'assistant', content: 'Fresh.' }, null, sources),
      chunk({ annotations }, null, sources),
      chunk({}, 'stop', sources),
      chunk({}, null, { ...sources, moderation, choices: [], usage: usage() }),
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

describe('a server echoing the key into citations', () => {
  it.each([
    ['buffered', async (p: OpenAIProvider) => [await p.complete(ask)]],
    ['streamed', streamed],
  ])(
    '%s: the answer, its chunks and a second key sharing the cache get none of it',
    async (_, call) => {
      const { server, provider: a } = await setup(
        { '/chat/completions': echoing },
        { apiKey: KEY_A, cache: { maxEntries: 10 } },
      );
      const b = track(
        createOpenAIProvider({ baseUrl: server.url, apiKey: KEY_B, cache: a.cache! }),
      );
      const first = await call(a);
      const replayed = await call(b);
      expect(server.requests).toHaveLength(1);
      const last = first.at(-1) as Record<string, unknown>;
      const response = (last.response ?? last) as { annotations?: unknown[]; moderation?: unknown };
      expect(response.moderation).toEqual({
        input: {
          type: 'moderation_results',
          model: '[redacted]',
          results: [
            {
              type: 'moderation_result',
              model: '[redacted]',
              flagged: false,
              categories: { '[redacted]': false },
              categoryScores: { '[redacted]': 0.1 },
              categoryAppliedInputTypes: { '[redacted]': ['text'] },
            },
          ],
        },
        output: undefined,
      });
      // Each citation is still there, its texts scrubbed: the URLs still link to their pages.
      expect(response.annotations).toHaveLength(2);
      expect(response.annotations).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            url: 'https://news.example/story?token=[redacted]',
            title: 'About [redacted]',
          }),
          expect.objectContaining({
            url: 'https://docs.example/[redacted]',
            title: '[redacted]',
            snippet: 'said [redacted]',
            date: '[redacted]',
            lastUpdated: '[redacted]',
            ref: 1,
          }),
        ]),
      );
      const again = replayed.at(-1) as Record<string, unknown>;
      expect((again.response ?? again) as object).toMatchObject({ cached: true });
      expectNoSecret(JSON.stringify(first), KEY_A);
      expectNoSecret(JSON.stringify(replayed), KEY_A);
    },
    30_000,
  );
});

describe('a server echoing the key into its /models list', () => {
  it('lists none of it: ids (raw or in base64 inside one) and owners are scrubbed', async () => {
    const models: Handler = (req, res) => {
      const key = keyOf(req as never);
      const encoded = Buffer.from(key).toString('base64');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          object: 'list',
          data: [
            { id: key, object: 'model', owned_by: key, created: 1 },
            { id: `m-${encoded}`, object: 'model', owned_by: 'system', context_length: 8_192 },
            { id: 'gpt-4o-mini', object: 'model', owned_by: 'system' },
          ],
        }),
      );
    };
    const { provider } = await setup({ '/models': models }, { apiKey: KEY_A });
    const list = await provider.listModels();
    expect(list.map((m) => [m.id, m.ownedBy])).toEqual([
      ['[redacted]', '[redacted]'],
      ['m-[redacted]', 'system'],
      ['gpt-4o-mini', 'system'],
    ]);
    expectNoSecret(JSON.stringify([list, provider.models]), KEY_A);
  }, 30_000);
});
