// The official `openai` npm client and this provider, on the same local server (127.0.0.1 only):
// for the same request they must send equivalent bodies, and read the same tool calls.
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import {
  chunk,
  completion,
  DONE,
  json,
  type Received,
  sse,
  streamOf,
  usageChunk,
} from './__fixtures__/server';
import { chats, collect, setup } from './__fixtures__/setup';
import type { ChatRequest, OpenAIChatMessage, OpenAIToolCall } from './types';

const KEY = 'sk-test-key-for-the-local-server';

async function pair(routes: Parameters<typeof setup>[0]) {
  // completeAs 'whole': the official client's create() asks for one JSON answer too. A preset
  // extending `openai` says the local server is OpenAI's API (the official client's server), so
  // the body is the one OpenAI's host gets (`max_completion_tokens`); `setup` sets its address.
  const { server, provider } = await setup(routes, {
    cache: false,
    completeAs: 'whole',
    preset: { name: 'openai-here', extends: 'openai', baseUrl: 'https://example.invalid/v1' },
  });
  const official = new OpenAI({ apiKey: KEY, baseURL: server.url, maxRetries: 0 });
  return { server, provider, official };
}

const body = (r: Received | undefined) => r?.json;

const tool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather of a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('bodies compared with the official openai client', () => {
  it('are equal for a chat with sampling options, tools, a schema, logprobs and a tool round trip', async () => {
    const { server, provider, official } = await pair({
      '/chat/completions': json(200, completion({ content: '{"city":"Paris"}' })),
    });
    const schema = { type: 'object', properties: { city: { type: 'string' } } };
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const ours: ChatRequest = {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'What is in this picture?', images: [png] },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }],
        },
        { role: 'tool', content: '21 C', toolCallId: 'call_1' },
        { role: 'user', content: 'Answer as JSON.', name: 'ana' },
      ],
      temperature: 0.3,
      topP: 0.9,
      seed: 7,
      maxTokens: 64,
      stop: ['\n\n'],
      tools: [tool],
      toolChoice: 'auto',
      parallelToolCalls: false,
      responseFormat: { type: 'json_schema', jsonSchema: { name: 'city', schema, strict: true } },
      logprobs: true,
      topLogprobs: 2,
      frequencyPenalty: 0.1,
      presencePenalty: 0.2,
      user: 'user-42',
    };
    await provider.complete(ours);
    await official.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture?' },
            {
              type: 'image_url',
              image_url: { url: `data:image/png;base64,${png.toString('base64')}` },
            },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
          ],
        },
        { role: 'tool', content: '21 C', tool_call_id: 'call_1' },
        { role: 'user', content: 'Answer as JSON.', name: 'ana' },
      ],
      temperature: 0.3,
      top_p: 0.9,
      seed: 7,
      max_completion_tokens: 64,
      stop: ['\n\n'],
      tools: [tool],
      tool_choice: 'auto',
      parallel_tool_calls: false,
      response_format: { type: 'json_schema', json_schema: { name: 'city', schema, strict: true } },
      logprobs: true,
      top_logprobs: 2,
      frequency_penalty: 0.1,
      presence_penalty: 0.2,
      user: 'user-42',
    });
    const [mine, theirs] = chats(server);
    expect(body(mine)).toEqual(body(theirs));
    expect(mine!.headers.authorization).toBe(theirs!.headers.authorization);
    expect(mine!.headers['content-type']).toBe(theirs!.headers['content-type']);
  });

  it('are equal for a streamed chat asking for the usage', async () => {
    const { server, provider, official } = await pair({
      '/chat/completions': sse(streamOf('Hel', 'lo')),
    });
    const messages = [{ role: 'user' as const, content: 'Hi' }];
    const chunks: string[] = [];
    for await (const chunk of provider.stream({ model: 'gpt-4o-mini', messages })) {
      chunks.push(chunk.content);
    }
    const stream = await official.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const theirChunks: string[] = [];
    for await (const event of stream) theirChunks.push(event.choices[0]?.delta.content ?? '');
    const [mine, theirs] = chats(server);
    expect(body(mine)).toEqual(body(theirs));
    expect(chunks.join('')).toBe(theirChunks.join(''));
  });

  it('are equal for embeddings, both in base64, and decode to the same numbers', async () => {
    const vector = Buffer.alloc(8);
    vector.writeFloatLE(0.25, 0);
    vector.writeFloatLE(-1.5, 4);
    const { server, provider, official } = await pair({
      '/embeddings': json(200, {
        object: 'list',
        data: [{ object: 'embedding', index: 0, embedding: vector.toString('base64') }],
        model: 'text-embedding-3-small',
        usage: { prompt_tokens: 2, total_tokens: 2 },
      }),
    });
    const mine = await provider.embed({
      model: 'text-embedding-3-small',
      input: 'hi',
      dimensions: 2,
    });
    const theirs = await official.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'hi',
      dimensions: 2,
    });
    expect(server.requests[0]!.json).toEqual(server.requests[1]!.json);
    expect(mine.embeddings[0]).toEqual(Array.from(theirs.data[0]!.embedding));
  });

  it('read the same custom and function tool calls from a stream, and send them back alike', async () => {
    const deltas = [
      [{ index: 0, id: 'call_sql', type: 'custom', custom: { name: 'sql', input: '' } }],
      [{ index: 0, custom: { input: 'SELECT count(*) ' } }],
      [
        {
          index: 1,
          id: 'call_fn',
          type: 'function',
          function: { name: 'get_weather', arguments: '' },
        },
      ],
      [{ index: 0, custom: { input: 'FROM users' } }],
      [{ index: 1, function: { arguments: '{"city":"Paris"}' } }],
    ];
    const { server, provider, official } = await pair({
      '/chat/completions': [
        sse([
          chunk({ role: 'assistant', content: null }),
          ...deltas.map((toolCalls) => chunk({ tool_calls: toolCalls })),
          chunk({}, 'tool_calls'),
          usageChunk(),
          DONE,
        ]),
      ],
    });
    const sql = { type: 'custom' as const, custom: { name: 'sql' } };
    const user = { role: 'user' as const, content: 'Count the users; the weather in Paris?' };
    const answer = (
      await collect(provider.stream({ model: 'gpt-4o-mini', messages: [user], tools: [sql, tool] }))
    ).at(-1)!.response!;
    const stream = official.chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: [user],
      tools: [sql, tool],
    });
    const theirs = (await stream.finalChatCompletion()).choices[0]!.message.tool_calls;
    // Ours in OpenAI's shape, field by field: what each call holds must match theirs.
    const asWire = (call: OpenAIToolCall) =>
      call.type === 'custom'
        ? { id: call.id, type: 'custom', custom: { name: call.name, input: call.input } }
        : {
            id: call.id,
            type: 'function',
            function: { name: call.name, arguments: call.rawArguments },
          };
    expect(answer.toolCalls.map(asWire)).toEqual(theirs);

    const result = { role: 'tool' as const, content: '42', toolCallId: 'call_sql' };
    const messages: OpenAIChatMessage[] = [user, answer.message, result];
    await provider.complete({ model: 'gpt-4o-mini', messages, tools: [sql, tool] });
    await official.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        user,
        { role: 'assistant', content: null, tool_calls: theirs! },
        { role: 'tool', content: '42', tool_call_id: 'call_sql' },
      ],
      tools: [sql, tool],
    });
    const [, , mine, theirBody] = chats(server);
    expect(body(mine)).toEqual(body(theirBody));
  });
});
