// A function tool call the server leaves without a usable name fails the call, as a custom one
// does, rather than reaching the caller as a call of tool `''`; the shapes real OpenAI-compatible
// servers stream (the name in the first delta only, `name: null` after it) keep working.
import { MAX_TOOL_CALLS, TOO_MANY_TOOL_CALLS } from '@x/internal';
import { describe, expect, it } from 'vitest';
import { completion, sse } from './__fixtures__/server';
import { ask, collect, setup } from './__fixtures__/setup';
import { expectMalformedToolCall, streamedToolCalls } from './__fixtures__/tool-calls';
import { isOpenAIStreamError, type OpenAIStreamError } from './errors';
import type { OpenAIToolCall } from './types';

const weather = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: {} } },
};
const request = () => ask('The weather in Oslo?', { tools: [weather] });

const streamed = streamedToolCalls;

const wholeAnswer = (...calls: Array<Record<string, unknown>>) => [
  JSON.stringify(completion({ tool_calls: calls }, {}, 'tool_calls')),
];

const oslo = {
  id: 'call_1',
  index: 0,
  name: 'get_weather',
  arguments: { city: 'Oslo' },
  rawArguments: '{"city":"Oslo"}',
};

describe('a function tool call without a usable name', () => {
  const named = {
    id: 'call_1',
    type: 'function',
    function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
  };
  const cases: Array<[string, string[], string]> = [
    [
      'a whole call without a name',
      wholeAnswer({ id: 'c', type: 'function', function: { arguments: '{}' } }),
      'tool call 0 is a function call without `function.name`',
    ],
    [
      'a whole call whose name is null',
      wholeAnswer({ id: 'c', type: 'function', function: { name: null, arguments: '{}' } }),
      'tool call 0 is a function call without `function.name`',
    ],
    [
      'a whole call whose name is empty',
      wholeAnswer({ id: 'c', type: 'function', function: { name: '', arguments: '{}' } }),
      'tool call 0 is a function call without `function.name`',
    ],
    [
      'a whole call whose name is an object (its text never quoted)',
      wholeAnswer({ id: 'c', function: { name: { secret: 'sk-leak' }, arguments: '{}' } }),
      "tool call 0's `function.name` is object, not a string",
    ],
    [
      'a whole call with neither function nor type',
      wholeAnswer({ id: 'c' }),
      'tool call 0 is a function call without `function.name`',
    ],
    [
      'the second of two whole calls',
      wholeAnswer(named, { id: 'c2', type: 'function', function: { arguments: '{}' } }),
      'tool call 1 is a function call without `function.name`',
    ],
    [
      'a streamed call never named',
      streamed(
        [{ index: 0, id: 'c', type: 'function', function: { arguments: '{"city":' } }],
        [{ index: 0, function: { name: null, arguments: '"Oslo"}' } }],
      ),
      'tool call 0 is a function call without `function.name`',
    ],
    [
      'a streamed call whose name is only ever empty',
      streamed(
        [{ index: 0, id: 'c', type: 'function', function: { name: '', arguments: '' } }],
        [{ index: 0, function: { name: '', arguments: '{}' } }],
      ),
      'tool call 0 is a function call without `function.name`',
    ],
    [
      'a streamed name that is a number',
      streamed([{ index: 0, id: 'c', type: 'function', function: { name: 7, arguments: '' } }]),
      "tool call 0's `function.name` is number, not a string",
    ],
    [
      'a streamed second call never named, beside a named one',
      streamed(
        [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }],
        [{ index: 1, id: 'c2', type: 'function', function: { arguments: '{}' } }],
      ),
      'tool call 1 is a function call without `function.name`',
    ],
  ];

  it.each(cases)(
    'fails with an invalid-json OpenAIStreamError, sent once: %s',
    (_what, body, says) => expectMalformedToolCall(body, says, request),
  );

  it('keeps what arrived in the error, the nameless call included', async () => {
    const { provider } = await setup({
      '/chat/completions': sse(
        streamed([{ index: 0, id: 'c', type: 'function', function: { arguments: '{"a":1}' } }]),
      ),
    });
    const error = await collect(provider.stream(request())).catch((e: unknown) => e);
    expect(isOpenAIStreamError(error)).toBe(true);
    expect((error as OpenAIStreamError).partial.toolCalls).toEqual([
      { id: 'c', index: 0, name: '', arguments: { a: 1 }, rawArguments: '{"a":1}' },
    ]);
  });
});

describe('a function call named by its first delta only, as real servers stream it', () => {
  const opening = {
    index: 0,
    id: 'call_1',
    type: 'function',
    function: { name: 'get_weather', arguments: '' },
  };
  const cases: Array<[string, Array<Array<Record<string, unknown>>>]> = [
    // llama.cpp's server, LM Studio: the name once, then argument pieces alone.
    [
      'no name after the first delta',
      [
        [opening],
        [{ index: 0, function: { arguments: '{"city":' } }],
        [{ index: 0, function: { arguments: '"Oslo"}' } }],
      ],
    ],
    // vLLM: later deltas say `name: null` (and some repeat `type` and `id`).
    [
      '`name: null` after the first delta',
      [
        [{ ...opening, function: { name: 'get_weather' } }],
        [{ index: 0, function: { name: null, arguments: '{"city":' } }],
        [
          {
            index: 0,
            id: 'call_1',
            type: 'function',
            function: { name: null, arguments: '"Oslo"}' },
          },
        ],
      ],
    ],
    // A server opening with an empty name: the first non-empty one names the call.
    [
      'an empty name, then the name',
      [
        [{ ...opening, function: { name: '', arguments: '' } }],
        [{ index: 0, function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }],
      ],
    ],
    // Ollama's /v1: each call whole in one delta.
    [
      'the whole call in one delta',
      [[{ ...opening, function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }]],
    ],
    // Without `index`: the id of the first delta, then pieces that belong to the last call.
    [
      'no index, the name only first',
      [
        [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }],
        [{ function: { name: null, arguments: '{"city":"Oslo"}' } }],
      ],
    ],
  ];

  it.each(cases)('reads the call named: %s', async (_what, deltas) => {
    const { provider } = await setup({ '/chat/completions': sse(streamed(...deltas)) });
    const chunks = await collect(provider.stream(request()));
    expect(chunks.flatMap((c) => c.toolCalls ?? [])).toEqual([oslo]);
    expect(chunks.at(-1)!.response!.toolCalls).toEqual([oslo] satisfies OpenAIToolCall[]);
    expect((await provider.complete(request())).toolCalls).toEqual([oslo]);
  });
});

describe('an answer with more tool calls than any model makes', () => {
  it('fails as malformed at the call past the cap, streamed or whole, rather than holding them all', async () => {
    const call = (i: number) => ({
      index: i,
      id: `c${i}`,
      type: 'function',
      function: { name: 'get_weather', arguments: '{}' },
    });
    const calls = Array.from({ length: MAX_TOOL_CALLS + 1 }, (_, i) => call(i));
    const says = TOO_MANY_TOOL_CALLS;
    await expectMalformedToolCall(streamed(...calls.map((c) => [c])), says, request);
    await expectMalformedToolCall(wholeAnswer(...calls), says, request);
  }, 30_000);

  it('takes as many as the cap', async () => {
    const calls = Array.from({ length: MAX_TOOL_CALLS }, (_, i) => ({
      index: i,
      id: `c${i}`,
      type: 'function',
      function: { name: 'get_weather', arguments: '{}' },
    }));
    const { provider } = await setup({
      '/chat/completions': sse(streamed(...calls.map((c) => [c]))),
    });
    const answer = await provider.complete(request());
    expect(answer.toolCalls).toHaveLength(MAX_TOOL_CALLS);
  }, 30_000);
});
