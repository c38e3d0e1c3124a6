import type { OpenAIToolCall } from '../types';

type Json = Record<string, unknown>;

interface Pending {
  id: string | undefined;
  index: number;
  name: string;
  /** The JSON text of the arguments, as its pieces arrived. */
  args: string;
}

/** A call's JSON arguments parsed; `{}` when they are not a JSON object (the raw text is kept). */
export function toolCall(pending: Pending): OpenAIToolCall {
  let parsed: unknown;
  if (pending.args.trim().length > 0) {
    try {
      parsed = JSON.parse(pending.args);
    } catch {
      parsed = undefined;
    }
  }
  return {
    id: pending.id,
    index: pending.index,
    name: pending.name,
    arguments:
      typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : {},
    rawArguments: pending.args,
  };
}

/**
 * Tool calls assembled from streamed deltas by `index`: the first delta of a call brings its id
 * and name, the next ones pieces of its arguments' JSON text, interleaved with other calls' pieces
 * or not. A whole answer's `tool_calls` go through the same path, one delta per call.
 */
export class ToolCalls {
  readonly #calls = new Map<number, Pending>();
  #last: Pending | undefined;

  get size(): number {
    return this.#calls.size;
  }

  /**
   * The `tool_calls` of one delta (or of a whole message, `whole`: each item is a new call).
   * Returns true when it brought something: a new call, its id or name, or argument text.
   */
  add(items: unknown, whole = false): boolean {
    if (!Array.isArray(items)) return false;
    let added = false;
    for (const item of items) {
      if (typeof item !== 'object' || item === null) continue;
      const delta = item as Json;
      const fn = (
        typeof delta.function === 'object' && delta.function !== null ? delta.function : {}
      ) as Json;
      const id = typeof delta.id === 'string' && delta.id.length > 0 ? delta.id : undefined;
      let index = typeof delta.index === 'number' ? delta.index : undefined;
      if (index === undefined) {
        // Without an index (some servers): a new id, or a whole message, starts a new call.
        index =
          whole || this.#last === undefined || (id !== undefined && id !== this.#last.id)
            ? this.#calls.size
            : this.#last.index;
      }
      let pending = this.#calls.get(index);
      if (pending === undefined) {
        pending = { id, index, name: '', args: '' };
        this.#calls.set(index, pending);
        added = true;
      }
      if (id !== undefined && pending.id === undefined) pending.id = id;
      // The name comes once; a server that repeats it in every delta must not double it.
      if (typeof fn.name === 'string' && pending.name.length === 0) {
        pending.name = fn.name;
        added ||= fn.name.length > 0;
      }
      const args = fn.arguments;
      const before = pending.args.length;
      if (typeof args === 'string') pending.args += args;
      else if (typeof args === 'object' && args !== null) pending.args += JSON.stringify(args);
      added ||= pending.args.length > before;
      this.#last = pending;
    }
    return added;
  }

  /** The calls so far, in index order. */
  list(): OpenAIToolCall[] {
    const out: OpenAIToolCall[] = [];
    for (const pending of [...this.#calls.values()].sort((a, b) => a.index - b.index)) {
      out.push(toolCall(pending));
    }
    return out;
  }
}
