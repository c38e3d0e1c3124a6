// Perplexity's sources: a top-level `citations` list of URLs and `search_results` objects, which the
// text cites as [1], [2], read into the same `annotations` as OpenAI's `url_citation`s; and the
// search fields of its usage. Shapes from its API reference (docs.perplexity.ai, chat completions)
// and its SDK's types: `search_results: [{ title, url, date?, last_updated?, snippet?, source? }]`,
// `usage: { ..., search_context_size, num_search_queries, cost: { ..., total_cost } }`. In a
// stream's default mode (`stream_mode: 'full'`) every event repeats both lists, and the usage so
// far; in `concise` mode they come in the last event only.
import { describe, expect, it } from 'vitest';
import { DONE, json, sse } from './__fixtures__/server';
import { ask, chats, collect, setup } from './__fixtures__/setup';

const WIKI = 'https://en.wikipedia.org/wiki/Rayleigh_scattering';
const NASA = 'https://science.nasa.gov/sky';
const wikiResult = {
  title: 'Rayleigh scattering - Wikipedia',
  url: WIKI,
  date: '2004-03-11',
  last_updated: '2025-10-02',
  snippet:
    'Rayleigh scattering is the scattering of light by particles much smaller than its wavelength.',
  source: 'web',
};
const nasaResult = { title: 'Why is the sky blue?', url: NASA, date: null, source: 'web' };
const wikiSource = {
  type: 'url_citation',
  url: WIKI,
  title: 'Rayleigh scattering - Wikipedia',
  startIndex: undefined,
  endIndex: undefined,
  ref: 1,
  date: '2004-03-11',
  lastUpdated: '2025-10-02',
  snippet: wikiResult.snippet,
};
const nasaSource = {
  type: 'url_citation',
  url: NASA,
  title: 'Why is the sky blue?',
  startIndex: undefined,
  endIndex: undefined,
  ref: 2,
};
const perplexityUsage = (completion: number) => ({
  prompt_tokens: 9,
  completion_tokens: completion,
  total_tokens: 9 + completion,
  search_context_size: 'low',
  num_search_queries: 1,
  cost: {
    input_tokens_cost: 0.000009,
    output_tokens_cost: 0.000012,
    request_cost: 0.005,
    total_cost: 0.005021,
  },
});

/** A whole Perplexity answer. */
const answer = (extra: Record<string, unknown>) => ({
  id: '3c90c3cc-0d44-4b50-8888-8dd25736052a',
  model: 'sonar',
  created: 1_764_115_200,
  object: 'chat.completion',
  choices: [
    {
      index: 0,
      finish_reason: 'stop',
      message: { role: 'assistant', content: 'Rayleigh scattering[1]. NASA agrees[2].' },
      delta: { role: 'assistant', content: '' },
    },
  ],
  usage: perplexityUsage(12),
  ...extra,
});

/** One event of a stream in Perplexity's default mode: the message so far beside the delta. */
const event = (
  text: string,
  soFar: string,
  finish: string | null,
  extra: Record<string, unknown>,
  object = 'chat.completion.chunk',
) =>
  `data: ${JSON.stringify({
    id: '3c90c3cc-0d44-4b50-8888-8dd25736052a',
    model: 'sonar',
    created: 1_764_115_200,
    object,
    choices: [
      {
        index: 0,
        finish_reason: finish,
        message: { role: 'assistant', content: soFar },
        delta: { role: 'assistant', content: text },
      },
    ],
    ...extra,
  })}\n\n`;

const whole = async (body: unknown) => {
  const { provider } = await setup(
    { '/chat/completions': json(200, body) },
    { preset: 'perplexity', completeAs: 'whole' },
  );
  return provider.complete(ask('Why is the sky blue?', { model: 'sonar' }));
};

describe('Perplexity sources in ChatResponse.annotations', () => {
  it('reads citations and search_results of a whole answer as url citations numbered by ref', async () => {
    const response = await whole(
      answer({ citations: [WIKI, NASA], search_results: [wikiResult, nasaResult] }),
    );
    expect(response.annotations).toStrictEqual([wikiSource, nasaSource]);
    expect(response.content).toBe('Rayleigh scattering[1]. NASA agrees[2].');
  });

  it('reads citations alone (no titles) and search_results alone, each numbered by position', async () => {
    const cited = await whole(answer({ citations: [WIKI, NASA] }));
    expect(cited.annotations).toEqual([
      {
        type: 'url_citation',
        url: WIKI,
        title: '',
        startIndex: undefined,
        endIndex: undefined,
        ref: 1,
      },
      {
        type: 'url_citation',
        url: NASA,
        title: '',
        startIndex: undefined,
        endIndex: undefined,
        ref: 2,
      },
    ]);
    const found = await whole(answer({ search_results: [wikiResult, nasaResult] }));
    expect(found.annotations).toStrictEqual([wikiSource, nasaSource]);
  });

  it('keeps the search fields of the usage, and leaves them out for a server without them', async () => {
    const response = await whole(answer({ citations: [WIKI] }));
    expect(response.usage).toMatchObject({
      promptTokens: 9,
      completionTokens: 12,
      searchContextSize: 'low',
      searchQueries: 1,
      serverCostUsd: 0.005021,
    });
    const plain = await whole(answer({ usage: { prompt_tokens: 9, completion_tokens: 12 } }));
    expect(plain.usage).not.toHaveProperty('searchContextSize');
    expect(plain.usage).not.toHaveProperty('searchQueries');
    expect(plain.usage).not.toHaveProperty('serverCostUsd');
  });
});

describe('Perplexity sources in a stream', () => {
  // Every event repeats the lists (growing here: the second source is found later) and the usage.
  const first = { citations: [WIKI], search_results: [wikiResult], usage: perplexityUsage(1) };
  const both = {
    citations: [WIKI, NASA],
    search_results: [wikiResult, nasaResult],
    usage: perplexityUsage(3),
  };
  const full = [
    event('Rayleigh', 'Rayleigh', null, first),
    event(' scattering[1].', 'Rayleigh scattering[1].', null, first),
    event(' NASA agrees[2].', 'Rayleigh scattering[1]. NASA agrees[2].', null, both),
    event('', 'Rayleigh scattering[1]. NASA agrees[2].', 'stop', {
      ...both,
      usage: perplexityUsage(12),
    }),
    DONE,
  ];

  it('hands each source over once, with the first event that carries it, and all at the end', async () => {
    const { provider } = await setup({ '/chat/completions': sse(full) }, { preset: 'perplexity' });
    const chunks = await collect(provider.stream(ask('Why is the sky blue?', { model: 'sonar' })));
    expect(
      chunks.filter((c) => c.annotations !== undefined).map((c) => [c.content, c.annotations]),
    ).toEqual([
      ['Rayleigh', [wikiSource]],
      [' NASA agrees[2].', [nasaSource]],
    ]);
    const response = chunks.at(-1)!.response!;
    expect(response.content).toBe('Rayleigh scattering[1]. NASA agrees[2].');
    expect(response.annotations).toStrictEqual([wikiSource, nasaSource]);
    expect(response.usage).toMatchObject({
      completionTokens: 12,
      searchQueries: 1,
      serverCostUsd: 0.005021,
    });
  });

  it('reads sources that come only in the last event (stream_mode concise), and complete() keeps them', async () => {
    const concise = [
      event('Rayleigh scattering[1].', '', null, {}),
      event(' NASA agrees[2].', '', null, {}),
      event('', 'Rayleigh scattering[1]. NASA agrees[2].', 'stop', both, 'chat.completion.done'),
      DONE,
    ];
    const { server, provider } = await setup(
      { '/chat/completions': sse(concise) },
      { preset: 'perplexity' },
    );
    const chunks = await collect(provider.stream(ask('Hi', { model: 'sonar' })));
    expect(
      chunks.filter((c) => c.annotations !== undefined).map((c) => [c.content, c.annotations]),
    ).toEqual([['', [wikiSource, nasaSource]]]);
    const answered = await provider.complete(ask('Hi', { model: 'sonar' }));
    expect(answered.annotations).toStrictEqual([wikiSource, nasaSource]);
    expect(chats(server)).toHaveLength(2);
  });
});

describe('hostile sources', () => {
  it('skips lists that are not arrays, and entries without a usable URL, keeping their numbers', async () => {
    const odd = await whole(answer({ citations: WIKI, search_results: { url: NASA } }));
    expect(odd.annotations).toBeUndefined();
    const response = await whole(
      answer({
        citations: [42, null, '', { url: WIKI }, NASA, `https://x.example/${'a'.repeat(5000)}`],
        search_results: [
          null,
          'text',
          { url: 7, title: 'no url' },
          { url: NASA, title: 42, date: {}, last_updated: 3, snippet: 's'.repeat(5000) },
        ],
      }),
    );
    // [5] is NASA: its details come from the search result of the same URL; the titleless,
    // overlong URL is dropped (cut, it would point elsewhere), the snippet cut.
    expect(response.annotations).toStrictEqual([
      {
        type: 'url_citation',
        url: NASA,
        title: '',
        startIndex: undefined,
        endIndex: undefined,
        ref: 5,
        snippet: 's'.repeat(1024),
      },
    ]);
  });

  it('keeps only http(s) links, from either wire: an app renders them, and a hostile one would run', async () => {
    const hostile = [
      'javascript:alert(document.cookie)',
      'data:text/html,<script>x</script>',
      'file:///etc/passwd',
      'https://',
      'HTTPS://Example.com/ok',
    ];
    const perplexity = await whole(answer({ citations: hostile }));
    expect(perplexity.annotations?.map((a) => [a.url, a.ref])).toEqual([
      ['HTTPS://Example.com/ok', 5],
    ]);
    const annotations = hostile.map((url) => ({
      type: 'url_citation',
      url_citation: { url, title: 't', start_index: 0, end_index: 1 },
    }));
    const openai = await whole(
      answer({
        choices: [
          {
            index: 0,
            finish_reason: 'stop',
            message: { role: 'assistant', content: 'a', annotations },
          },
        ],
      }),
    );
    expect(openai.annotations?.map((a) => a.url)).toEqual(['HTTPS://Example.com/ok']);
  });

  it('keeps at most 256 sources, and titles of at most 1,024 characters', async () => {
    const urls = Array.from({ length: 10_000 }, (_, i) => `https://example.com/${i}`);
    const response = await whole(
      answer({
        citations: urls,
        search_results: [{ url: urls[0], title: 't'.repeat(3000) }],
      }),
    );
    expect(response.annotations).toHaveLength(256);
    expect(response.annotations![0]!.title).toBe('t'.repeat(1024));
    expect(response.annotations!.at(-1)).toMatchObject({
      url: 'https://example.com/255',
      ref: 256,
    });
  });

  it('keeps at most 256 of OpenAI url citations too', async () => {
    const annotations = Array.from({ length: 1000 }, (_, i) => ({
      type: 'url_citation',
      url_citation: {
        url: `https://example.com/${i}`,
        title: 'x'.repeat(2000),
        start_index: 0,
        end_index: 1,
      },
    }));
    const response = await whole(
      answer({
        choices: [
          {
            index: 0,
            finish_reason: 'stop',
            message: { role: 'assistant', content: 'a', annotations },
          },
        ],
      }),
    );
    expect(response.annotations).toHaveLength(256);
    expect(response.annotations![0]!.title).toHaveLength(1024);
  });

  it('drops usage search fields of the wrong type or value, so no server text reaches events', async () => {
    const response = await whole(
      answer({
        usage: {
          prompt_tokens: 9,
          completion_tokens: 12,
          search_context_size: 'sk-proj-echoed-secret-0123456789',
          num_search_queries: -1,
          cost: { total_cost: '0.01' },
        },
      }),
    );
    expect(response.usage).not.toHaveProperty('searchContextSize');
    expect(response.usage).not.toHaveProperty('searchQueries');
    expect(response.usage).not.toHaveProperty('serverCostUsd');
    const odd = await whole(
      answer({
        usage: {
          prompt_tokens: 9,
          completion_tokens: 12,
          search_context_size: 7,
          num_search_queries: 1.5,
          cost: 'free',
        },
      }),
    );
    expect(odd.usage).not.toHaveProperty('searchQueries');
    expect(odd.usage).not.toHaveProperty('serverCostUsd');
  });
});
