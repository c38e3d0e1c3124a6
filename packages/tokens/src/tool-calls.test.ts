import { describe, expect, it } from 'vitest';
import { type HarmonyMessage, harmonyTokens } from './__fixtures__/harmony';
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

  it('are counted alike in the shapes of OpenAI, of Ollama and of @x/provider-core', () => {
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
