import { describe, expect, it } from 'vitest';
import { cookbookMessages, cookbookToolMessages, cookbookTools } from './__fixtures__/cookbook';
import { countChatTokens, messageStrings } from './chat';
import { fitsContext } from './context';
import { countTokens } from './count-tokens';
import { clearCountCache, getCounter } from './encodings';
import { NoExactTokenizerError } from './errors';
import { estimateTokens } from './estimate';
import type { ChatMessage, ToolDefinition, ToolProperty } from './types';

describe('countChatTokens', () => {
  it("returns OpenAI's billed 124 on gpt-4o and 129 on gpt-4 for the cookbook's six messages", () => {
    expect(countChatTokens(cookbookMessages, { model: 'gpt-4o' })).toBe(124);
    expect(countChatTokens(cookbookMessages, { model: 'gpt-4o-mini' })).toBe(124);
    expect(countChatTokens(cookbookMessages, { model: 'gpt-4' })).toBe(129);
    expect(countChatTokens(cookbookMessages, { model: 'gpt-3.5-turbo' })).toBe(129);
  });

  it("returns OpenAI's billed 101 on gpt-4o and 105 on gpt-4 when the cookbook's tool is sent", () => {
    const options = { tools: cookbookTools };
    expect(countChatTokens(cookbookToolMessages, { model: 'gpt-4o', ...options })).toBe(101);
    expect(countChatTokens(cookbookToolMessages, { model: 'gpt-4', ...options })).toBe(105);
  });

  it('adds 3 per message and 3 for reply priming when messages are counted', () => {
    const message = { role: 'user', content: 'Hello there, how are you?' };
    const strings = countTokens('user') + countTokens(message.content);
    expect(countChatTokens([message], { model: 'gpt-4o' })).toBe(strings + 3 + 3);
    expect(countChatTokens([message, message], { model: 'gpt-4o' })).toBe(2 * (strings + 3) + 3);
    expect(countChatTokens([], { model: 'gpt-4o' })).toBe(3);
  });

  it('adds the name and 1 more token when a message has a name', () => {
    const base = countChatTokens([{ role: 'user', content: 'Hi' }], { model: 'gpt-4o' });
    const named = countChatTokens([{ role: 'user', name: 'alice', content: 'Hi' }], {
      model: 'gpt-4o',
    });
    expect(named - base).toBe(countTokens('alice') + 1);
  });

  it('counts text parts and ignores image parts when content is an array', () => {
    const text = countChatTokens([{ role: 'user', content: 'Describe this picture' }], {
      model: 'gpt-4o',
    });
    const parts = countChatTokens(
      [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Describe this picture' },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
          ],
        },
      ],
      { model: 'gpt-4o' },
    );
    expect(parts).toBe(text);
  });

  it("counts tool call names, arguments and harmony's framing when the assistant called a tool", () => {
    const base = countChatTokens([{ role: 'assistant', content: '' }], { model: 'gpt-4o' });
    const withCall = countChatTokens(
      [
        {
          role: 'assistant',
          content: '',
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } },
          ],
        },
      ],
      { model: 'gpt-4o' },
    );
    // 12 for the call's own `<|start|>assistant<|channel|>…<|call|>`, less the 4 of the empty
    // message it stands in for (see src/tool-calls.test.ts).
    expect(withCall - base).toBe(countTokens('lookup') + countTokens('{"q":"x"}') + 8);
  });

  it('adds per-property and enum overhead when tools have parameters', () => {
    const tool = (properties: Record<string, ToolProperty>): ToolDefinition[] => [
      {
        type: 'function',
        function: { name: 'f', description: 'Does f.', parameters: { properties } },
      },
    ];
    const none = countChatTokens([], { model: 'gpt-4o', tools: tool({}) });
    // 7 per function + "f:Does f" (trailing dot dropped) + 12 at the end + 3 priming.
    expect(none).toBe(7 + countTokens('f:Does f') + 12 + 3);
    const one = countChatTokens([], { model: 'gpt-4o', tools: tool({ a: { type: 'string' } }) });
    expect(one - none).toBe(3 + 3 + countTokens('a:string:'));
    const withEnum = countChatTokens([], {
      model: 'gpt-4o',
      tools: tool({ a: { type: 'string', enum: ['x', 'y'] } }),
    });
    expect(withEnum - one).toBe(-3 + 2 * 3 + countTokens('x') + countTokens('y'));
  });

  it('throws NoExactTokenizerError when the model is not an OpenAI encoding', () => {
    expect(() => countChatTokens(cookbookMessages, { model: 'gemini-2.5-flash' })).toThrow(
      NoExactTokenizerError,
    );
  });

  it('throws TypeError when messages or tools are malformed', () => {
    expect(() => countChatTokens('hi' as never, { model: 'gpt-4o' })).toThrow(
      'Expected `messages` to be an array, got `"hi"` (string)',
    );
    expect(() => countChatTokens([{ content: 'x' } as never], { model: 'gpt-4o' })).toThrow(
      'Expected `messages[0].role` to be a string',
    );
    expect(() =>
      countChatTokens([], { model: 'gpt-4o', tools: [{ function: {} } as never] }),
    ).toThrow('Expected `tools[0].function.name` to be a non-empty string');
    expect(() => countChatTokens([], undefined as never)).toThrow(TypeError);
  });

  // Content of another type was read as no text: 0 tokens, and `fits: true` for any size.
  it('throws TypeError naming a content that is not a string, null or an array of parts', () => {
    const text = 'lorem ipsum '.repeat(2_000);
    for (const content of [{ text }, 5, true]) {
      const messages = [{ role: 'user', content } as never];
      expect(() => countChatTokens(messages, { model: 'gpt-4o' })).toThrow(
        /^Expected `messages\[0\]\.content` to be a string, null or an array of content parts, got /,
      );
      expect(() => estimateTokens(messages, { model: 'llama3.2' })).toThrow(
        /^Expected `input\[0\]\.content` to be a string, null or an array/,
      );
      expect(() => fitsContext(messages, { model: 'llama3.2', contextWindow: 4096 })).toThrow(
        TypeError,
      );
    }
    const parts = (part: unknown) => [
      { role: 'user', content: 'hi' },
      { role: 'user', content: [{ type: 'text', text: 'a' }, part] } as never,
    ];
    expect(() => countChatTokens(parts('text'), { model: 'gpt-4o' })).toThrow(
      'Expected `messages[1].content[1]` to be a content part object, got `"text"` (string)',
    );
    expect(() =>
      countChatTokens(parts({ type: 'text', text: { text } }), { model: 'gpt-4o' }),
    ).toThrow('Expected `messages[1].content[1].text` to be a string');
    expect(() => estimateTokens(parts(null), { model: 'claude-sonnet-4-5' })).toThrow(TypeError);
    // What is allowed stays allowed: null, undefined, parts without text (an image).
    const fine = [
      { role: 'assistant', content: null },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x' } }] },
      { role: 'user' },
    ];
    expect(countChatTokens(fine, { model: 'gpt-4o' })).toBeGreaterThan(0);
  });
});

describe('the memo of message texts', () => {
  const counter = () => getCounter('o200k_base');

  it('counts a resent message once and a changed one again, with the same counts as countTokens', () => {
    clearCountCache();
    const system = { role: 'system', content: 'You are a concise assistant.' };
    const first = countChatTokens([system, { role: 'user', content: 'Hi' }], { model: 'gpt-4o' });
    const held = counter().cachedTexts;
    expect(held).toBe(4); // 'system', its content, 'user', 'Hi'
    expect(countChatTokens([system, { role: 'user', content: 'Hi' }], { model: 'gpt-4o' })).toBe(
      first,
    );
    expect(counter().cachedTexts).toBe(held);
    const edited = 'Hi, and a longer question with 12345 numbers in it?';
    expect(countChatTokens([system, { role: 'user', content: edited }], { model: 'gpt-4o' })).toBe(
      first - countTokens('Hi') + countTokens(edited),
    );
    expect(counter().cachedTexts).toBe(held + 1);
  });

  it('counts a text over 64 Ki characters every time, without holding it', () => {
    clearCountCache();
    const long = 'word '.repeat(20_000);
    const count = countChatTokens([{ role: 'user', content: long }], { model: 'gpt-4o' });
    expect(count).toBe(countTokens('user') + countTokens(long) + 3 + 3);
    expect(counter().cachedTexts).toBe(1); // 'user' only
  });

  it('is emptied by clearCountCache() and counts the same afterwards', () => {
    const messages = [{ role: 'user', content: 'Count me twice.' }];
    const before = countChatTokens(messages, { model: 'gpt-4o' });
    expect(counter().cachedTexts).toBeGreaterThan(0);
    clearCountCache();
    expect(counter().cachedTexts).toBe(0);
    expect(countChatTokens(messages, { model: 'gpt-4o' })).toBe(before);
  });
});

describe('tool definitions', () => {
  const tool = (fn: object) => [{ type: 'function', function: { name: 'f', ...fn } }] as never;
  const cases: [object, string][] = [
    [
      { description: 123 },
      'Expected `tools[0].function.description` to be a string, got `123` (number)',
    ],
    [{ description: {} }, 'Expected `tools[0].function.description` to be a string'],
    [{ parameters: 'x' }, 'Expected `tools[0].function.parameters` to be an object'],
    [{ parameters: { properties: [] } }, 'Expected `tools[0].function.parameters.properties`'],
    [
      { parameters: { properties: { a: 1 } } },
      'Expected `tools[0].function.parameters.properties.a` to be an object',
    ],
    [
      { parameters: { properties: { a: { type: Symbol('t') } } } },
      'Expected `tools[0].function.parameters.properties.a.type` to be a string or an array of strings',
    ],
    [
      { parameters: { properties: { a: { type: ['x', 1] } } } },
      'Expected `tools[0].function.parameters.properties.a.type` to be a string or an array of strings',
    ],
    [
      { parameters: { properties: { a: { description: {} } } } },
      'Expected `tools[0].function.parameters.properties.a.description` to be a string',
    ],
    [
      { parameters: { properties: { a: { enum: 'x' } } } },
      'Expected `tools[0].function.parameters.properties.a.enum` to be an array',
    ],
  ];

  it('throws a TypeError naming the field when a field the count reads has the wrong type', () => {
    for (const [fn, message] of cases) {
      expect(() => countChatTokens([], { model: 'gpt-4o', tools: tool(fn) }), message).toThrow(
        message,
      );
      expect(() => estimateTokens('hi', { model: 'llama3', tools: tool(fn) }), message).toThrow(
        message,
      );
      expect(() => countChatTokens([], { model: 'gpt-4o', tools: tool(fn) })).toThrow(TypeError);
    }
    // Absent optional fields and keys the count does not read are accepted.
    const tools = tool({
      description: undefined,
      parameters: { type: 'object', properties: { a: { type: ['string', 'null'], extra: 1 } } },
      strict: true,
    });
    expect(countChatTokens([], { model: 'gpt-4o', tools })).toBeGreaterThan(0);
  });
});

describe('messageStrings', () => {
  const strings = (message: object) => {
    const out: string[] = ['stale', 'stale', 'stale', 'stale'];
    return out.slice(0, messageStrings(message as ChatMessage, out, 0));
  };

  it('lists the strings of a message in its own key order, the common two-key one included', () => {
    expect(strings({ role: 'user', content: 'hi' })).toEqual(['user', 'hi']);
    expect(strings({ content: 'hi', role: 'user' })).toEqual(['hi', 'user']);
    expect(strings({ role: 'user', content: 'hi', name: 'ann' })).toEqual(['user', 'hi', 'ann']);
    expect(strings({ role: 'user', name: 'ann' })).toEqual(['user', 'ann']);
  });

  it('reads parts and tool calls when content is not a string', () => {
    const parts = { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'image' }] };
    expect(strings(parts)).toEqual(['user', 'a']);
    const call = {
      role: 'assistant',
      content: '',
      tool_calls: [{ function: { name: 'f', arguments: '{}' } }],
    };
    expect(strings(call)).toEqual(['assistant', '', 'f', '{}']);
  });
});
