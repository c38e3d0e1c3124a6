// Ollama's tool calls of an answer, typed: ids for calls the server sent without one, and each
// call's server-worded fields scrubbed.
import { randomBytes } from 'node:crypto';
import { redactOnce } from '@x/provider-core';
import type { ToolCall } from '../types';

type Json = Record<string, unknown>;

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * An id for a call the server sent without one (Ollama before 0.12.10 gives none), in the form
 * newer servers give (`call_` and 8 of [a-z0-9]): so that a tool result can name its call by
 * `toolCallId` alone (sent with the call's `tool_name`, which Ollama's templates read), and the
 * conversation can go on at a server that requires ids (OpenAI's).
 */
function newCallId(): string {
  const bytes = randomBytes(8);
  let id = 'call_';
  for (let i = 0; i < 8; i++) id += ID_CHARS[bytes[i]! % ID_CHARS.length];
  return id;
}

/**
 * Ollama's `tool_calls` as typed calls, or `undefined` when the list holds none (left out, empty,
 * or only items that are not objects, such as `[null]`): nothing usable is no progress, so a server
 * repeating such lines cannot hold off `idleMs`. An object without a non-empty `function.name` is
 * a malformed call: `malformed` throws, as the caller would otherwise run a tool named `''`. A
 * call's id and name, which the server words, are scrubbed with `redact` (a hostile server may
 * echo the request's key there): a stream hands them to the caller before the answer's own scrub.
 */
export function mapToolCalls(
  raw: unknown,
  malformed: (detail: string) => never,
  redact: (text: string) => string,
): ToolCall[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0) return undefined;
  const out: ToolCall[] = [];
  for (const [position, item] of raw.entries()) {
    if (typeof item !== 'object' || item === null) continue;
    const call = item as Json;
    const fn = (
      typeof call.function === 'object' && call.function !== null ? call.function : {}
    ) as Json;
    // The detail names the call and the field, never the server's text.
    if (typeof fn.name !== 'string' || fn.name.length === 0) {
      malformed(
        `tool call ${position} has ${typeof fn.name === 'string' ? 'an empty' : 'no'} \`function.name\``,
      );
    }
    let args = fn.arguments;
    // Ollama sends an object; tolerate a JSON string from proxies speaking OpenAI's dialect.
    if (typeof args === 'string') {
      try {
        args = JSON.parse(args);
      } catch {
        args = { _raw: args };
      }
    }
    out.push({
      id: typeof call.id === 'string' && call.id !== '' ? redactOnce(redact, call.id) : newCallId(),
      index: typeof fn.index === 'number' && Number.isFinite(fn.index) ? fn.index : undefined,
      name: redact(fn.name),
      arguments: typeof args === 'object' && args !== null ? (args as Json) : {},
    });
  }
  return out.length > 0 ? out : undefined;
}
