import { createRandom, isPlainObject } from '@x/internal';
import type { ReplyHook } from '../options';
import { goJson } from './go-json';
import { hashString, mix } from './prng';
import { estimateTextTokens, generateTokens, pickInt, splitTokens } from './text';

export interface ToolCall {
  id: string;
  function: { index: number; name: string; arguments: Record<string, unknown> };
}

/** What a model "says" for one request, decided up front so it is deterministic. */
export interface Completion {
  readonly thinking: string[];
  readonly content: string[];
  readonly toolCalls: ToolCall[] | undefined;
  readonly doneReason: 'stop' | 'length';
  readonly evalCount: number;
  readonly seed: number;
}

type Json = Record<string, unknown>;

/** Capitalised words that do not start a sentence: a cheap guess at names ("Paris"). */
function properNouns(text: string): string[] {
  const out: string[] = [];
  const re = /\p{Lu}[\p{L}\p{N}]*/gu;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    let j = m.index - 1;
    while (j >= 0 && /\s/.test(text[j]!)) j--;
    if (j >= 0 && !'.!?'.includes(text[j]!)) out.push(m[0]);
  }
  return out;
}

/** A value for a JSON Schema: first enum value, a proper noun from the prompt for strings, … */
export function valueForSchema(schema: unknown, key: string, prompt: string): unknown {
  if (!isPlainObject(schema)) return 'example';
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  switch (schema.type) {
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return objectForSchema(schema, prompt);
    default: {
      const nouns = properNouns(prompt);
      return nouns.length > 0 ? nouns.join(' ') : key;
    }
  }
}

export function objectForSchema(schema: Json, prompt: string): Json {
  const props = isPlainObject(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required : Object.keys(props);
  const out: Json = {};
  for (const key of Object.keys(props)) {
    if (!required.includes(key)) continue;
    // Defined, not assigned: a property named `__proto__` is an ordinary key of the answer.
    Object.defineProperty(out, key, {
      value: valueForSchema(props[key], key, prompt),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Words of at least 4 letters in a tool's name (snake, kebab or camel case) and description. */
function toolWords(fn: Json): string[] {
  const name = String(fn.name ?? '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .split(/[^\p{L}\p{N}]+/u);
  return name.map((w) => w.toLowerCase()).filter((w) => w.length >= 4);
}

/**
 * The tools a user message "asks for": those one of whose name words (4+ letters) occurs in the
 * message ("weather" in get_current_weather), in the order of `tools`. None: the model answers in
 * text.
 */
function pickTools(tools: unknown[], prompt: string): { function: Json }[] {
  const text = prompt.toLowerCase();
  const out: { function: Json }[] = [];
  for (const t of tools) {
    if (!isPlainObject(t) || !isPlainObject(t.function)) continue;
    if (toolWords(t.function).some((w) => text.includes(w))) out.push(t as { function: Json });
  }
  return out;
}

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';

export interface CompletionInput {
  readonly route: '/api/chat' | '/api/generate';
  readonly model: string;
  readonly modelKey: string;
  readonly body: Json;
  /** Text the seed is derived from (the rendered prompt). */
  readonly promptText: string;
  /** The last user message or the prompt. */
  readonly prompt: string;
  readonly thinking: boolean;
  readonly tools: unknown[] | undefined;
  readonly lastRole: string | undefined;
  /** The most tokens the runner generates (`num_predict` as the runner bounds it): then `length`. */
  readonly numPredict: number;
  readonly simSeed: number;
  readonly requestSeed: number | undefined;
  readonly responseTokens: { readonly min: number; readonly max: number };
  readonly reply: ReplyHook | undefined;
  readonly tokensPerChar: number;
  /** Stop sequences (`options.stop`): the answer ends before the first one it would contain. */
  readonly stop: readonly string[];
  /** Tool calls made at once (the `toolCalls.parallel` option). */
  readonly parallelToolCalls: number;
}

/**
 * The tokens of `content` up to the first stop sequence (not included; a token it starts inside
 * is cut), or undefined when none occurs.
 */
function cutAtStop(content: string[], stop: readonly string[]): string[] | undefined {
  if (stop.length === 0) return undefined;
  const text = content.join('');
  let at = -1;
  for (const s of stop) {
    const i = s === '' ? -1 : text.indexOf(s);
    if (i >= 0 && (at < 0 || i < at)) at = i;
  }
  if (at < 0) return undefined;
  const kept: string[] = [];
  let length = 0;
  for (const token of content) {
    if (length + token.length > at) {
      if (at > length) kept.push(token.slice(0, at - length));
      break;
    }
    kept.push(token);
    length += token.length;
  }
  return kept;
}

/** Decides the thinking, content and tool calls of one request from its seed. */
export function complete(input: CompletionInput): Completion {
  let seed = mix(hashString(input.promptText, hashString(input.modelKey)), input.simSeed);
  if (input.requestSeed !== undefined) seed = mix(seed, input.requestSeed >>> 0);
  const random = createRandom(seed);
  const thinking = input.thinking ? generateTokens(mix(seed, 1), pickInt(random, 4, 12)) : [];
  const tools = input.tools;
  if (tools !== undefined && tools.length > 0 && input.lastRole === 'user') {
    const picked = pickTools(tools, input.prompt);
    if (picked.length > 0) {
      const calls: ToolCall[] = [];
      let evalCount = 0;
      // Indexed as Ollama's parsers number the calls of one answer; the tools the message names
      // in turn, the first again when there are fewer of them than calls.
      for (let index = 0; index < input.parallelToolCalls; index++) {
        let id = 'call_';
        for (let i = 0; i < 8; i++) id += ID_CHARS[Math.floor(random() * ID_CHARS.length)];
        const fn = picked[index % picked.length]!.function;
        const params = isPlainObject(fn.parameters) ? fn.parameters : {};
        const args = objectForSchema(params, input.prompt);
        const call: ToolCall = {
          id,
          function: { index, name: String(fn.name ?? 'tool'), arguments: args },
        };
        evalCount += estimateTextTokens(goJson(call.function), input.tokensPerChar) + 4;
        calls.push(call);
      }
      return { thinking, content: [], toolCalls: calls, doneReason: 'stop', evalCount, seed };
    }
  }
  let content: string[];
  const custom = input.reply?.({
    route: input.route,
    model: input.model,
    body: input.body,
    prompt: input.prompt,
    seed,
  });
  const format = input.body.format;
  if (custom !== undefined) {
    content = splitTokens(String(custom));
  } else if (format === 'json' || isPlainObject(format)) {
    const value = isPlainObject(format)
      ? objectForSchema(format, input.prompt)
      : { answer: generateTokens(mix(seed, 2), pickInt(random, 3, 8)).join('') };
    content = splitTokens(JSON.stringify(value));
  } else {
    content = generateTokens(
      mix(seed, 2),
      pickInt(random, input.responseTokens.min, input.responseTokens.max),
    );
  }
  let doneReason: 'stop' | 'length' = 'stop';
  const stopped = cutAtStop(content, input.stop);
  // The stop sequence's own token was generated, then withheld: it counts in eval_count.
  let withheld = 0;
  if (stopped !== undefined) {
    withheld = 1;
    content = stopped;
  }
  const limit = input.numPredict;
  if (limit >= 0 && thinking.length + content.length + withheld > limit) {
    doneReason = 'length';
    withheld = 0;
    const keepThinking = Math.min(thinking.length, limit);
    thinking.length = keepThinking;
    content = content.slice(0, limit - keepThinking);
  }
  return {
    thinking,
    content,
    toolCalls: undefined,
    doneReason,
    evalCount: Math.max(1, thinking.length + content.length + withheld),
    seed,
  };
}

/** Deterministic token ids for `/api/generate`'s `context` (prompt + answer). */
export function contextIds(seed: number, count: number): number[] {
  const random = createRandom(mix(seed, 3));
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = Math.floor(random() * 128256);
  return out;
}
