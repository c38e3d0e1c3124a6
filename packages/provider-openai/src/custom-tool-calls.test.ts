// Calls of OpenAI's custom tools (`type: 'custom'`, free-text input instead of JSON arguments),
// read from whole and streamed answers, sent back in the next request, and refused when a server
// sends them malformed; shapes as openai-node types them (ChatCompletionMessageCustomToolCall, the
// chunk delta's `ToolCall.custom`).
import { describe, expect, expectTypeOf, it } from 'vitest';
import { bytesOf, completion, json, sse } from './__fixtures__/server';
import { ask, chats, collect, setup } from './__fixtures__/setup';
import { expectMalformedToolCall, streamedToolCalls } from './__fixtures__/tool-calls';
import { isOpenAIStreamError, type OpenAIStreamError } from './errors';
import type { ChatRequest, OpenAIChatMessage, OpenAIToolCall } from './types';

const sql = {
  type: 'custom' as const,
  custom: {
    name: 'sql',
    format: { type: 'grammar', grammar: { syntax: 'lark', definition: 'start: "SELECT" /.+/' } },
  },
};
const weather = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: {} } },
};
const request = (extra: Partial<ChatRequest> = {}) =>
  ask('Count the users, and the weather in Oslo', { tools: [sql, weather], ...extra });

const QUERY = 'SELECT count(*) FROM users WHERE name = "Zoë"';
const customCall = { id: 'call_sql', type: 'custom', custom: { name: 'sql', input: QUERY } };
const functionCall = {
  id: 'call_fn',
  type: 'function',
  function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
};
const expected: OpenAIToolCall[] = [
  { type: 'custom', id: 'call_sql', index: 0, name: 'sql', input: QUERY, arguments: {} },
  {
    id: 'call_fn',
    index: 1,
    name: 'get_weather',
    arguments: { city: 'Oslo' },
    rawArguments: '{"city":"Oslo"}',
  },
];

const streamed = streamedToolCalls;

/** The input in pieces, as OpenAI streams it: the first delta names the call, the rest add text. */
const sqlDeltas = [
  [{ index: 0, id: 'call_sql', type: 'custom', custom: { name: 'sql', input: '' } }],
  [{ index: 0, custom: { input: 'SELECT count(*) ' } }],
  [
    { index: 0, custom: { input: 'FROM users ' } },
    { index: 1, id: 'call_fn', type: 'function', function: { name: 'get_weather', arguments: '' } },
  ],
  [{ index: 1, function: { arguments: '{"city":' } }],
  [{ index: 0, custom: { input: 'WHERE name = "Zoë"' } }],
  [{ index: 1, function: { arguments: '"Oslo"}' } }],
];

describe('a custom tool call in a whole answer', () => {
  it('is read with its name and input text, beside a function call', async () => {
    const { provider } = await setup({
      '/chat/completions': json(
        200,
        completion({ tool_calls: [customCall, functionCall] }, {}, 'tool_calls'),
      ),
    });
    const answer = await provider.complete(request());
    expect(answer.toolCalls).toEqual(expected);
    expect(answer.message.toolCalls).toEqual(expected);
    expect(answer.finishReason).toBe('tool_calls');
    const [call] = answer.toolCalls;
    // The union narrows on `type`: only a custom call has `input`.
    expect(call?.type === 'custom' ? call.input : call?.rawArguments).toBe(QUERY);
  });
});

describe('a custom tool call in a stream', () => {
  it('joins the input of several deltas, also when every byte is its own read', async () => {
    const events = streamed(...sqlDeltas);
    for (const writes of [events, bytesOf(events.join(''), 1)]) {
      const { provider } = await setup({ '/chat/completions': sse(writes) });
      const chunks = await collect(provider.stream(request()));
      const calls = chunks.flatMap((c) => c.toolCalls ?? []);
      expect(calls).toEqual(expected);
      // A chunk's calls have the answer's type: a custom call's `input` needs no cast.
      expectTypeOf(calls).toEqualTypeOf<OpenAIToolCall[]>();
      expect(calls.map((c) => (c.type === 'custom' ? c.input : c.rawArguments))).toEqual([
        QUERY,
        '{"city":"Oslo"}',
      ]);
      expect(chunks.at(-1)!.response).toMatchObject({
        finishReason: 'tool_calls',
        toolCalls: expected,
      });
      const answer = await provider.complete(request());
      expect(answer.toolCalls).toEqual(expected);
    }
  });

  it('does not double a name repeated in every delta', async () => {
    const { provider } = await setup({
      '/chat/completions': sse(
        streamed(
          [{ index: 0, id: 'call_sql', type: 'custom', custom: { name: 'sql', input: 'SELECT ' } }],
          [{ index: 0, type: 'custom', custom: { name: 'sql', input: '1' } }],
        ),
      ),
    });
    const answer = await provider.complete(request());
    expect(answer.toolCalls).toEqual([
      { type: 'custom', id: 'call_sql', index: 0, name: 'sql', input: 'SELECT 1', arguments: {} },
    ]);
  });

  it('is bounded by maxAnswerBytes as function arguments are, the input so far in the error', async () => {
    const piece = 'x'.repeat(1000);
    const pieces = Array.from({ length: 20 }, () => [{ index: 0, custom: { input: piece } }]);
    const { provider } = await setup(
      {
        '/chat/completions': sse(
          streamed(
            [{ index: 0, id: 'call_sql', type: 'custom', custom: { name: 'sql', input: '' } }],
            ...pieces,
          ),
        ),
      },
      { maxAnswerBytes: 8192 },
    );
    const error = await collect(provider.stream(request())).catch((e: unknown) => e);
    expect(isOpenAIStreamError(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'too-large' });
    const [call] = (error as OpenAIStreamError).partial.toolCalls as OpenAIToolCall[];
    expect(call).toMatchObject({ type: 'custom', name: 'sql' });
    expect(call?.input).toMatch(/^x{1000,7000}$/);
  });
});

describe('a conversation with a custom tool call', () => {
  it('sends the call back in the shape OpenAI gives it, with the tool message answering it', async () => {
    const { server, provider } = await setup({
      '/chat/completions': [
        json(200, completion({ tool_calls: [customCall] }, {}, 'tool_calls')),
        sse(streamed(...sqlDeltas.slice(0, 2))),
        json(200, completion({ content: '42 users.' })),
      ],
    });
    const messages: OpenAIChatMessage[] = [{ role: 'user', content: 'How many users?' }];
    const first = await provider.complete(request({ messages }));
    messages.push(first.message, { role: 'tool', content: '42', toolCallId: 'call_sql' });
    const second = (await collect(provider.stream(request({ messages })))).at(-1)!.response!;
    // A call written by hand is accepted as well as one of a reply.
    messages.push(
      second.message,
      { role: 'tool', content: '42', toolCallId: 'call_sql' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ type: 'custom', id: 'c3', name: 'sql', input: 'SELECT 2', arguments: {} }],
      },
      { role: 'tool', content: '2', toolCallId: 'c3' },
    );
    expect((await provider.complete(request({ messages }))).content).toBe('42 users.');
    const sent = chats(server).at(-1)!.json as { messages: Array<Record<string, unknown>> };
    const wire = (id: string, input: string) => ({
      role: 'assistant',
      content: null,
      tool_calls: [{ id, type: 'custom', custom: { name: 'sql', input } }],
    });
    expect(sent.messages.slice(1)).toEqual([
      wire('call_sql', QUERY),
      { role: 'tool', content: '42', tool_call_id: 'call_sql' },
      wire('call_sql', 'SELECT count(*) '),
      { role: 'tool', content: '42', tool_call_id: 'call_sql' },
      wire('c3', 'SELECT 2'),
      { role: 'tool', content: '2', tool_call_id: 'c3' },
    ]);
  });

  it("accepts a custom call written by hand without `arguments`, sent in OpenAI's shape", async () => {
    const { server, provider } = await setup({
      '/chat/completions': json(200, completion({ content: '1 row.' })),
    });
    const messages: OpenAIChatMessage[] = [
      { role: 'user', content: 'Run it' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ type: 'custom', id: 'c1', name: 'sql', input: 'SELECT 1' }],
      },
      { role: 'tool', toolCallId: 'c1', content: '1' },
    ];
    expectTypeOf(messages[1]!).toExtend<ChatRequest['messages'][number]>();
    expectTypeOf({ type: 'custom' as const, name: 'sql', input: 'SELECT 1' }).toExtend<
      NonNullable<OpenAIChatMessage['toolCalls']>[number]
    >();
    expect((await provider.complete(request({ messages }))).content).toBe('1 row.');
    const sent = chats(server).at(-1)!.json as { messages: Array<Record<string, unknown>> };
    expect(sent.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c1', type: 'custom', custom: { name: 'sql', input: 'SELECT 1' } }],
      },
      { role: 'tool', content: '1', tool_call_id: 'c1' },
    ]);
  });

  it('still refuses a function call without `arguments`, with the same message', async () => {
    const { server, provider } = await setup({ '/chat/completions': json(200, completion({})) });
    for (const call of [
      { id: 'f1', name: 'get_weather' },
      { id: 'f1', type: 'function', name: 'get_weather' },
    ]) {
      const messages = [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: '', toolCalls: [call] },
      ] as ChatRequest['messages'];
      const error = await provider.complete(request({ messages })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toContain(
        'Expected `request.messages[1].toolCalls[0]` to be an object with `name` and object `arguments`',
      );
    }
    expect(chats(server)).toHaveLength(0);
  });

  it('refuses a malformed custom call in messages before sending, naming the field', async () => {
    const { server, provider } = await setup({ '/chat/completions': json(200, completion({})) });
    const at = '`request.messages[1].toolCalls[0]';
    const refused: Array<[Record<string, unknown>, string, ErrorConstructor]> = [
      [{ type: 'custom', name: 'sql', arguments: {} }, `${at}.input\` to be a string`, TypeError],
      [
        { type: 'custom', name: 'sql', input: 1, arguments: {} },
        `${at}.input\` to be a string`,
        TypeError,
      ],
      // A string where the other kind of call has its field: the right type, refused beside
      // `type`, a RangeError.
      [
        { name: 'f', arguments: {}, input: 'x' },
        `${at}.input\` to be left out of a function call`,
        RangeError,
      ],
      [
        { name: 'f', arguments: {}, input: 5 },
        `${at}.input\` to be left out of a function call`,
        TypeError,
      ],
      [
        { type: 'custom', name: 'sql', input: 'x', arguments: {}, rawArguments: '{}' },
        `${at}.rawArguments\` to be left out of a custom call`,
        RangeError,
      ],
      // The right type, a value not among those accepted: a RangeError, as the house check says.
      [{ type: 'tool', name: 'f', arguments: {} }, `${at}.type\``, RangeError],
    ];
    for (const [call, says, kind] of refused) {
      const messages = [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: '', toolCalls: [call] },
      ] as ChatRequest['messages'];
      const error = await provider.complete(request({ messages })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(kind);
      expect((error as Error).message).toContain(says);
    }
    expect(chats(server)).toHaveLength(0);
  });
});

describe('a malformed custom tool call from the server', () => {
  const named = { index: 0, id: 'call_sql', type: 'custom', custom: { name: 'sql', input: '' } };
  const cases: Array<[string, string[], string]> = [
    [
      'a whole call without a name',
      [
        JSON.stringify(
          completion({ tool_calls: [{ id: 'c', type: 'custom', custom: { input: 'x' } }] }),
        ),
      ],
      'tool call 0 is a custom call without `custom.name`',
    ],
    [
      'a whole call whose input is not a string',
      [
        JSON.stringify(
          completion({ tool_calls: [{ ...customCall, custom: { name: 'sql', input: { q: 1 } } }] }),
        ),
      ],
      "tool call 0's `custom.input` is object, not a string",
    ],
    [
      'a whole call without input',
      [
        JSON.stringify(
          completion({ tool_calls: [{ id: 'c', type: 'custom', custom: { name: 'sql' } }] }),
        ),
      ],
      "tool call 0's `custom.input` is undefined, not a string",
    ],
    [
      'a streamed call never named',
      streamed([{ index: 0, id: 'c', type: 'custom', custom: { input: 'SELECT' } }]),
      'tool call 0 is a custom call without `custom.name`',
    ],
    [
      'a streamed delta whose input is a number',
      streamed([named], [{ index: 0, custom: { input: 7 } }]),
      "tool call 0's `custom.input` is number, not a string",
    ],
    [
      'a streamed name that is not a string',
      streamed([{ index: 0, type: 'custom', custom: { name: ['sql'], input: '' } }]),
      "tool call 0's `custom.name` is array, not a string",
    ],
    [
      'a custom call that turns into a function call',
      streamed([named], [{ index: 0, function: { arguments: '{}' } }]),
      'tool call 0 changes from a custom to a function call',
    ],
  ];

  it.each(cases)(
    'fails with an invalid-json OpenAIStreamError, sent once: %s',
    (_what, body, says) => expectMalformedToolCall(body, says, request),
  );
});
