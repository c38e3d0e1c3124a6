import { describe, expect, it } from 'vitest';
import { createCalibrator } from './calibrator';
import { countChatTokens } from './chat';
import { estimateTokens } from './estimate';

const wrongNames: unknown[] = [123, ['a'], null, { first: 'a' }, true];
const gpt = { model: 'gpt-4o' };
const question = { role: 'user', content: 'weather?' };

// The three shapes a call is read in: OpenAI's wire (`function`, `custom`) and provider-core's.
const shapes = {
  function: (name: unknown) => ({
    tool_calls: [
      { id: 'a', type: 'function', function: { name: 'ok', arguments: '{}' } },
      { id: 'b', type: 'function', function: { name, arguments: '{}' } },
    ],
  }),
  custom: (name: unknown) => ({
    tool_calls: [{ id: 'a', type: 'custom', custom: { name, input: 'x' } }],
  }),
  core: (name: unknown) => ({ toolCalls: [{ id: 'a', name, arguments: {} }] }),
  legacy: (name: unknown) => ({ function_call: { name, arguments: '{}' } }),
};
const paths = {
  function: 'tool_calls[1].function.name',
  custom: 'tool_calls[0].custom.name',
  core: 'toolCalls[0].name',
  legacy: 'function_call.name',
};

function chat(shape: keyof typeof shapes, name: unknown): never {
  return [
    question,
    question,
    { role: 'assistant', content: null, ...shapes[shape](name) },
  ] as never;
}

describe("a tool call's name", () => {
  it('is a TypeError naming messages[i]…name when it is not a string (countChatTokens)', () => {
    for (const shape of Object.keys(shapes) as (keyof typeof shapes)[]) {
      for (const name of wrongNames) {
        expect(() => countChatTokens(chat(shape, name), gpt), `${shape} ${String(name)}`).toThrow(
          TypeError,
        );
      }
      expect(() => countChatTokens(chat(shape, 123), gpt), shape).toThrow(
        new TypeError(
          `Expected \`messages[2].${paths[shape]}\` to be a string, got \`123\` (number)`,
        ),
      );
    }
    expect(() => countChatTokens(chat('function', null), gpt)).toThrow(
      new TypeError(
        'Expected `messages[2].tool_calls[1].function.name` to be a string, got `null` (null)',
      ),
    );
  });

  it('is a TypeError naming input[i]…name in estimateTokens, with or without an encoding', () => {
    for (const options of [gpt, { model: 'llama3.1' }, {}]) {
      expect(() => estimateTokens(chat('function', ['a']), options)).toThrow(
        /^Expected `input\[2\]\.tool_calls\[1\]\.function\.name` to be a string, got/,
      );
      expect(() => estimateTokens(chat('core', 7), options)).toThrow(TypeError);
    }
  });

  it("is a TypeError naming the observation's input in a calibrator", () => {
    const calibrator = createCalibrator();
    expect(() =>
      calibrator.observe({ model: 'gpt-4o', input: chat('legacy', 1), actualTokens: 10 }),
    ).toThrow(/^Expected `observation\.input\[2\]\.function_call\.name` to be a string/);
  });

  it('is counted when a string, and may be left out', () => {
    for (const shape of Object.keys(shapes) as (keyof typeof shapes)[]) {
      const without = countChatTokens(chat(shape, undefined), gpt);
      expect(countChatTokens(chat(shape, 'get_weather'), gpt), shape).toBeGreaterThan(without);
      expect(estimateTokens(chat(shape, 'get_weather'), gpt).tokens).toBeGreaterThan(0);
    }
  });
});

describe("a tool definition's name", () => {
  it('is a TypeError naming tools[i].function.name when it is not a string', () => {
    const tools = [{ type: 'function', function: { name: 5 } }] as never;
    expect(() => countChatTokens([question] as never, { ...gpt, tools })).toThrow(
      new TypeError('Expected `tools[0].function.name` to be a non-empty string, got `5` (number)'),
    );
  });
});
