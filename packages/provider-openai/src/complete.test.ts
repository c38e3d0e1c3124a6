import { describe, expect, it } from 'vitest';
import { completion, hello, json, MODEL, sse, streamOf } from './__fixtures__/server';
import { ask, chats, setup } from './__fixtures__/setup';

describe('OpenAIProvider.complete', () => {
  it('maps a chat.completion to content, usage, ids and finish reason', async () => {
    const { server, provider } = await setup({ '/chat/completions': hello });
    const answer = await provider.complete(ask('Hi', { temperature: 0.2, maxTokens: 50 }));
    expect(answer).toMatchObject({
      content: 'Hello! How can I help?',
      message: { role: 'assistant', content: 'Hello! How can I help?' },
      toolCalls: [],
      model: 'gpt-4o-mini-2024-07-18',
      finishReason: 'stop',
      usage: {
        promptTokens: 19,
        completionTokens: 10,
        totalTokens: 29,
        cachedPromptTokens: 0,
        reasoningTokens: 0,
      },
      id: 'chatcmpl-BK7oQgNw8h3Rz2QeTfX9pL1c',
      created: 1_764_115_200,
      systemFingerprint: 'fp_560af6e559',
      refusal: undefined,
      logprobs: undefined,
      cached: false,
      attempts: 1,
    });
    expect(answer.costUsd).toBeGreaterThan(0);
    expect(answer.timings.latencyMs).toBeGreaterThanOrEqual(0);
    const [sent] = chats(server);
    expect(sent!.headers.authorization).toBe('Bearer sk-test-key-for-the-local-server');
    expect(sent!.json).toEqual({
      model: MODEL,
      messages: [{ role: 'user', content: 'Hi' }],
      temperature: 0.2,
      // `max_tokens`: this server is not OpenAI's host (OpenAI's own gets `max_completion_tokens`).
      max_tokens: 50,
      // complete() streams by default (completeAs 'stream'); this server answered one JSON document.
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('returns tool calls with parsed arguments, the raw JSON kept, and finishReason tool_calls', async () => {
    const { provider } = await setup({
      '/chat/completions': json(
        200,
        completion(
          {
            tool_calls: [
              {
                id: 'call_1',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"c"}' },
              },
              {
                id: 'call_2',
                type: 'function',
                function: { name: 'broken', arguments: '{"city":' },
              },
            ],
          },
          {},
          'tool_calls',
        ),
      ),
    });
    const answer = await provider.complete(ask());
    expect(answer.finishReason).toBe('tool_calls');
    expect(answer.toolCalls).toEqual([
      {
        id: 'call_1',
        index: 0,
        name: 'get_weather',
        arguments: { city: 'Paris', unit: 'c' },
        rawArguments: '{"city":"Paris","unit":"c"}',
      },
      { id: 'call_2', index: 1, name: 'broken', arguments: {}, rawArguments: '{"city":' },
    ]);
    expect(answer.message.toolCalls).toBe(answer.toolCalls);
  });

  it('returns typed logprobs and the reasoning text when the server sends them', async () => {
    const { server, provider } = await setup({
      '/chat/completions': json(200, {
        ...completion({ content: 'Hi', reasoning_content: 'The user greets me.' }),
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'Hi', reasoning_content: 'The user greets me.' },
            logprobs: {
              content: [
                {
                  token: 'Hi',
                  logprob: -0.01,
                  bytes: [72, 105],
                  top_logprobs: [{ token: 'Hi', logprob: -0.01, bytes: [72, 105] }],
                },
              ],
              refusal: null,
            },
            finish_reason: 'stop',
          },
        ],
      }),
    });
    const answer = await provider.complete(ask('Hi', { logprobs: true, topLogprobs: 1 }));
    expect(answer.logprobs).toEqual([
      {
        token: 'Hi',
        logprob: -0.01,
        bytes: [72, 105],
        topLogprobs: [{ token: 'Hi', logprob: -0.01, bytes: [72, 105] }],
      },
    ]);
    expect(answer.thinking).toBe('The user greets me.');
    expect(chats(server)[0]!.json).toMatchObject({ logprobs: true, top_logprobs: 1 });
  });

  it('sends a JSON schema as response_format and returns the structured answer', async () => {
    const { server, provider } = await setup({
      '/chat/completions': json(200, completion({ content: '{"answer":"blue"}' })),
    });
    const schema = { type: 'object', properties: { answer: { type: 'string' } } };
    const answer = await provider.complete(
      ask('Colour?', {
        responseFormat: {
          type: 'json_schema',
          jsonSchema: { name: 'colour', schema, strict: true },
        },
      }),
    );
    expect(JSON.parse(answer.content)).toEqual({ answer: 'blue' });
    expect(chats(server)[0]!.json!.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'colour', schema, strict: true },
    });
  });

  it('leaves absent counters undefined instead of 0', async () => {
    const { provider } = await setup({
      '/chat/completions': json(200, completion({ content: 'x' }, { usage: undefined })),
    });
    const answer = await provider.complete(ask());
    expect(answer.usage).toEqual({
      promptTokens: undefined,
      completionTokens: undefined,
      totalTokens: undefined,
      cachedPromptTokens: undefined,
      reasoningTokens: undefined,
    });
  });

  it('reads an answer preceded by the blank keep-alive lines DeepSeek sends while busy', async () => {
    const { provider } = await setup({
      '/chat/completions': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('\n\n\n');
        res.end(JSON.stringify(completion({ content: 'late' })));
      },
    });
    await expect(provider.complete(ask())).resolves.toMatchObject({ content: 'late' });
  });

  it('reads server-sent events when a proxy streams an answer asked without stream', async () => {
    const { provider } = await setup({ '/chat/completions': sse(streamOf('Hel', 'lo')) });
    await expect(provider.complete(ask())).resolves.toMatchObject({
      content: 'Hello',
      usage: { promptTokens: 19 },
    });
  });

  it("with completeAs 'whole' asks for one JSON answer: no stream field is sent", async () => {
    const { server, provider } = await setup(
      { '/chat/completions': hello },
      { completeAs: 'whole' },
    );
    await expect(provider.complete(ask('Hi'))).resolves.toMatchObject({
      content: 'Hello! How can I help?',
    });
    const [sent] = chats(server);
    expect(sent!.json).not.toHaveProperty('stream');
    expect(sent!.json).not.toHaveProperty('stream_options');
  });

  it('serves an identical deterministic request from the cache, marked cached', async () => {
    const { server, provider } = await setup({ '/chat/completions': hello });
    const first = await provider.complete(ask('Hi', { temperature: 0 }));
    const second = await provider.complete(ask('Hi', { temperature: 0 }));
    expect(first.cached).toBe(false);
    expect(second).toMatchObject({ cached: true, attempts: 0, content: first.content });
    expect(chats(server)).toHaveLength(1);
    // No temperature: OpenAI samples at 1, so the answer is not cached.
    await provider.complete(ask('Hi'));
    await provider.complete(ask('Hi'));
    expect(chats(server)).toHaveLength(3);
    expect(provider.stats()).toMatchObject({ cacheHits: 1 });
  });
});
