import { fail } from '@x/internal';

// Messages and tools are data with open shapes (any extra field is billed or ignored), so unlike
// options objects they may carry unknown keys and be class instances.
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function expectRecord(
  name: string,
  value: unknown,
): asserts value is Record<string, unknown> {
  if (!isRecord(value)) fail(name, 'an object', value);
}

/**
 * Writes the `text` of each part of a content array (`[{ type: 'text', text }]`) into `out` from
 * `n` and returns the new length; image and audio parts are billed apart and skipped.
 */
export function textParts(parts: readonly unknown[], out: string[], n: number): number {
  for (const part of parts) {
    if (isRecord(part) && typeof part.text === 'string') out[n++] = part.text;
  }
  return n;
}

/**
 * Where a tool call holds its name and input: OpenAI's wire nests them (`function`, `custom`),
 * @x/provider-core's `toolCalls` hold them on the call.
 */
export function callBody(call: Record<string, unknown>): Record<string, unknown> {
  return isRecord(call.function) ? call.function : isRecord(call.custom) ? call.custom : call;
}

/** The fields of a message, billed by name when a class holds them as getters ({@link billedKeys}). */
const MESSAGE_FIELDS = [
  'role',
  'content',
  'name',
  'tool_calls',
  'toolCalls',
  'function_call',
  'tool_call_id',
  'toolCallId',
  'toolName',
];

/**
 * What the counts read of a chat by name, whatever an object lists: a message's fields (the
 * OpenAI wire's and provider-core's), a content part's, a tool call's. A class may hold them as
 * getters of its prototype, which `Object.keys` does not list.
 */
export const READ_BY_NAME: ReadonlySet<string> = new Set([
  ...MESSAGE_FIELDS,
  'text',
  'type',
  'id',
  'function',
  'custom',
  'arguments',
  'input',
]);

/**
 * The keys of `message` to bill: its own listed ones, and, for a message whose `role` is not one
 * of them (an instance of a class with getters: a plain message lists its role), each message
 * field it has besides. Not every getter of the class: a `text` getter repeating the content
 * would be billed twice.
 */
export function billedKeys(message: object): string[] {
  const keys = Object.keys(message);
  if (keys.includes('role')) return keys;
  const record = message as Record<string, unknown>;
  for (const key of MESSAGE_FIELDS) {
    if (!keys.includes(key) && record[key] !== undefined) keys.push(key);
  }
  return keys;
}
