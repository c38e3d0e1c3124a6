import type { ChatMessage, EncodingName } from '../types';
import type { BpeCounter } from './bpe';
import { textMemo } from './count-memo';
import { billedKeys, callBody, isRecord, textParts } from './records';

/**
 * How harmony (o200k_base) renders a tool result:
 * `<|start|>functions.{name} to=assistant<|channel|>commentary<|message|>{content}<|end|>`. Beyond
 * a message's 3 (`<|start|>`, `<|message|>`, `<|end|>`): `<|channel|>` and `commentary` (2), and
 * the function's name in its author (see {@link authorTokens}).
 */
export const HARMONY_RESULT = 3;

/**
 * The function a tool result (`role: 'tool'`, or the deprecated `'function'`) answers: that of the
 * call whose id is its `tool_call_id` (provider-core's `toolCallId`), else its own `name`
 * (`toolName`); `undefined` when nothing names it. A result follows the message of its call,
 * after the other results of that message: only that message is searched, so a conversation costs
 * no allocation and no more than its calls times its results per turn.
 */
export function resultFunction(messages: readonly ChatMessage[], at: number): string | undefined {
  const message = messages[at]!;
  const { tool_call_id: id, toolCallId, name, toolName } = message;
  const answered =
    typeof id === 'string' ? id : typeof toolCallId === 'string' ? toolCallId : undefined;
  if (answered !== undefined) {
    for (let i = at - 1; i >= 0; i--) {
      const before = messages[i]!;
      if (before.role === 'tool' || before.role === 'function') continue;
      const found = callName(before, answered);
      if (found !== undefined) return found;
      break;
    }
  }
  if (typeof name === 'string') return name;
  return typeof toolName === 'string' ? toolName : undefined;
}

/** The name of the call of `message` (OpenAI's shape or provider-core's) whose id is `id`. */
function callName(message: ChatMessage, id: string): string | undefined {
  const list = Array.isArray(message.tool_calls) ? message.tool_calls : message.toolCalls;
  if (!Array.isArray(list)) return undefined;
  for (const call of list as unknown[]) {
    if (!isRecord(call) || call.id !== id) continue;
    const body = callBody(call);
    return typeof body.name === 'string' ? body.name : undefined;
  }
  return undefined;
}

// The fields harmony does not render in a result: the function's name stands for them.
const NOT_RENDERED = new Set(['role', 'name', 'toolName', 'tool_call_id', 'toolCallId']);

/**
 * Writes the billed strings of a result that harmony renders into `out` from index 0 (its content,
 * and any other string field, as for every message) and returns how many there are.
 */
export function resultStrings(message: ChatMessage, out: string[]): number {
  let n = 0;
  for (const key of billedKeys(message)) {
    if (NOT_RENDERED.has(key)) continue;
    const value: unknown = message[key];
    if (typeof value === 'string') out[n++] = value;
    else if (key === 'content' && Array.isArray(value)) n = textParts(value, out, n);
  }
  return n;
}

// The tokens of `functions.{name} to=assistant` per function name: a chat resends its results
// every turn, and building the text to count it would cost more than the rest of the result.
const authors: Record<EncodingName, ReturnType<typeof textMemo<number>>> = {
  o200k_base: textMemo<number>(),
  cl100k_base: textMemo<number>(),
};

/** The tokens of harmony's author of a result, `functions.{name} to=assistant`. */
export function authorTokens(name: string, encoding: EncodingName, counter: BpeCounter): number {
  const memo = authors[encoding];
  let tokens = memo.get(name);
  if (tokens === undefined) {
    // Never deferred (`deferCounts`): the memo would keep the first pass's placeholder.
    tokens = counter.countOrdinary(`functions.${name} to=assistant`);
    memo.set(name, tokens);
  }
  return tokens;
}

/** @internal Empties the memo of authors (`clearCountCache()`). */
export function clearAuthors(): void {
  authors.o200k_base.clear();
  authors.cl100k_base.clear();
}
