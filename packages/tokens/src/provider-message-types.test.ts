// The messages and tools of the provider packages, passed as they are typed. This package depends
// on none of them, so their shapes are copied here (as of this change; keep them in step): each
// is an interface, and TypeScript gives an interface no implicit index signature, so an input type
// with an `unknown` one refused them all. Checked by `tsc` (`pnpm typecheck`); the counts run too.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createCalibrator } from './calibrator';
import { countChatTokens } from './chat';
import { fitsContext } from './context';
import { estimateTokens } from './estimate';
import type { ChatMessage, ChatTool } from './types';

// packages/provider-core/src/types.ts: `ToolCall`, `ToolDefinition`, `ChatRole`, `ChatMessage`.
interface CoreToolCall {
  id?: string | undefined;
  index?: number | undefined;
  name: string;
  arguments: Record<string, unknown>;
}
interface CoreToolDefinition {
  type: 'function';
  function: {
    name: string;
    description?: string | undefined;
    parameters?: Record<string, unknown> | undefined;
    strict?: boolean | undefined;
  };
}
type CoreChatRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool';
interface CoreChatMessage {
  role: CoreChatRole | (string & {});
  content: string;
  name?: string | undefined;
  images?: readonly (string | Uint8Array)[] | undefined;
  thinking?: string | undefined;
  toolCalls?: readonly CoreToolCall[] | undefined;
  toolName?: string | undefined;
  toolCallId?: string | undefined;
}

// packages/provider-ollama/src/types.ts: `ChatRequest extends BaseChatRequest` (provider-core),
// whose `messages` and `tools` are provider-core's.
interface OllamaChatRequest {
  model: string;
  messages: readonly CoreChatMessage[];
  tools?: readonly CoreToolDefinition[] | undefined;
}

// packages/provider-openai/src/content-part-types.ts and types.ts: the message and tool types of
// its `ChatRequest`.
interface OpenAIImage {
  image: string | Uint8Array;
  detail?: 'auto' | 'low' | 'high' | undefined;
}
type OpenAIImageInput = string | Uint8Array | OpenAIImage;
interface OpenAIAudio {
  data: string | Uint8Array;
  format: 'wav' | 'mp3';
}
type OpenAIFile =
  | { fileId: string; filename?: undefined; data?: undefined }
  | { fileId?: undefined; filename: string; data: string | Uint8Array };
interface OpenAIFunctionToolCall extends CoreToolCall {
  type?: 'function' | undefined;
  rawArguments?: string | undefined;
  input?: undefined;
}
interface OpenAICustomToolCall extends CoreToolCall {
  type: 'custom';
  input: string;
  arguments: Record<string, never>;
  rawArguments?: undefined;
}
interface OpenAICustomToolCallInput extends Omit<OpenAICustomToolCall, 'arguments'> {
  arguments?: Record<string, never> | undefined;
}
type OpenAIToolCallInput = OpenAIFunctionToolCall | OpenAICustomToolCallInput;
interface OpenAIChatMessage extends Omit<CoreChatMessage, 'toolCalls' | 'images'> {
  toolCalls?: readonly OpenAIToolCallInput[] | undefined;
  images?: readonly OpenAIImageInput[] | undefined;
  audio?: readonly OpenAIAudio[] | undefined;
  files?: readonly OpenAIFile[] | undefined;
}
interface OpenAICustomToolDefinition {
  type: 'custom';
  custom: {
    name: string;
    description?: string | undefined;
    format?: Record<string, unknown> | undefined;
  };
}
interface OpenAIChatRequest {
  model: string;
  messages: readonly OpenAIChatMessage[];
  tools?: readonly (CoreToolDefinition | OpenAICustomToolDefinition)[] | undefined;
}

const weather: CoreToolDefinition = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather in a city.',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
    strict: true,
  },
};
const ollama: OllamaChatRequest = {
  model: 'llama3.2',
  messages: [
    { role: 'user', content: 'Weather in Paris?' },
    {
      role: 'assistant',
      content: '',
      toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }],
    },
    { role: 'tool', content: '18C', toolCallId: 'call_1', toolName: 'get_weather' },
  ],
  tools: [weather],
};
const sql: OpenAICustomToolDefinition = {
  type: 'custom',
  custom: {
    name: 'sql',
    format: { type: 'grammar', grammar: { syntax: 'lark', definition: 'a' } },
  },
};
const openai: OpenAIChatRequest = {
  model: 'gpt-4o',
  messages: [
    { role: 'user', content: 'Run it.', images: [{ image: 'aGk=', detail: 'low' }] },
    {
      role: 'assistant',
      content: '',
      toolCalls: [{ type: 'custom', name: 'sql', input: 'SELECT 1' }],
    },
  ],
  tools: [weather, sql],
};

describe('the provider packages’ messages and tools', () => {
  it('are accepted as they are typed, by every function that reads messages or tools', () => {
    expect(fitsContext(ollama.messages, { model: 'llama3.2', tools: ollama.tools }).fits).toBe(
      true,
    );
    expect(estimateTokens(ollama.messages, { model: 'llama3.2' }).tokens).toBeGreaterThan(0);
    expect(
      countChatTokens(openai.messages, { model: 'gpt-4o', tools: openai.tools }),
    ).toBeGreaterThan(0);
    const readonlyMessages: readonly Readonly<CoreChatMessage>[] = ollama.messages;
    expect(estimateTokens(readonlyMessages, { model: 'gpt-4o', tools: [sql] }).method).toBe(
      'exact',
    );
    const calibrator = createCalibrator();
    calibrator.observe({ model: 'llama3.2', input: openai.messages, actualTokens: 40 });
  });

  it('are counted as their OpenAI wire form is', () => {
    const wire: ChatMessage[] = [
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
        ],
      },
      { role: 'tool', content: '18C', tool_call_id: 'call_1' },
    ];
    expect(countChatTokens(ollama.messages, { model: 'gpt-4o' })).toBe(
      countChatTokens(wire, { model: 'gpt-4o' }),
    );
  });

  it('still refuses a field the count reads when it has the wrong type', () => {
    const refused = (check: () => void) => expect(check).toThrow(TypeError);
    interface NumberRole {
      role: number;
      content: string;
    }
    const numbered: NumberRole[] = [{ role: 1, content: 'x' }];
    // @ts-expect-error `role` is a string
    refused(() => countChatTokens(numbered, { model: 'gpt-4o' }));
    const badGrammar = {
      type: 'custom',
      custom: {
        name: 'sql',
        format: { type: 'grammar', grammar: { syntax: 'lark', definition: 1 } },
      },
    } as const;
    // @ts-expect-error a grammar's `definition` is a string
    refused(() => countChatTokens([], { model: 'gpt-4o', tools: [badGrammar] }));
    expectTypeOf<CoreChatMessage>().toExtend<ChatMessage>();
    expectTypeOf<OpenAIChatMessage>().toExtend<ChatMessage>();
    expectTypeOf<OpenAICustomToolDefinition>().toExtend<ChatTool>();
    expectTypeOf<NumberRole>().not.toExtend<ChatMessage>();
  });
});
