// The prompt estimate counts OpenAI's custom tools (their grammars) and custom calls (their
// input) sent back, as `@x/tokens` counts them, rather than leaving them out.
import { estimateTokens } from '@x/tokens';
import { describe, expect, it } from 'vitest';
import { completion, json, MODEL } from './__fixtures__/server';
import { ask, setup } from './__fixtures__/setup';
import type { ChatRequest, OpenAIChatMessage } from './types';

const weather = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: {} } },
};
/** A grammar of some length: each rule names a table and its columns. */
const GRAMMAR = Array.from(
  { length: 40 },
  (_, i) => `table_${i}: "FROM" "orders_${i}" ("WHERE" column_${i} OP value)?`,
).join('\n');
const sql = {
  type: 'custom' as const,
  custom: {
    name: 'sql',
    format: { type: 'grammar', grammar: { syntax: 'lark', definition: GRAMMAR } },
  },
};
const own = (text: string) => estimateTokens(text, { model: MODEL }).tokens;

describe('the prompt estimate of a request with custom tools', () => {
  const estimated = async (extra: Partial<ChatRequest>) => {
    const { provider } = await setup({
      '/chat/completions': json(200, completion({ content: 'ok' })),
    });
    const answer = await provider.complete(ask('How many orders?', extra));
    expect(answer.estimatedPromptTokens).toBeGreaterThan(0);
    return answer.estimatedPromptTokens!;
  };

  it("counts a custom tool's grammar", async () => {
    const without = await estimated({ tools: [weather] });
    const withGrammar = await estimated({ tools: [weather, sql] });
    expect(own(GRAMMAR)).toBeGreaterThan(400);
    expect(withGrammar - without).toBeGreaterThanOrEqual(own(GRAMMAR));
    expect(withGrammar - without).toBeLessThan(own(GRAMMAR) + 30);
  });

  it("counts a custom call's input sent back", async () => {
    const input = GRAMMAR.replaceAll('"', "'");
    const conversation = (query: string): OpenAIChatMessage[] => [
      { role: 'user', content: 'How many orders?' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ type: 'custom', id: 'c1', name: 'sql', input: query, arguments: {} }],
      },
      { role: 'tool', content: '42', toolCallId: 'c1' },
    ];
    const short = await estimated({ tools: [sql], messages: conversation('SELECT 1') });
    const long = await estimated({ tools: [sql], messages: conversation(input) });
    const grown = own(input) - own('SELECT 1');
    expect(long - short).toBeGreaterThanOrEqual(grown - 2);
    expect(long - short).toBeLessThanOrEqual(grown + 2);
  });
});
