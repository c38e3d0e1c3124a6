import { expectString, fail, firstOfTwoKeys } from '@x/internal';
import { encodingForModel, getCounter } from './encodings';
import { isEncodingLoadError, NoExactTokenizerError } from './errors';
import { billedKeys, callBody, expectRecord, isRecord, textParts } from './internal/records';
import {
  authorTokens,
  HARMONY_RESULT,
  resultFunction,
  resultStrings,
} from './internal/tool-results';
import { type CountChatTokensOptions, expectOptions, KEYS } from './options';
import { expectTools, type ToolFormat, toolParts } from './tools';
import type { ChatMessage, ChatTool, EncodingName } from './types';

/**
 * Per-encoding constants of OpenAI's chat format. Messages: `<|start|>{role}<|message|>{content}
 * <|end|>` costs 3 tokens beyond the strings; a `name` costs 1 more; `<|start|>assistant<|message|>`
 * primes the reply with 3. Tools: see {@link ToolFormat}. Tool calls: see {@link CallFraming}.
 * Tool results: see `src/internal/tool-results.ts`.
 */
interface ChatFormat extends ToolFormat, CallFraming {
  perMessage: number;
  perName: number;
  priming: number;
  /** Whether tool results are rendered as harmony renders them (o200k_base). */
  harmonyResults: boolean;
}

/**
 * What an assistant's tool call costs beyond its name and arguments. OpenAI publishes one chat
 * format that renders calls, harmony (o200k_base, gpt-oss): each call is a message of its own,
 * `<|start|>assistant<|channel|>commentary to=functions.{name}<|constrain|>json<|message|>{arguments}
 * <|call|>`, 12 tokens beyond the name and arguments (src/tool-calls.test.ts renders it). A
 * message holding only calls is not rendered itself, so the first call takes the place of its
 * `<|start|>assistant<|message|>…<|end|>` (`shared`: the 3 per message and the role counted for
 * it). cl100k_base's rendering of calls is not published, but what gpt-3.5-turbo billed for
 * calls is: 3 a call beyond its name and arguments, in a message with or without text
 * (src/__fixtures__/measured-calls.ts).
 */
export interface CallFraming {
  perCall: number;
  shared: number;
}

/** Harmony's framing of a call, also the heuristic's for every provider (the best public data). */
export const HARMONY_CALLS: CallFraming = { perCall: 12, shared: 4 };

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
    ...HARMONY_CALLS,
    harmonyResults: true,
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
    perCall: 3,
    shared: 0,
    harmonyResults: false,
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
    if (isRecord(message) && typeof message.role === 'string') {
      const { content } = message;
      // A `name` is counted (its string and a token of framing): one of another type would be
      // left out of the count. Absent is `undefined`; `null`, as for an option, is a wrong type.
      if (message.name !== undefined && typeof message.name !== 'string') {
        fail(`${name}[${i}].name`, 'a string', message.name);
      }
      if (
        message.tool_calls !== undefined ||
        message.toolCalls !== undefined ||
        message.function_call !== undefined
      ) {
        expectCallNames(`${name}[${i}]`, message);
      }
      if (typeof content === 'string' || content === undefined || content === null) continue;
      // Any other content was read as no text at all (0 tokens, and `fits: true` for a message
      // of any size): an array of parts is checked, anything else is the caller's mistake.
      if (!Array.isArray(content)) {
        fail(`${name}[${i}].content`, 'a string, null or an array of content parts', content);
      }
      expectParts(`${name}[${i}].content`, content);
      continue;
    }
    expectRecord(`${name}[${i}]`, message);
    expectString(`${name}[${i}].role`, message.role);
  }
}

const CALL_LISTS = ['tool_calls', 'toolCalls'] as const;

/**
 * A tool call's `name` is billed as a message's is (`messageStrings`): one of another type would
 * be left out of the count, so it is refused the same way. Only what the count reads is checked:
 * a list that is not an array and an entry that is not an object are skipped there too.
 */
function expectCallNames(path: string, message: Record<string, unknown>): void {
  for (const key of CALL_LISTS) {
    const calls = message[key];
    if (!Array.isArray(calls)) continue;
    for (let j = 0; j < calls.length; j++) {
      const call: unknown = calls[j];
      if (!isRecord(call)) continue;
      const body = callBody(call);
      if (body.name === undefined || typeof body.name === 'string') continue;
      const nested = body === call ? '' : body === call.function ? '.function' : '.custom';
      fail(`${path}.${key}[${j}]${nested}.name`, 'a string', body.name);
    }
  }
  const single = message.function_call;
  if (isRecord(single) && single.name !== undefined && typeof single.name !== 'string') {
    fail(`${path}.function_call.name`, 'a string', single.name);
  }
}

/**
 * Content parts are objects, and a part's `text` (the only field counted) a string when present:
 * a part that is not an object, or a `text` of another type, would count as nothing.
 */
function expectParts(name: string, parts: readonly unknown[]): void {
  for (let j = 0; j < parts.length; j++) {
    const part = parts[j];
    if (!isRecord(part)) fail(`${name}[${j}]`, 'a content part object', part);
    if (part.text !== undefined && typeof part.text !== 'string') {
      fail(`${name}[${j}].text`, 'a string', part.text);
    }
  }
}

/** The tool calls the last `messageStrings` read (the framing of each is counted apart). */
let callsRead = 0;

/**
 * @internal Writes the strings of a message that are billed, in order, into `out` from index 0
 * and returns how many there are (entries past that are stale); the number of tool calls read is
 * left for `callFraming`. Shared by the exact counter and the estimator so both see the same
 * text; the estimator, which runs on every request, reuses one array. `list` is the path of the
 * messages in the caller's arguments, for an error (`input` for an estimate).
 */
export function messageStrings(
  message: ChatMessage,
  out: string[],
  at: number,
  list = 'messages',
): number {
  callsRead = 0;
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
  for (const key of billedKeys(message)) {
    const value: unknown = message[key];
    if (typeof value === 'string') {
      out[n++] = value;
    } else if (key === 'content' && Array.isArray(value)) {
      n = textParts(value, out, n);
    } else if ((key === 'tool_calls' || key === 'toolCalls') && Array.isArray(value)) {
      // What the model wrote, billed again when sent back: a function call's name and arguments,
      // a custom call's name and free-text input. OpenAI's wire nests them (`function`,
      // `custom`); @x/provider-core's `toolCalls` hold them on the call.
      const calls = value as unknown[];
      for (let j = 0; j < calls.length; j++) {
        const call = calls[j];
        if (!isRecord(call)) continue;
        const body = callBody(call);
        try {
          n = callStrings(body, out, n);
        } catch {
          // Only JSON.stringify throws in there: the field's path is built only then.
          const nested = body === call ? '' : body === call.function ? '.function' : '.custom';
          unserialisable(`${list}[${at}].${key}[${j}]${nested}.arguments`, body.arguments);
        }
      }
    } else if (key === 'function_call' && isRecord(value)) {
      // The call of OpenAI's deprecated `functions` API, still accepted: billed as a tool call.
      try {
        n = callStrings(value, out, n);
      } catch {
        unserialisable(`${list}[${at}].${key}.arguments`, value.arguments);
      }
    }
  }
  return n;
}

/**
 * Writes a call's name and input into `out` from `n`; returns the new length. Throws JSON's own
 * error for arguments with no JSON form, which the caller names ({@link unserialisable}).
 */
function callStrings(body: Record<string, unknown>, out: string[], n: number): number {
  callsRead++;
  if (typeof body.name === 'string') out[n++] = body.name;
  const input = typeof body.input === 'string' ? body.input : body.arguments;
  // Arguments given as an object (Ollama's wire, provider-core) are sent as compact JSON.
  if (typeof input === 'string') out[n++] = input;
  else if (isRecord(input)) out[n++] = JSON.stringify(input);
  return n;
}

/**
 * Arguments with no JSON form (a cycle, a BigInt, a `toJSON` that throws): the caller's mistake,
 * named by where they are rather than by JSON's own text.
 */
function unserialisable(name: string, args: unknown): never {
  return fail(name, 'an object of JSON values (it is sent as JSON)', args);
}

/**
 * @internal The framing of the tool calls the last `messageStrings` read, for a message whose
 * calls are its only content (harmony renders no message around them) or not.
 */
export function callFraming(message: ChatMessage, framing: CallFraming): number {
  if (callsRead === 0) return 0;
  const { content } = message;
  const bare =
    content === undefined ||
    content === null ||
    content === '' ||
    (Array.isArray(content) && content.length === 0);
  return callsRead * framing.perCall - (bare ? framing.shared : 0);
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
  for (let at = 0; at < messages.length; at++) {
    const message = messages[at]!;
    total += format.perMessage;
    const { role } = message;
    const result = role === 'tool' || role === 'function';
    const fn = result && format.harmonyResults ? resultFunction(messages, at) : undefined;
    if (fn !== undefined) {
      // harmony's `<|start|>functions.{name} to=assistant<|channel|>commentary<|message|>…`: the
      // function's name where the role, the id and a name would have been.
      const n = resultStrings(message, strings);
      for (let i = 0; i < n; i++) total += counter.countRepeated(strings[i]!);
      total += HARMONY_RESULT + authorTokens(fn, encoding, counter);
      continue;
    }
    const named = typeof message.name === 'string';
    if (named) total += format.perName;
    const n = messageStrings(message, strings, at);
    for (let i = 0; i < n; i++) total += counter.countRepeated(strings[i]!);
    if (callsRead > 0) {
      total += callFraming(message, format);
    } else if (role === 'function' && named && !format.harmonyResults) {
      // What gpt-3.5-turbo billed for a `function` result: 3, its name and its content, not its
      // role and the token of a name (src/__fixtures__/measured-calls.ts).
      total -= counter.countRepeated(role) + format.perName;
    }
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
 * prime the reply, the framing of tool calls (0 for a plain text). A local model's server frames
 * the chat with its own template instead, so for it this part of an exact count is only an
 * estimate.
 */
export function framingTokens(input: string | readonly ChatMessage[], encoding: EncodingName) {
  if (typeof input === 'string') return 0;
  const format = FORMATS[encoding];
  const strings: string[] = [];
  let total = format.priming;
  for (let at = 0; at < input.length; at++) {
    const message = input[at]!;
    total += format.perMessage;
    if (typeof message.name === 'string') total += format.perName;
    messageStrings(message, strings, at);
    total += callFraming(message, format);
  }
  return total;
}

/**
 * Counts the prompt tokens OpenAI bills for a chat request: the strings of every message (role,
 * content, name, ...), 3 tokens per message, 1 more per `name`, 3 to prime the reply, and the
 * overhead of tool definitions. Matches the API's `usage.prompt_tokens` for text messages
 * (OpenAI's cookbook example: 124 on gpt-4o, 129 on gpt-4). Image and audio parts are not
 * counted. Assistant tool calls (`tool_calls`, `@x/provider-core`'s `toolCalls`, the deprecated
 * `function_call`) count their name, arguments (an object as its JSON) or a custom call's input,
 * and their framing: OpenAI's harmony format on o200k_base (12 a call, less 4 for a message of
 * calls only), what gpt-3.5-turbo billed on cl100k_base (3 a call). A tool result on o200k_base
 * counts as harmony renders it, with the function's name (found from `tool_call_id`) in place of
 * its role and id. Hosted o200k_base models do not publish their rendering, so calls and results
 * are an approximation there, as are custom tools (on the high side).
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
