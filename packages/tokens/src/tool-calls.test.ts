import { describe, expect, it } from 'vitest';
import { type HarmonyMessage, harmonyTokens } from './__fixtures__/harmony';
import { measuredGpt35 } from './__fixtures__/measured-calls';
import { createCalibrator } from './calibrator';
import { countChatTokens } from './chat';
import { countTokens } from './count-tokens';
import { estimateTokens } from './estimate';
import type { ChatMessage } from './types';

const user = {
  role: 'user',
  content: 'What is the weather in Paris, and what did I ask yesterday?',
};
const calls = [
  { name: 'get_current_weather', arguments: '{"location":"Paris, FR","format":"celsius"}' },
  { name: 'search_documents_by_keyword', arguments: '{"keyword":"yesterday","limit":10}' },
  { name: 'getWeather', arguments: '{"city":"Oslo"}' },
  { name: 'lookup', arguments: '{}' },
];
const assistant = (made: typeof calls, content: string | null = null): ChatMessage => ({
  role: 'assistant',
  content,
  tool_calls: made.map((call, i) => ({
    id: `call_${i}`,
    type: 'function',
    function: { name: call.name, arguments: call.arguments },
  })),
});
const harmony = (made: typeof calls): HarmonyMessage[] =>
  made.map((call) => ({ call: call.name, arguments: call.arguments }));

describe('the tool calls of an assistant message', () => {
  it("cost what harmony's rendering of them costs on o200k_base, one call or several", () => {
    const base = countChatTokens([user], { model: 'gpt-4o' });
    const rendered = harmonyTokens([user]);
    for (const made of [calls.slice(0, 1), calls.slice(1, 2), calls.slice(2), calls]) {
      const counted = countChatTokens([user, assistant(made)], { model: 'gpt-4o' }) - base;
      expect(counted).toBe(harmonyTokens([user, ...harmony(made)]) - rendered);
      // The same when the calls come as `content: ''` or without `content`.
      const { content: _, ...absent } = assistant(made);
      expect(countChatTokens([user, absent], { model: 'gpt-4o' }) - base).toBe(counted);
      expect(countChatTokens([user, assistant(made, '')], { model: 'gpt-4o' }) - base).toBe(
        counted,
      );
    }
  });

  it('add 12 tokens each beyond their names and arguments when the message has text too', () => {
    const text = 'Let me check both.';
    const without = countChatTokens([user, { role: 'assistant', content: text }], {
      model: 'gpt-4o',
    });
    const withCalls = countChatTokens([user, assistant(calls.slice(0, 2), text)], {
      model: 'gpt-4o',
    });
    const own = calls
      .slice(0, 2)
      .reduce((n, c) => n + countTokens(c.name) + countTokens(c.arguments), 0);
    expect(withCalls - without).toBe(own + 2 * 12);
  });

  it('are counted alike in the shapes of OpenAI (function_call too), Ollama and @x/provider-core', () => {
    const args = { location: 'Paris, FR', format: 'celsius' };
    const openai = assistant(calls.slice(0, 1), '');
    const shapes: ChatMessage[] = [
      // Ollama's wire: `function.arguments` is an object.
      {
        role: 'assistant',
        content: '',
        tool_calls: [{ function: { name: 'get_current_weather', arguments: args as never } }],
      },
      // @x/provider-core's messages (the providers estimate with them): `toolCalls`, fields on
      // the call, arguments an object.
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ name: 'get_current_weather', arguments: args }],
      },
      // OpenAI's deprecated `functions` API, still accepted: one call as `function_call`.
      {
        role: 'assistant',
        content: '',
        function_call: { name: 'get_current_weather', arguments: calls[0]!.arguments },
      },
    ];
    for (const model of ['gpt-4o', 'llama3.2', 'mistral', 'claude-sonnet-4-5']) {
      const expected = estimateTokens([user, openai], { model });
      for (const message of shapes)
        expect(estimateTokens([user, message], { model })).toEqual(expected);
    }
  });

  it("raise a heuristic estimate by their own estimates and harmony's framing", () => {
    const options = { model: 'llama3.2' };
    const base = estimateTokens([user, { role: 'assistant', content: '' }], options).tokens;
    const made = calls.slice(0, 2);
    const withCalls = estimateTokens([user, assistant(made, '')], options).tokens;
    const own = made.reduce(
      (n, c) =>
        n + estimateTokens(c.name, options).tokens + estimateTokens(c.arguments, options).tokens,
      0,
    );
    // Two calls: 12 each, less the 4 of the empty message that the first one stands in for.
    expect(Math.abs(withCalls - base - own - (2 * 12 - 4))).toBeLessThanOrEqual(2);
  });
});

describe('tool calls on cl100k_base', () => {
  it('match what gpt-3.5-turbo billed for calls and results, function_call included', () => {
    for (const { label, messages, promptTokens } of measuredGpt35) {
      expect({ label, counted: countChatTokens(messages, { model: 'gpt-3.5-turbo' }) }).toEqual({
        label,
        counted: promptTokens,
      });
    }
  });

  it('add 3 tokens each beyond their names and arguments, with text or without', () => {
    const options = { model: 'gpt-4' };
    for (const content of [null, '', 'Let me check both.']) {
      const without = countChatTokens([user, { role: 'assistant', content }], options);
      const made = calls.slice(0, 2);
      const own = made.reduce(
        (n, c) =>
          n +
          countTokens(c.name, { encoding: 'cl100k_base' }) +
          countTokens(c.arguments, { encoding: 'cl100k_base' }),
        0,
      );
      expect(countChatTokens([user, assistant(made, content)], options) - without).toBe(own + 6);
    }
  });
});

describe('the results of tool calls', () => {
  const made = calls.slice(0, 3);
  const results = made.map((call, i) => ({
    role: 'tool',
    tool_call_id: `call_${i}`,
    content: `{"ok":true,"for":"${call.name}"}`,
  }));

  it("cost what harmony's rendering of them costs on o200k_base, named by function, not id", () => {
    const base = countChatTokens([user], { model: 'gpt-4o' });
    const rendered =
      harmonyTokens([
        user,
        ...harmony(made),
        ...made.map((call, i) => ({ result: call.name, content: results[i]!.content })),
      ]) - harmonyTokens([user]);
    const counted = (messages: ChatMessage[]) =>
      countChatTokens([user, ...messages], { model: 'gpt-4o' }) - base;
    expect(counted([assistant(made), ...results])).toBe(rendered);
    // OpenAI's ids (`call_` and 24 letters and digits) cost nothing more than short ones.
    const id = (i: number) => `call_tHfowN9l9wbWUayh7ooPDuZ${i}`;
    const long = results.map((r, i) => ({ ...r, tool_call_id: id(i) }));
    const longCalls: ChatMessage = {
      role: 'assistant',
      content: null,
      tool_calls: made.map((call, i) => ({
        id: id(i),
        type: 'function',
        function: { name: call.name, arguments: call.arguments },
      })),
    };
    expect(counted([longCalls, ...long])).toBe(rendered);
  });

  it("are named alike in @x/provider-core's shape (toolCalls, toolCallId, toolName)", () => {
    const counted = (messages: ChatMessage[]) => countChatTokens(messages, { model: 'gpt-4o' });
    const openai = counted([user, assistant(made), ...results]);
    const core: ChatMessage[] = [
      user,
      {
        role: 'assistant',
        content: '',
        toolCalls: made.map((call, i) => ({
          id: `call_${i}`,
          name: call.name,
          arguments: JSON.parse(call.arguments) as Record<string, unknown>,
        })),
      },
      ...results.map((r) => ({ role: 'tool', toolCallId: r.tool_call_id, content: r.content })),
    ];
    expect(counted(core)).toBe(openai);
    const byName = core.map((m) =>
      m.role === 'tool'
        ? { role: 'tool', toolName: made[core.indexOf(m) - 2]!.name, content: m.content }
        : m,
    );
    expect(counted(byName)).toBe(openai);
  });

  it("name a result by the message's own name when its id answers no call of the request", () => {
    const orphan = { role: 'tool', tool_call_id: 'call_x', name: 'lookup', content: '42' };
    const base = countChatTokens([user], { model: 'gpt-4o' });
    expect(countChatTokens([user, orphan], { model: 'gpt-4o' }) - base).toBe(
      harmonyTokens([user, { result: 'lookup', content: '42' }]) - harmonyTokens([user]),
    );
    // A deprecated `function` result is named by its `name`, as harmony names every result.
    const legacy = { role: 'function', name: 'lookup', content: '42' };
    expect(countChatTokens([user, legacy], { model: 'gpt-4o' }) - base).toBe(
      countChatTokens([user, orphan], { model: 'gpt-4o' }) - base,
    );
  });

  it('count the text parts of their content as they count a string', () => {
    const asParts = results.map((r) => ({
      ...r,
      content: [{ type: 'text', text: r.content }],
    }));
    for (const model of ['gpt-4o', 'gpt-4']) {
      expect(countChatTokens([user, assistant(made), ...asParts], { model })).toBe(
        countChatTokens([user, assistant(made), ...results], { model }),
      );
    }
  });

  it('count as text when nothing names their function', () => {
    const orphan = { role: 'tool', tool_call_id: 'call_x', content: '42' };
    const base = countChatTokens([user], { model: 'gpt-4o' });
    expect(countChatTokens([user, orphan], { model: 'gpt-4o' }) - base).toBe(
      3 + countTokens('tool') + countTokens('call_x') + countTokens('42'),
    );
  });
});

describe('tool-call arguments with no JSON form', () => {
  const circular: Record<string, unknown> = { city: 'Paris' };
  circular.self = circular;
  const cases = [
    ['a cycle', circular],
    ['a BigInt', { n: 10n }],
    [
      'a toJSON that throws',
      {
        toJSON() {
          throw new Error('no');
        },
      },
    ],
  ] as const;

  for (const [what, args] of cases) {
    it(`are a TypeError naming the call, counted or estimated (${what})`, () => {
      const messages = [
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: '',
          tool_calls: [
            { id: 'a', type: 'function', function: { name: 'ok', arguments: '{}' } },
            { id: 'b', type: 'function', function: { name: 'get_weather', arguments: args } },
          ],
        },
      ] as unknown as ChatMessage[];
      const expected =
        /^Expected `messages\[1\]\.tool_calls\[1\]\.function\.arguments` to be an object of JSON values \(it is sent as JSON\), got /;
      expect(() => countChatTokens(messages, { model: 'gpt-4o' })).toThrow(TypeError);
      expect(() => countChatTokens(messages, { model: 'gpt-4o' })).toThrow(expected);
      // Each names the field where its caller gave it: an estimate's `input`, an observation's.
      expect(() => estimateTokens(messages, { model: 'llama3.2' })).toThrow(
        /^Expected `input\[1\]\.tool_calls\[1\]\.function\.arguments` to be/,
      );
      expect(() =>
        createCalibrator().observe({ model: 'llama3.2', input: messages, actualTokens: 40 }),
      ).toThrow(/^Expected `observation\.input\[1\]\.tool_calls\[1\]\.function\.arguments` to be/);
      // provider-core's shape: the arguments on the call
      const core = [
        { role: 'assistant', content: '', toolCalls: [{ id: 'b', name: 'f', arguments: args }] },
      ] as unknown as ChatMessage[];
      expect(() => countChatTokens(core, { model: 'gpt-4o' })).toThrow(
        /^Expected `messages\[0\]\.toolCalls\[0\]\.arguments` to be/,
      );
    });
  }
});
