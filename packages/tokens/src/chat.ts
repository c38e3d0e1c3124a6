import { expectString, fail, firstOfTwoKeys, optionalString } from '@x/internal';
import { encodingForModel, getCounter } from './encodings';
import { NoExactTokenizerError } from './errors';
import { type CountChatTokensOptions, expectOptions, KEYS } from './options';
import type { ChatMessage, EncodingName, ToolDefinition } from './types';

/**
 * Per-encoding constants of OpenAI's chat format. Messages: `<|start|>{role}<|message|>{content}
 * <|end|>` costs 3 tokens beyond the strings; a `name` costs 1 more; `<|start|>assistant<|message|>`
 * primes the reply with 3. Tools (from OpenAI's cookbook, verified against the API there): each
 * function costs `functionStart`, a non-empty parameter list `propertiesStart`, each property
 * `property`, an enum `enumStart` plus `enumItem` per value, and the tool block `toolsEnd` once.
 */
interface ChatFormat {
  perMessage: number;
  perName: number;
  priming: number;
  functionStart: number;
  propertiesStart: number;
  property: number;
  enumStart: number;
  enumItem: number;
  toolsEnd: number;
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

// Messages and tools are data with open shapes (any extra field is billed or ignored), so unlike
// options objects they may carry unknown keys and be class instances.
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function expectRecord(name: string, value: unknown): asserts value is Record<string, unknown> {
  if (!isRecord(value)) fail(name, 'an object', value);
}

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
 * Checks the fields of one parameter schema that `toolParts` reads (type, description, enum),
 * so a malformed one is an error naming it rather than a TypeError from inside the count.
 */
function expectProperty(path: string, property: unknown): void {
  if (!isRecord(property)) fail(path, 'an object', property);
  const { type } = property;
  if (
    type !== undefined &&
    typeof type !== 'string' &&
    !(Array.isArray(type) && type.every((item) => typeof item === 'string'))
  ) {
    fail(`${path}.type`, 'a string or an array of strings', type);
  }
  optionalString(`${path}.description`, property.description);
  if (property.enum !== undefined && !Array.isArray(property.enum)) {
    fail(`${path}.enum`, 'an array', property.enum);
  }
}

/** @internal Validates tool definitions: every field the count reads. */
export function expectTools(tools: unknown): asserts tools is readonly ToolDefinition[] {
  if (!Array.isArray(tools)) fail('tools', 'an array', tools);
  for (let i = 0; i < tools.length; i++) {
    const tool: unknown = tools[i];
    expectRecord(`tools[${i}]`, tool);
    const fn = tool.function;
    expectRecord(`tools[${i}].function`, fn);
    expectString(`tools[${i}].function.name`, fn.name, true);
    optionalString(`tools[${i}].function.description`, fn.description);
    const { parameters } = fn;
    if (parameters === undefined) continue;
    if (!isRecord(parameters)) fail(`tools[${i}].function.parameters`, 'an object', parameters);
    const { properties } = parameters;
    if (properties === undefined) continue;
    if (!isRecord(properties)) {
      fail(`tools[${i}].function.parameters.properties`, 'an object', properties);
    }
    for (const key of Object.keys(properties)) {
      expectProperty(`tools[${i}].function.parameters.properties.${key}`, properties[key]);
    }
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
      for (const call of value as NonNullable<ChatMessage['tool_calls']>) {
        if (typeof call?.function?.name === 'string') out[n++] = call.function.name;
        if (typeof call?.function?.arguments === 'string') out[n++] = call.function.arguments;
      }
    }
  }
  return n;
}

const stripDot = (text: string) => (text.endsWith('.') ? text.slice(0, -1) : text);

/** @internal The billed strings and constant overhead of tool definitions. */
export function toolParts(
  tools: readonly ToolDefinition[],
  format: Omit<ChatFormat, 'perMessage' | 'perName' | 'priming'>,
): { strings: string[]; overhead: number } {
  const strings: string[] = [];
  let overhead = 0;
  if (tools.length === 0) return { strings, overhead };
  for (const tool of tools) {
    const fn = tool.function;
    overhead += format.functionStart;
    strings.push(`${fn.name}:${stripDot(fn.description ?? '')}`);
    const properties = fn.parameters?.properties ?? {};
    const keys = Object.keys(properties);
    if (keys.length > 0) overhead += format.propertiesStart;
    for (const key of keys) {
      const property = properties[key] ?? {};
      overhead += format.property;
      if (Array.isArray(property.enum)) {
        overhead += format.enumStart;
        for (const item of property.enum) {
          overhead += format.enumItem;
          strings.push(String(item));
        }
      }
      const type = Array.isArray(property.type) ? property.type.join('|') : (property.type ?? '');
      strings.push(`${key}:${type}:${stripDot(property.description ?? '')}`);
    }
  }
  overhead += format.toolsEnd;
  return { strings, overhead };
}

/** @internal Exact count with a known encoding. */
export function countChatExact(
  messages: readonly ChatMessage[],
  encoding: EncodingName,
  tools: readonly ToolDefinition[] | undefined,
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
 * Counts the prompt tokens OpenAI bills for a chat request: the strings of every message (role,
 * content, name, ...), 3 tokens per message, 1 more per `name`, 3 to prime the reply, and the
 * overhead of tool definitions. Matches the API's `usage.prompt_tokens` for text messages
 * (OpenAI's cookbook example: 124 on gpt-4o, 129 on gpt-4). Image and audio parts are not
 * counted; assistant `tool_calls` are counted as their name and arguments (approximate).
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
