// OpenAI's custom tools (`type: 'custom'`): a call's free-text input and a tool's grammar are
// counted, on the high side since OpenAI does not publish how it renders them, and their fields
// are checked like a function tool's.
import { describe, expect, it } from 'vitest';
import { createCalibrator } from './calibrator';
import { countChatTokens, messageStrings } from './chat';
import { countTokens } from './count-tokens';
import { estimateTokens } from './estimate';
import type { ChatMessage, ChatTool, CustomToolDefinition } from './types';

const QUERY = 'SELECT name, count(*) AS n FROM users WHERE created_at > date("now", "-7 days")';
/** A Lark grammar of some length, as a real one for SQL or a DSL is. */
const GRAMMAR = [
  'start: select_stmt',
  'select_stmt: "SELECT" columns "FROM" table where_clause? group_clause? ";"?',
  'columns: column ("," column)*',
  'column: NAME ("AS" NAME)? | aggregate ("AS" NAME)?',
  'aggregate: ("count" | "sum" | "avg" | "min" | "max") "(" (NAME | "*") ")"',
  'table: NAME',
  'where_clause: "WHERE" condition (("AND" | "OR") condition)*',
  'condition: NAME OP value',
  'group_clause: "GROUP BY" NAME ("," NAME)*',
  'value: NUMBER | ESCAPED_STRING | NAME "(" value ("," value)* ")"',
  'OP: "=" | "<>" | "<" | ">" | "<=" | ">="',
  '%import common.CNAME -> NAME',
  '%import common.NUMBER',
  '%import common.ESCAPED_STRING',
  '%import common.WS',
  '%ignore WS',
].join('\n');

const sql = (format?: CustomToolDefinition['custom']['format']): CustomToolDefinition => ({
  type: 'custom',
  custom: format === undefined ? { name: 'sql' } : { name: 'sql', format },
});
const grammarTool = sql({ type: 'grammar', grammar: { syntax: 'lark', definition: GRAMMAR } });
const assistant = (toolCalls: ChatMessage['tool_calls']): ChatMessage => ({
  role: 'assistant',
  content: '',
  tool_calls: toolCalls,
});
const customCall = { id: 'call_1', type: 'custom' as const, custom: { name: 'sql', input: QUERY } };

describe("a custom tool call's input", () => {
  it('is counted as its name and input, as a function call is as its name and arguments', () => {
    const base = countChatTokens([assistant([])], { model: 'gpt-4o' });
    const withCall = countChatTokens([assistant([customCall])], { model: 'gpt-4o' });
    // And a function call's framing: 12, less the 4 of the empty message it stands in for.
    expect(withCall - base).toBe(countTokens('sql') + countTokens(QUERY) + 8);
    const functionCall = { id: 'call_1', function: { name: 'sql', arguments: QUERY } };
    expect(countChatTokens([assistant([functionCall])], { model: 'gpt-4o' })).toBe(withCall);
    expect(countTokens(QUERY)).toBeGreaterThan(15);
  });

  it('raises a heuristic estimate by about its own estimate', () => {
    const options = { model: 'llama3.2' };
    const base = estimateTokens([assistant([])], options).tokens;
    const withCall = estimateTokens([assistant([customCall])], options).tokens;
    const own = estimateTokens('sql', options).tokens + estimateTokens(QUERY, options).tokens;
    expect(Math.abs(withCall - base - own - 8)).toBeLessThanOrEqual(2);
  });

  it("is one of a message's billed strings, beside a function call's", () => {
    const out: string[] = [];
    const message = assistant([
      customCall,
      { id: 'call_2', type: 'function', function: { name: 'f', arguments: '{}' } },
    ]);
    expect(out.slice(0, messageStrings(message, out, 0))).toEqual([
      'assistant',
      '',
      'sql',
      QUERY,
      'f',
      '{}',
    ]);
  });
});

describe('a custom tool definition', () => {
  const gpt4o = (tools: readonly ChatTool[]) => countChatTokens([], { model: 'gpt-4o', tools });

  it("raises the count by about its grammar's own tokens", () => {
    const text = gpt4o([sql({ type: 'text' })]);
    expect(gpt4o([sql()])).toBe(text);
    const grammar = gpt4o([grammarTool]);
    const own = countTokens(GRAMMAR) + countTokens('lark');
    expect(countTokens(GRAMMAR)).toBeGreaterThan(150);
    expect(grammar - text).toBeGreaterThanOrEqual(own);
    expect(grammar - text).toBeLessThanOrEqual(own + 5);
  });

  it('counts at least what a function of the same name without parameters does', () => {
    const fn = { type: 'function', function: { name: 'sql' } };
    expect(gpt4o([sql()])).toBeGreaterThanOrEqual(gpt4o([fn]));
    const both = gpt4o([fn, grammarTool]);
    expect(both).toBeGreaterThan(gpt4o([fn]) + countTokens(GRAMMAR));
  });

  it('raises a heuristic estimate, and what a calibrator learns from, by about its grammar', () => {
    const messages = [{ role: 'user', content: 'How many users signed up this week?' }];
    const options = { model: 'llama3.2' };
    const text = estimateTokens(messages, { ...options, tools: [sql({ type: 'text' })] }).tokens;
    const grammar = estimateTokens(messages, { ...options, tools: [grammarTool] }).tokens;
    const own = estimateTokens(GRAMMAR, options).tokens;
    expect(grammar - text).toBeGreaterThanOrEqual(own);
    expect(grammar - text).toBeLessThanOrEqual(own + 8);
    const calibrator = createCalibrator();
    calibrator.observe({ ...options, input: messages, tools: [grammarTool], actualTokens: 500 });
    expect(calibrator.get('llama3.2')?.observations).toBe(1);
  });
});

describe('malformed custom tool fields', () => {
  const tool = (custom: unknown, type: unknown = 'custom') => [{ type, custom }] as never;
  const grammar = (fields: object) => ({ name: 'sql', format: { type: 'grammar', ...fields } });
  const cases: Array<[unknown, string, ErrorConstructor]> = [
    [undefined, 'Expected `tools[0].custom` to be an object', TypeError],
    ['sql', 'Expected `tools[0].custom` to be an object, got `"sql"` (string)', TypeError],
    [{}, 'Expected `tools[0].custom.name` to be a non-empty string', TypeError],
    [{ name: ' ' }, 'Expected `tools[0].custom.name` to be a non-empty string', RangeError],
    [
      { name: 'sql', description: 1 },
      'Expected `tools[0].custom.description` to be a string',
      TypeError,
    ],
    [
      { name: 'sql', format: 'text' },
      'Expected `tools[0].custom.format` to be an object',
      TypeError,
    ],
    [
      { name: 'sql', format: {} },
      'Expected `tools[0].custom.format.type` to be a string',
      TypeError,
    ],
    [grammar({}), 'Expected `tools[0].custom.format.grammar` to be an object', TypeError],
    [
      grammar({ grammar: { syntax: 'lark' } }),
      'Expected `tools[0].custom.format.grammar.definition` to be a string',
      TypeError,
    ],
    [
      grammar({ grammar: { definition: ['start: "a"'], syntax: 'lark' } }),
      'Expected `tools[0].custom.format.grammar.definition` to be a string',
      TypeError,
    ],
    [
      grammar({ grammar: { definition: 'start: "a"', syntax: 2 } }),
      'Expected `tools[0].custom.format.grammar.syntax` to be a string',
      TypeError,
    ],
  ];

  it.each(cases)('are refused, the field named: %j', (custom, message, kind) => {
    const calls = [
      () => countChatTokens([], { model: 'gpt-4o', tools: tool(custom) }),
      () => estimateTokens('hi', { model: 'llama3', tools: tool(custom) }),
      () =>
        createCalibrator().observe({
          model: 'llama3',
          input: 'hi',
          tools: tool(custom),
          actualTokens: 10,
        }),
    ];
    for (const call of calls) {
      expect(call).toThrow(message);
      expect(call).toThrow(kind);
    }
  });

  it('are named by their index in the list, after a function', () => {
    const tools = [
      { type: 'function', function: { name: 'f' } },
      { type: 'custom', custom: { name: 'sql', format: { type: 'grammar', grammar: null } } },
    ] as never;
    expect(() => countChatTokens([], { model: 'gpt-4o', tools })).toThrow(
      'Expected `tools[1].custom.format.grammar` to be an object, got `null`',
    );
  });

  it('accept absent optional fields, keys the count does not read and a format it does not know', () => {
    const tools = [
      { type: 'custom', custom: { name: 'a', description: undefined, format: undefined } },
      { type: 'custom', custom: { name: 'b', format: { type: 'text' }, extra: 1 } },
      { type: 'custom', custom: { name: 'c', format: { type: 'future', anything: [1] } } },
    ] as never;
    expect(countChatTokens([], { model: 'gpt-4o', tools })).toBeGreaterThan(3 * 10);
  });
});
