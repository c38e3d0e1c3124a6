import { expectString, fail, firstOfTwoKeys } from '@x/internal';
import { encodingForModel, getCounter } from './encodings';
import { isEncodingLoadError, NoExactTokenizerError } from './errors';
import { expectRecord, isRecord } from './internal/records';
import { type CountChatTokensOptions, expectOptions, KEYS } from './options';
import { expectTools, type ToolFormat, toolParts } from './tools';
import type {
  ChatCustomToolCall,
  ChatMessage,
  ChatTool,
  ChatToolCall,
  EncodingName,
} from './types';

/**
 * Per-encoding constants of OpenAI's chat format. Messages: `<|start|>{role}<|message|>{content}
 * <|end|>` costs 3 tokens beyond the strings; a `name` costs 1 more; `<|start|>assistant<|message|>`
 * primes the reply with 3. Tools: see {@link ToolFormat}.
 */
interface ChatFormat extends ToolFormat {
  perMessage: number;
  perName: number;
  priming: number;
}

const FORMATS: Record<EncodingName, ChatFormat> = {
  o200k_base: {
    perMessage: 3,
    perName: 1,
    priming: 3,
    functionStart: 7,
    propertiesStart: 3,
    property: 3,
    enumStart: -3,
    enumItem: 3,
    toolsEnd: 12,
  },
  cl100k_base: {
    perMessage: 3,
    perName: 1,
    priming: 3,
    functionStart: 10,
    propertiesStart: 3,
    property: 3,
    enumStart: -3,
    enumItem: 3,
    toolsEnd: 12,
  },
};

/** @internal Validates a message list (shared by the estimator). */
export function expectMessages(
  messages: unknown,
  name = 'messages',
): asserts messages is readonly ChatMessage[] {
  if (!Array.isArray(messages)) fail(name, 'an array', messages);
  for (let i = 0; i < messages.length; i++) {
    const message: unknown = messages[i];
    // Checked first, named only on failure: the names are strings built per message, and every
    // estimate checks its messages.
    if (isRecord(message) && typeof message.role === 'string') continue;
    expectRecord(`${name}[${i}]`, message);
    expectString(`${name}[${i}].role`, message.role);
  }
}

/**
 * @internal Writes the strings of a message that are billed, in order, into `out` from index 0
 * and returns how many there are (entries past that are stale). Shared by the exact counter and
 * the estimator so both see the same text; the estimator, which runs on every request, reuses one
 * array.
 */
export function messageStrings(message: ChatMessage, out: string[]): number {
  // The common message, two strings under `role` and `content`, without listing its keys and
  // reading each by name (a generic keyed load per key): about half of this function's work.
  const first = firstOfTwoKeys(message);
  if (first !== undefined) {
    const { role, content } = message;
    if (typeof role === 'string' && typeof content === 'string') {
      if (first === 'role') {
        out[0] = role;
        out[1] = content;
        return 2;
      }
      if (first === 'content') {
        out[0] = content;
        out[1] = role;
        return 2;
      }
    }
  }
  let n = 0;
  for (const key of Object.keys(message)) {
    const value = message[key];
    if (typeof value === 'string') {
      out[n++] = value;
    } else if (key === 'content' && Array.isArray(value)) {
      for (const part of value as ChatMessage['content'] & unknown[]) {
        if (part && typeof part === 'object' && typeof part.text === 'string') out[n++] = part.text;
      }
    } else if (key === 'tool_calls' && Array.isArray(value)) {
      // What the model wrote, billed again when sent back: a function call's name and JSON
      // arguments, a custom call's name and free-text input (whichever object the call holds).
      for (const call of value as readonly Partial<ChatToolCall & ChatCustomToolCall>[]) {
        const fn = call?.function;
        if (typeof fn?.name === 'string') out[n++] = fn.name;
        if (typeof fn?.arguments === 'string') out[n++] = fn.arguments;
        const custom = call?.custom;
        if (typeof custom?.name === 'string') out[n++] = custom.name;
        if (typeof custom?.input === 'string') out[n++] = custom.input;
      }
    }
  }
  return n;
}

/** @internal Exact count with a known encoding. */
export function countChatExact(
  messages: readonly ChatMessage[],
  encoding: EncodingName,
  tools: readonly ChatTool[] | undefined,
): number {
  const counter = getCounter(encoding);
  const format = FORMATS[encoding];
  let total = format.priming;
  const strings: string[] = [];
  for (const message of messages) {
    total += format.perMessage;
    if (typeof message.name === 'string') total += format.perName;
    const n = messageStrings(message, strings);
    for (let i = 0; i < n; i++) total += counter.countRepeated(strings[i]!);
  }
  if (tools !== undefined) {
    const { strings, overhead } = toolParts(tools, format);
    total += overhead;
    for (const text of strings) total += counter.countRepeated(text);
  }
  return total;
}

/**
 * @internal The exact count of a text or a chat request (OpenAI's framing), or `undefined` when
 * the encoding cannot be loaded (js-tiktoken missing). Shared by the estimator and the calibrator.
 */
export function exactTokens(
  input: string | readonly ChatMessage[],
  encoding: EncodingName,
  tools: readonly ChatTool[] | undefined,
): number | undefined {
  try {
    if (typeof input !== 'string') return countChatExact(input, encoding, tools);
    const text = getCounter(encoding).count(input, false);
    return tools === undefined ? text : text + countChatExact([], encoding, tools) - 3;
  } catch (error) {
    if (isEncodingLoadError(error)) return undefined;
    throw error;
  }
}

/**
 * @internal The tokens of OpenAI's chat framing in a request: 3 per message, 1 per `name`, 3 to
 * prime the reply (0 for a plain text). A local model's server frames the chat with its own
 * template instead, so for it this part of an exact count is only an estimate.
 */
export function framingTokens(input: string | readonly ChatMessage[], encoding: EncodingName) {
  if (typeof input === 'string') return 0;
  const format = FORMATS[encoding];
  let total = format.priming;
  for (const message of input) {
    total += format.perMessage;
    if (typeof message.name === 'string') total += format.perName;
  }
  return total;
}

/**
 * Counts the prompt tokens OpenAI bills for a chat request: the strings of every message (role,
 * content, name, ...), 3 tokens per message, 1 more per `name`, 3 to prime the reply, and the
 * overhead of tool definitions. Matches the API's `usage.prompt_tokens` for text messages
 * (OpenAI's cookbook example: 124 on gpt-4o, 129 on gpt-4). Image and audio parts are not
 * counted; assistant `tool_calls` are counted as their name and arguments, or a custom call's
 * name and input (approximate), custom tools on the high side (OpenAI does not publish their
 * format).
 *
 * @throws {NoExactTokenizerError} for a model without a tiktoken encoding (use `estimateTokens`).
 * @example
 * countChatTokens([{ role: 'user', content: 'Hello!' }], { model: 'gpt-4o' }) // 9
 */
export function countChatTokens(
  messages: readonly ChatMessage[],
  options: CountChatTokensOptions,
): number {
  expectMessages(messages);
  expectOptions('options', undefined, options, KEYS.countChatTokens);
  expectString('model', options.model, true);
  if (options.tools !== undefined) expectTools(options.tools);
  const encoding = encodingForModel(options.model);
  if (encoding === undefined) throw new NoExactTokenizerError(options.model);
  return countChatExact(messages, encoding, options.tools);
}
