import { MAX_TOOL_CALLS, TOO_MANY_TOOL_CALLS, typeName } from '@x/internal';
import type { OpenAIToolCall } from '../types';
import { type Json, obj } from './chat-fields';

/**
 * Throws the accumulator's error for a malformed tool call; `detail` names the call and the
 * field, never the server's text.
 */
export type MalformedCall = (detail: string) => never;

interface Pending {
  id: string | undefined;
  /** Its index in the answer: the server's, unless another call of the answer holds that one. */
  index: number;
  /** The index the server gave it. */
  serverIndex: number;
  /**
   * What a delta said the call is (`type`, or a `function` or `custom` object), fixed by the
   * first one that says it; undefined reads as a function call, as servers that send no `type`
   * mean.
   */
  kind: 'function' | 'custom' | undefined;
  name: string;
  /** The JSON text of a function's arguments, or a custom tool's input, as its pieces arrived. */
  text: string;
}

/**
 * An index as servers number calls: a small whole number. Anything else is read as no index: a
 * hostile `1e400` (Infinity once parsed) or `2 ** 60` would make "the next free index" equal the
 * taken one, and a later call would replace an earlier one.
 */
function isIndex(index: unknown): index is number {
  return typeof index === 'number' && Number.isInteger(index) && index >= 0 && index < 2 ** 31;
}

/**
 * A call as the answer gives it. A function call's JSON arguments are parsed, `{}` when they are
 * not a JSON object (the raw text is kept); a custom call's input is its text as written.
 */
export function toolCall(pending: Pending): OpenAIToolCall {
  if (pending.kind === 'custom') {
    return {
      type: 'custom',
      id: pending.id,
      index: pending.index,
      name: pending.name,
      input: pending.text,
      arguments: {},
    };
  }
  let parsed: unknown;
  if (pending.text.trim().length > 0) {
    try {
      parsed = JSON.parse(pending.text);
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
    rawArguments: pending.text,
  };
}

/**
 * Tool calls assembled from streamed deltas by `index`: the first delta of a call brings its id
 * and name, the next ones pieces of its arguments' JSON text (of a custom call's input text),
 * interleaved with other calls' pieces or not. A whole answer's `tool_calls` go through the same
 * path, one delta per call. A delta that brings another id at an index held by a named call is
 * a call of its own (ai-dynamo numbers every parallel call 0): it takes the next free index, and
 * a later delta of that index without an id continues it.
 */
export class ToolCalls {
  /** The calls by their index in the answer (unique). */
  readonly #calls = new Map<number, Pending>();
  /** The newest call of each index the server sent. */
  readonly #byIndex = new Map<number, Pending>();
  /**
   * The calls by id, and the highest index in `#calls`: a hostile server's thousands of calls at
   * one index are each found and placed in constant time, not by a scan of every call.
   */
  readonly #byId = new Map<string, Pending>();
  #top = -1;
  readonly #fail: MalformedCall;
  #last: Pending | undefined;

  constructor(fail: MalformedCall) {
    this.#fail = fail;
  }

  get size(): number {
    return this.#calls.size;
  }

  /**
   * The `tool_calls` of one delta (or of a whole message, `whole`: each item is a new call).
   * Returns true when it brought something: a new call, its name, or argument or input text.
   */
  add(items: unknown, whole = false): boolean {
    if (!Array.isArray(items)) return false;
    let added = false;
    for (const item of items) {
      const delta = obj(item);
      if (delta === undefined) continue;
      const fn = obj(delta.function);
      const custom = obj(delta.custom);
      const id = typeof delta.id === 'string' && delta.id.length > 0 ? delta.id : undefined;
      let index = isIndex(delta.index) ? delta.index : undefined;
      if (index === undefined) {
        // Without an index (some servers): a new id, or a whole message, starts a new call.
        index =
          whole || this.#last === undefined || (id !== undefined && id !== this.#last.id)
            ? this.#calls.size
            : this.#last.serverIndex;
      }
      let pending = this.#byIndex.get(index);
      if (
        pending !== undefined &&
        id !== undefined &&
        pending.id !== undefined &&
        id !== pending.id &&
        pending.name.length > 0
      ) {
        // Another id at this index: a call held under it by that id, or a new call.
        pending = this.#withId(index, id);
      }
      if (pending === undefined) {
        pending = this.#open(index, id);
        added = true;
      }
      this.#settleKind(pending, delta.type, fn, custom);
      if (id !== undefined && pending.id === undefined) {
        pending.id = id;
        if (!this.#byId.has(id)) this.#byId.set(id, pending);
      }
      const before = pending.text.length;
      const named =
        pending.kind === 'custom'
          ? this.#addCustom(pending, custom ?? {}, whole)
          : this.#addFunction(pending, fn ?? {});
      added ||= named || pending.text.length > before;
      // A whole answer's call is all there is of it: no later delta can bring its name.
      if (whole) this.#expectNamed(pending);
      this.#last = pending;
    }
    return added;
  }

  /**
   * A new call the server numbered `index`: at that index in the answer, or at the next free one
   * when a call already holds it.
   */
  #open(index: number, id: string | undefined): Pending {
    if (this.#calls.size >= MAX_TOOL_CALLS) this.#fail(TOO_MANY_TOOL_CALLS);
    let at = index;
    if (this.#calls.has(at)) at = this.#top + 1;
    if (at > this.#top) this.#top = at;
    const pending: Pending = {
      id,
      index: at,
      serverIndex: index,
      kind: undefined,
      name: '',
      text: '',
    };
    this.#calls.set(at, pending);
    this.#byIndex.set(index, pending);
    if (id !== undefined && !this.#byId.has(id)) this.#byId.set(id, pending);
    return pending;
  }

  /**
   * The call the server numbered `index` whose id is `id`, made the newest of its index again, or
   * undefined.
   */
  #withId(index: number, id: string): Pending | undefined {
    const pending = this.#byId.get(id);
    if (pending === undefined || pending.serverIndex !== index) return undefined;
    this.#byIndex.set(index, pending);
    return pending;
  }

  /**
   * Fixes what the call is from the first delta that says it (`type: 'custom'` or a `custom`
   * object, a `function` object or `type: 'function'`). A delta saying both, or the other kind
   * later, is a malformed answer: its text would be read as the wrong kind.
   */
  #settleKind(pending: Pending, type: unknown, fn: Json | undefined, custom: Json | undefined) {
    const isCustom = type === 'custom' || custom !== undefined;
    if (isCustom && fn !== undefined) {
      this.#fail(`tool call ${pending.index} is both a \`function\` and a \`custom\` call`);
    }
    const kind = isCustom
      ? 'custom'
      : fn !== undefined || type === 'function'
        ? 'function'
        : undefined;
    if (kind === undefined) return;
    if (pending.kind !== undefined && pending.kind !== kind) {
      this.#fail(`tool call ${pending.index} changes from a ${pending.kind} to a ${kind} call`);
    }
    pending.kind = kind;
  }

  /**
   * True when the call got its name from `name`: the first delta with a non-empty one fixes it.
   * vLLM, llama.cpp's server, Ollama's /v1 and LM Studio send it in the first delta only, or
   * `null` after it, and some servers repeat it in every delta: a missing or null name is no
   * news, a repeated one must not double it. Anything else but a string is a malformed answer,
   * refused rather than read as an empty name the caller would dispatch on. `field` is the
   * name's path in the delta, for the error.
   */
  #name(pending: Pending, name: unknown, field: string): boolean {
    if (name != null && typeof name !== 'string') {
      this.#fail(`tool call ${pending.index}'s \`${field}\` is ${typeName(name)}, not a string`);
    }
    if (typeof name !== 'string' || pending.name.length > 0) return false;
    pending.name = name;
    return name.length > 0;
  }

  /** A function call's name and a piece of its arguments; true when it brought the name. */
  #addFunction(pending: Pending, fn: Json): boolean {
    const named = this.#name(pending, fn.name, 'function.name');
    const args = fn.arguments;
    if (typeof args === 'string') pending.text += args;
    else if (typeof args === 'object' && args !== null) pending.text += JSON.stringify(args);
    return named;
  }

  /**
   * A custom call's name and a piece of its input: text, unlike a function's arguments, which
   * some servers send as an object. Anything but a string is a malformed answer, refused rather
   * than read as an empty input the caller would act on. A stream's deltas may leave a field out
   * (null included); a whole answer's call must hold its input. True when it brought the name.
   */
  #addCustom(pending: Pending, custom: Json, whole: boolean): boolean {
    const { name, input } = custom;
    const named = this.#name(pending, name, 'custom.name');
    if (typeof input === 'string') pending.text += input;
    else if (input != null || whole) {
      this.#fail(
        `tool call ${pending.index}'s \`custom.input\` is ${typeName(input)}, not a string`,
      );
    }
    return named;
  }

  /**
   * A call without a name could not be run (a caller would dispatch to tool `''`): refused, a
   * function call as a custom one. A call that never said its kind reads as a function call.
   */
  #expectNamed(pending: Pending): void {
    if (pending.name.length > 0) return;
    const kind = pending.kind ?? 'function';
    this.#fail(`tool call ${pending.index} is a ${kind} call without \`${kind}.name\``);
  }

  /** The calls so far, in index order, as they stand (what a failed answer had brought). */
  list(): OpenAIToolCall[] {
    return this.#inOrder().map(toolCall);
  }

  /**
   * The calls of a complete answer: {@link list}, once each call is known to be named (checked in
   * index order, so the error names the first nameless one).
   */
  complete(): OpenAIToolCall[] {
    const pending = this.#inOrder();
    for (const call of pending) this.#expectNamed(call);
    return pending.map(toolCall);
  }

  #inOrder(): Pending[] {
    return [...this.#calls.values()].sort((a, b) => a.index - b.index);
  }
}
