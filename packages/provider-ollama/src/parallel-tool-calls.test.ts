// Several tool calls in one answer (`index` 0 to n-1, as Ollama's parsers number them), and calls
// without an `id` (servers before 0.12.10), against @x/ollama-sim's `toolCalls` option.
import { type OllamaSim, type OllamaSimOptions, startOllamaSim } from '@x/ollama-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { createOllamaProvider, type OllamaProvider } from './provider';
import type { ChatMessage, ChatRequest, ChatResponse, ToolCall, ToolDefinition } from './types';

const open: Array<OllamaSim | OllamaProvider> = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function setup(
  options: OllamaSimOptions,
): Promise<{ sim: OllamaSim; provider: OllamaProvider }> {
  const sim = await startOllamaSim({ loadTimeMs: 0, ...options });
  const provider = createOllamaProvider({ baseUrl: sim.url, retry: false, cache: false });
  open.push(provider, sim);
  return { sim, provider };
}

const tool = (name: string, property: string): ToolDefinition => ({
  type: 'function',
  function: {
    name,
    parameters: {
      type: 'object',
      properties: { [property]: { type: 'string' } },
      required: [property],
    },
  },
});

const ASK: ChatRequest = {
  model: 'llama3.2',
  messages: [{ role: 'user', content: 'What are the weather and the time in Paris?' }],
  tools: [tool('get_current_weather', 'location'), tool('get_current_time', 'city')],
};

/** A model served with the GGUF's chat template: its calls all come on the final line. */
const GGUF = {
  models: [{ name: 'llama3.2', capabilities: ['completion', 'tools'], chatTemplate: 'gguf' }],
} as const satisfies OllamaSimOptions;

/** The calls of each streamed chunk that has some, and the final response. */
async function streamCalls(
  provider: OllamaProvider,
  request: ChatRequest,
): Promise<{ perChunk: ToolCall[][]; response: ChatResponse }> {
  const perChunk: ToolCall[][] = [];
  let response: ChatResponse | undefined;
  for await (const chunk of provider.stream(request)) {
    if (chunk.toolCalls !== undefined) perChunk.push(chunk.toolCalls);
    if (chunk.response !== undefined) response = chunk.response;
  }
  return { perChunk, response: response! };
}

describe('parallel tool calls', () => {
  it.each([
    ['one line each (an Ollama template)', {}, [1, 1]],
    ['all on the final line (a GGUF template)', GGUF, [2]],
  ] as const)(
    'reach the caller with index 0 and 1, whole and streamed: %s',
    async (_, options, lines) => {
      const { provider } = await setup({ ...options, toolCalls: { parallel: 2 } });
      const whole = await provider.complete(ASK);
      expect(whole.finishReason).toBe('tool_calls');
      expect(whole.toolCalls.map((c) => [c.index, c.name, c.arguments])).toEqual([
        [0, 'get_current_weather', { location: 'Paris' }],
        [1, 'get_current_time', { city: 'Paris' }],
      ]);
      expect(whole.toolCalls.map((c) => c.id)).toEqual([
        expect.stringMatching(/^call_/),
        expect.stringMatching(/^call_/),
      ]);
      expect(whole.toolCalls[0]!.id).not.toBe(whole.toolCalls[1]!.id);
      expect(whole.message.toolCalls).toEqual(whole.toolCalls);

      // The same request is answered with the same calls, ids included (the simulator is seeded).
      const { perChunk, response } = await streamCalls(provider, ASK);
      expect(perChunk.map((calls) => calls.length)).toEqual(lines);
      expect(perChunk.flat()).toEqual(whole.toolCalls);
      expect(response.toolCalls).toEqual(whole.toolCalls);
      expect(response.finishReason).toBe('tool_calls');
    },
  );
});

describe('tool calls without ids (servers before 0.12.10)', () => {
  it.each([
    ['whole', false],
    ['streamed', true],
  ] as const)(
    'get an id each, by which a tool result names its call and gets its tool_name on the wire (%s)',
    async (_, stream) => {
      const { sim, provider } = await setup({ toolCalls: { parallel: 2, ids: false } });
      const answer = stream
        ? (await streamCalls(provider, ASK)).response
        : await provider.complete(ASK);
      const [weather, time] = answer.toolCalls;
      expect([weather!.index, time!.index]).toEqual([0, 1]);
      expect(weather!.id).toMatch(/^call_[a-z0-9]{8}$/);
      expect(time!.id).toMatch(/^call_[a-z0-9]{8}$/);
      expect(weather!.id).not.toBe(time!.id);

      const messages: ChatMessage[] = [
        ...ASK.messages,
        answer.message,
        // Answered in the other order: each result finds its own call by id.
        { role: 'tool', content: '10:00', toolCallId: time!.id! },
        { role: 'tool', content: '21C', toolCallId: weather!.id! },
      ];
      await provider.complete({ ...ASK, messages });
      const sent = sim.requests.filter((r) => r.path === '/api/chat').at(-1)!.body as {
        messages: Record<string, unknown>[];
      };
      expect(sent.messages.slice(2)).toEqual([
        { role: 'tool', content: '10:00', tool_name: 'get_current_time', tool_call_id: time!.id },
        {
          role: 'tool',
          content: '21C',
          tool_name: 'get_current_weather',
          tool_call_id: weather!.id,
        },
      ]);
      expect(sent.messages[1]!.tool_calls).toEqual([
        {
          id: weather!.id,
          function: { index: 0, name: 'get_current_weather', arguments: { location: 'Paris' } },
        },
        {
          id: time!.id,
          function: { index: 1, name: 'get_current_time', arguments: { city: 'Paris' } },
        },
      ]);
    },
  );
});
