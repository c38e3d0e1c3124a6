import type { ChatMessage } from '../types';

// Chat requests with tool calls and tool results whose prompt_tokens gpt-3.5-turbo (cl100k_base)
// reported: OpenAI publishes no rendering of calls for that format, so these measurements are the
// best public data. `source` says where each was published.
export interface MeasuredRequest {
  label: string;
  messages: ChatMessage[];
  promptTokens: number;
  source: string;
}

const OPENAI_CHAT_TOKENS =
  'openai-chat-tokens (hmarr), tests/token-counts.test.ts: counts checked against the API';
const FORUM =
  'OpenAI developer forum, "Strange token cost calculation for tool_calls" (a single call)';

export const measuredGpt35: MeasuredRequest[] = [
  {
    label: 'a function result after a user message',
    messages: [
      { role: 'user', content: 'hello world' },
      { role: 'function', name: 'do_stuff', content: '{}' },
    ],
    promptTokens: 15,
    source: OPENAI_CHAT_TOKENS,
  },
  {
    label: 'a function result holding JSON',
    messages: [
      { role: 'user', content: 'hello world' },
      { role: 'function', name: 'do_stuff', content: '{"foo": "bar", "baz": 1.5}' },
    ],
    promptTokens: 28,
    source: OPENAI_CHAT_TOKENS,
  },
  {
    label: 'a function result alone',
    messages: [
      { role: 'function', name: 'dance_the_tango', content: '{"a": { "b" : { "c": false}}}' },
    ],
    promptTokens: 24,
    source: OPENAI_CHAT_TOKENS,
  },
  {
    label: "an assistant's function_call",
    messages: [
      {
        role: 'assistant',
        content: '',
        function_call: { name: 'do_stuff', arguments: '{"foo": "bar", "baz": 1.5}' },
      },
    ],
    promptTokens: 26,
    source: OPENAI_CHAT_TOKENS,
  },
  {
    label: "an assistant's function_call with line breaks in its arguments",
    messages: [
      {
        role: 'assistant',
        content: '',
        function_call: { name: 'do_stuff', arguments: '{"foo":"bar", "baz":\n\n 1.5}' },
      },
    ],
    promptTokens: 25,
    source: OPENAI_CHAT_TOKENS,
  },
  {
    label: 'a tool call and its result',
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'How much is 2 plus 2?' }] },
      {
        role: 'assistant',
        tool_calls: [
          {
            id: 'a',
            type: 'function',
            function: { name: 'calculator', arguments: '{"a":2, "b":2}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'a', content: '4' },
    ],
    promptTokens: 40,
    source: FORUM,
  },
];
