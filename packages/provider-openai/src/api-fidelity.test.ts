// Request and answer shapes of OpenAI's Chat Completions and Embeddings APIs (as openai-node types
// them) the provider sends, refuses or reads as the API means them, against a local server.
import { describe, expect, it } from 'vitest';
import { chunk, completion, DONE, json, sse, usage, usageChunk } from './__fixtures__/server';
import { ask, chats, collect, setup } from './__fixtures__/setup';
import type { ChatRequest } from './types';
import { embedOperation } from './wire/embeddings';

const ok = () => json(200, completion({ content: 'ok' }));
const sentBody = async (extra: Partial<ChatRequest>) => {
  const { server, provider } = await setup({ '/chat/completions': ok() });
  await provider.complete(ask('Hi', extra));
  return chats(server)[0]!.json!;
};
const weather = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: {} } },
};

describe('one answer per call', () => {
  it('refuses extraBody.n other than 1 before sending, from complete() and stream()', async () => {
    const { server, provider } = await setup({ '/chat/completions': ok() });
    for (const n of [2, 0, '2']) {
      const request = ask('Hi', { extraBody: { n } });
      const error = await provider.complete(request).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(typeof n === 'number' ? RangeError : TypeError);
      expect((error as Error).message).toMatch(
        /^Expected `request\.extraBody\.n` to be 1 or left out \(a call returns one answer: make several calls for several answers\), got/,
      );
      expect(() => provider.stream(request)).toThrow(/request\.extraBody\.n/);
    }
    expect(chats(server)).toHaveLength(0);
    await provider.complete(ask('Hi', { extraBody: { n: 1, top_k: 5 } }));
    expect(chats(server)[0]!.json).toMatchObject({ n: 1, top_k: 5 });
  });

  it('reads only choice 0 of a stream whose server sends other choices unasked, not merging them', async () => {
    const other = (delta: Record<string, unknown>, finish: string | null = null) =>
      `data: ${JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'gpt-4o-mini',
        choices: [{ index: 1, delta, finish_reason: finish }],
      })}\n\n`;
    const events = [
      chunk({ role: 'assistant', content: '' }),
      other({ role: 'assistant', content: '' }),
      chunk({ content: 'Blue' }),
      other({ content: 'Rayleigh' }),
      other({ tool_calls: [{ index: 0, id: 'c', function: { name: 'f', arguments: '{}' } }] }),
      other({}, 'length'),
      chunk({ content: ' light.' }),
      chunk({}, 'stop'),
      usageChunk(),
      DONE,
    ];
    for (const read of ['complete', 'stream'] as const) {
      const { provider } = await setup({ '/chat/completions': sse(events) });
      const answer =
        read === 'complete'
          ? await provider.complete(ask())
          : (await collect(provider.stream(ask()))).at(-1)!.response!;
      expect(answer.content).toBe('Blue light.');
      expect(answer.toolCalls).toEqual([]);
      expect(answer.finishReason).toBe('stop');
    }
  });

  it('reads choice 0 of a whole answer whatever the order of its choices', async () => {
    const answer = completion({ content: 'Blue light.' });
    const [zero] = answer.choices as Array<Record<string, unknown>>;
    const one = { ...zero, index: 1, message: { role: 'assistant', content: 'Rayleigh' } };
    const { provider } = await setup(
      { '/chat/completions': json(200, { ...answer, choices: [one, zero] }) },
      { completeAs: 'whole' },
    );
    expect((await provider.complete(ask())).content).toBe('Blue light.');
  });
});

describe('costUsd', () => {
  it('prices cached prompt tokens at the cached-input price', async () => {
    const { provider } = await setup({
      '/chat/completions': json(200, {
        ...completion({ content: 'ok' }),
        usage: usage(100_000, 10, { prompt_tokens_details: { cached_tokens: 100_000 } }),
      }),
    });
    const answer = await provider.complete(ask());
    expect(answer.usage.cachedPromptTokens).toBe(100_000);
    // gpt-4o-mini: $0.075 per million cached input tokens, $0.60 per million output tokens.
    expect(answer.costUsd).toBeCloseTo(0.007506, 9);
  });
});

describe('tools', () => {
  it('sends neither tool_choice nor parallel_tool_calls without tools, and both with them', async () => {
    const fields = { toolChoice: 'required', parallelToolCalls: false } as const;
    for (const tools of [[], undefined]) {
      const body = await sentBody({ ...fields, tools });
      expect(Object.keys(body)).not.toContain('tools');
      expect(Object.keys(body)).not.toContain('tool_choice');
      expect(Object.keys(body)).not.toContain('parallel_tool_calls');
    }
    expect(await sentBody({ ...fields, tools: [weather] })).toMatchObject({
      tools: [weather],
      tool_choice: 'required',
      parallel_tool_calls: false,
    });
  });

  it('sends custom tools and the allowed_tools and custom tool choices as given', async () => {
    const grammar = {
      type: 'custom' as const,
      custom: {
        name: 'sql',
        description: 'A query',
        format: { type: 'grammar', grammar: { syntax: 'lark', definition: 'start: "SELECT"' } },
      },
    };
    const allowed = {
      type: 'allowed_tools' as const,
      allowed_tools: {
        mode: 'required' as const,
        tools: [{ type: 'function', function: { name: 'get_weather' } }],
      },
    };
    const custom = { type: 'custom' as const, custom: { name: 'sql' } };
    for (const toolChoice of [allowed, custom]) {
      expect(await sentBody({ tools: [weather, grammar], toolChoice })).toMatchObject({
        tools: [weather, grammar],
        tool_choice: toolChoice,
      });
    }
  });

  it('refuses a malformed custom tool or tool choice before sending, naming the path', async () => {
    const { server, provider } = await setup({ '/chat/completions': ok() });
    const refused: Array<[Partial<ChatRequest>, RegExp]> = [
      [
        { tools: [{ type: 'custom', custom: { name: '' } }] as never },
        /`request\.tools\[0\]\.custom\.name`/,
      ],
      [
        { tools: [{ type: 'custom', custom: { name: 'a', fromat: {} } }] as never },
        /`request\.tools\[0\]\.custom\.fromat`/,
      ],
      [
        { tools: [weather, { type: 'custom', custom: { name: 'a', format: 'text' } }] as never },
        /`request\.tools\[1\]\.custom\.format`/,
      ],
      [
        {
          tools: [weather],
          toolChoice: { type: 'allowed_tools', allowed_tools: { mode: 'any', tools: [] } } as never,
        },
        /`request\.toolChoice\.allowed_tools\.mode`/,
      ],
      [
        {
          tools: [weather],
          toolChoice: { type: 'allowed_tools', allowed_tools: { mode: 'auto' } } as never,
        },
        /`request\.toolChoice\.allowed_tools\.tools`/,
      ],
      [{ tools: [weather], toolChoice: { type: 'custom' } as never }, /`request\.toolChoice`/],
    ];
    for (const [extra, message] of refused) {
      await expect(provider.complete(ask('Hi', extra))).rejects.toThrow(message);
    }
    expect(chats(server)).toHaveLength(0);
  });
});

describe('reasoning effort and roles', () => {
  it('sends reasoningEffort xhigh and max', async () => {
    for (const reasoningEffort of ['xhigh', 'max'] as const) {
      expect(await sentBody({ reasoningEffort })).toMatchObject({
        reasoning_effort: reasoningEffort,
      });
    }
  });

  it("sends developer messages as they are to OpenAI's API (a preset of your own that extends openai)", async () => {
    const messages = [
      { role: 'developer', content: 'Answer in French.' },
      { role: 'developer', content: 'Be brief.', name: 'style' },
      { role: 'user', content: 'Hi' },
    ];
    const { server, provider } = await setup(
      { '/chat/completions': ok() },
      { preset: { name: 'own', extends: 'openai', baseUrl: 'https://example.invalid/v1' } },
    );
    await provider.complete(ask('Hi', { messages }));
    expect(chats(server)[0]!.json).toMatchObject({ messages });
  });

  it("sends a reasoningEffort outside OpenAI's list as given: which values a model takes is the server's", async () => {
    // Groq's qwen3 models take `default`.
    expect(await sentBody({ reasoningEffort: 'default' })).toMatchObject({
      reasoning_effort: 'default',
    });
  });

  it('refuses a reasoningEffort that is not a non-empty string before sending', async () => {
    const { server, provider } = await setup({ '/chat/completions': ok() });
    for (const reasoningEffort of ['', 3]) {
      const request = ask('Hi', { reasoningEffort: reasoningEffort as never });
      const error = await provider.complete(request).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(reasoningEffort === '' ? RangeError : TypeError);
      expect((error as Error).message).toMatch(
        /^Expected `request\.reasoningEffort` to be a non-empty string/,
      );
      expect(() => provider.stream(request)).toThrow(/`request\.reasoningEffort`/);
    }
    expect(chats(server)).toHaveLength(0);
  });

  it('refuses images on any message but a user message before sending, naming the field', async () => {
    const { server, provider } = await setup({ '/chat/completions': ok() });
    const png = 'data:image/png;base64,iVBORw0KGgo=';
    for (const role of ['system', 'developer', 'assistant', 'tool'] as const) {
      const request = ask('Hi', {
        messages: [
          { role: 'user', content: 'Hi', images: [png] },
          { role, content: 'Look', images: [png], ...(role === 'tool' ? { toolCallId: 'c' } : {}) },
        ],
      });
      const error = await provider.complete(request).catch((e: unknown) => e);
      // A list of the right type, refused beside the role: a RangeError.
      expect(error).toBeInstanceOf(RangeError);
      expect((error as Error).message).toMatch(/`request\.messages\[1\]\.images`/);
      expect((error as Error).message).toMatch(/only user messages carry images/);
      expect((error as Error).message).toContain(
        `left out of ${role === 'assistant' ? 'an' : 'a'} ${role} message`,
      );
      expect(() => provider.stream(request)).toThrow(/`request\.messages\[1\]\.images`/);
    }
    expect(chats(server)).toHaveLength(0);
    // A user message's images are sent as image_url parts.
    const sent = await sentBody({ messages: [{ role: 'user', content: 'Hi', images: [png] }] });
    expect(sent.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Hi' },
          { type: 'image_url', image_url: { url: png } },
        ],
      },
    ]);
  });
});

describe('embeddings of token ids', () => {
  const vectors = (count: number) =>
    json(200, {
      object: 'list',
      data: Array.from({ length: count }, (_, index) => ({
        object: 'embedding',
        index,
        embedding: [index, 0.5],
      })),
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: 3, total_tokens: 3 },
    });

  it('sends one array of token ids as one input and an array of arrays as several, cached apart', async () => {
    const { server, provider } = await setup({
      'POST /embeddings': [vectors(1), vectors(2), vectors(1)],
    });
    const embed = (input: number[] | number[][]) =>
      provider.embed({ model: 'text-embedding-3-small', input, encodingFormat: 'float' });
    expect((await embed([1, 2, 3])).embeddings).toEqual([[0, 0.5]]);
    expect((await embed([[1, 2], [3]])).embeddings).toEqual([
      [0, 0.5],
      [1, 0.5],
    ]);
    expect((await embed([1, 2, 3])).cached).toBe(true);
    expect((await embed([1, 2, 4])).cached).toBe(false);
    const sent = server.requests.map((r) => r.json?.input);
    expect(sent).toEqual([
      [1, 2, 3],
      [[1, 2], [3]],
      [1, 2, 4],
    ]);
  });

  it('refuses token ids that are not non-negative integers, and empty arrays, before sending', async () => {
    const { server, provider } = await setup({ 'POST /embeddings': vectors(1) });
    for (const input of [[], [-1], [1.5], [[]], [[1], []], [[1], 'a'], [1, [2]], ['a', 1]]) {
      await expect(provider.embed({ model: 'm', input: input as never })).rejects.toThrow(
        /`request\.input` to be a string, a non-empty array of strings, or token ids/,
      );
    }
    expect(server.requests).toHaveLength(0);
  });

  it('counts token ids as the prompt, one token each, with no text to estimate', () => {
    const op = embedOperation(
      {
        maxTokensField: 'max_tokens',
        seedField: 'seed',
        embeddingsEncoding: 'float',
        streamUsage: true,
      },
      'OpenAI',
    );
    const prompt = (input: number[] | number[][]) => op.prompt!({ model: 'm', input });
    expect(prompt([5, 6, 7])).toEqual({ extraTokens: 3 });
    expect(prompt([[5, 6], [7], [8, 9, 10]])).toEqual({ extraTokens: 6 });
    expect(op.prompt!({ model: 'm', input: ['a', 'b'] })).toEqual({ text: 'a\nb' });
  });
});
