import { isUint8Array } from 'node:util/types';
import {
  expectJsonValues,
  expectKnownKeys,
  expectNumber,
  expectOneOf,
  fail,
  firstOfTwoKeys,
  hasControlOrEdgeSpace,
  isBlank,
  isPlainObject,
  optionError,
} from '@x/internal';
import { MAX_MODEL_NAME, MAX_MODELS, OVERFLOW_MODEL } from './observe/model-labels';
import { expectPlainArgument } from './plain-argument';
import type { CacheMode, ChatMessage, ChatRole, ToolCall, ToolDefinition } from './types';

// Its own file for length; exported here with the other request checks.
export { optionalStop } from './stop-sequences';

// Checks of the request fields every chat API has, for a provider's `validate*Request`. Each
// throws before anything is sent, worded the house way: ``Expected `request.x` to be ..., got ...``
// (TypeError for a wrong type or an unknown key, RangeError for a value of the right type that is
// wrong: a number out of range, a blank name, a string of the wrong shape).

/**
 * The names other APIs give a chat request's fields, for the unknown-key error to name ours:
 * `prompt` (a completion API's) is `messages` here, OpenAI's `max_completion_tokens` is `maxTokens`.
 */
export const CHAT_REQUEST_ALIASES: Readonly<Record<string, string>> = {
  prompt: 'messages',
  input: 'messages',
  max_completion_tokens: 'maxTokens',
  maxCompletionTokens: 'maxTokens',
  num_predict: 'maxTokens',
  numPredict: 'maxTokens',
  abortSignal: 'signal',
};

const ROLES: readonly ChatRole[] = ['system', 'developer', 'user', 'assistant', 'tool'];
const CACHE_MODES: readonly CacheMode[] = ['default', 'bypass', 'refresh'];

// The keys a request may hold below its top level are exactly the fields of the shared types: a
// `Record` over `keyof` makes adding a field to a type fail to compile until it is accepted here
// too, so a reply pushed back into `messages` (`message`, its `toolCalls`) never has a key the
// next request refuses, and a misspelt `imgaes` is an error instead of a silently dropped image.
const MESSAGE_FIELDS: Record<keyof ChatMessage, true> = {
  role: true,
  content: true,
  name: true,
  images: true,
  thinking: true,
  toolCalls: true,
  toolName: true,
  toolCallId: true,
};
// A tool call as any provider's reply carries it: the fields of `ToolCall`, and `rawArguments`,
// the arguments' JSON text as an OpenAI-compatible server sent them (`@x/provider-openai` sends it
// back unchanged). Accepted by every provider, so that a reply pushed back into `messages`, or
// moved to another provider by a router, is valid input; an API without the field never gets it.
const TOOL_CALL_FIELDS: Record<keyof ToolCall | 'rawArguments', true> = {
  id: true,
  index: true,
  name: true,
  arguments: true,
  rawArguments: true,
};
const TOOL_FIELDS: Record<keyof ToolDefinition, true> = { type: true, function: true };
const FUNCTION_FIELDS: Record<keyof ToolDefinition['function'], true> = {
  name: true,
  description: true,
  parameters: true,
  strict: true,
};
const MESSAGE_KEYS = Object.keys(MESSAGE_FIELDS);
const TOOL_CALL_KEYS = Object.keys(TOOL_CALL_FIELDS);
const TOOL_KEYS = Object.keys(TOOL_FIELDS);
const FUNCTION_KEYS = Object.keys(FUNCTION_FIELDS);

/**
 * Refuses the `stream` flag other clients take (ollama-js, the openai client): here the method
 * says how the answer comes, and the unknown-key error alone would not say which to call.
 * `whole` and `chunks` name the provider's two methods (`complete()`, `stream()`); a call with
 * no whole form (a model download, whose progress always comes as it happens) leaves `whole`
 * out, and the message says to read `chunks` to its end instead.
 */
export function refuseStreamFlag(
  request: Record<string, unknown>,
  whole: string | undefined,
  chunks: string,
): void {
  if (!Object.hasOwn(request, 'stream')) return;
  throw new TypeError(
    whole !== undefined
      ? `Unknown option \`request.stream\`: ${whole} returns the whole answer and ${chunks} yields it chunk by chunk, so there is no \`stream\` flag`
      : `Unknown option \`request.stream\`: ${chunks} always yields its progress as it comes (read it with \`for await\`, to its end to wait for the whole), so there is no \`stream\` flag`,
  );
}

/**
 * A model name: a non-empty string that fits as a label (`expectModelLabel`). `example`
 * names one in the message (`"llama3.2"`). Not a string is a `TypeError`, a blank one, or one
 * with a control character or surrounding whitespace, a `RangeError`.
 */
export function expectModelName(name: string, value: unknown, example: string): void {
  if (typeof value !== 'string' || isBlank(value)) {
    fail(
      name,
      `a non-empty string (a model name such as "${example}")`,
      value,
      typeof value === 'string',
    );
  }
  expectModelLabel(name, value);
}

/**
 * A model name labels stats, metrics, spans and logs as it is: refused when longer than any real
 * one ({@link MAX_MODEL_NAME}: a 1 MiB name would be a MiB in every series of a scrape), when it
 * holds a control character or surrounding whitespace, or when it is the overflow label (it would merge with the models past the first {@link MAX_MODELS}).
 * Also run on every call's model by the request path, whatever the provider validated.
 */
export function expectModelLabel(name: string, value: string): void {
  // A call checks its model here twice (the provider's validation, then the request path), and a
  // provider sends the same model call after call: the last name that passed is passed again
  // without its regular expression. Only a name that passed every check below is kept.
  if (value === lastLabel) return;
  checkModelLabel(name, value);
  lastLabel = value;
}

/** The last model name {@link expectModelLabel} passed (every check of it is of the name alone). */
let lastLabel: string | undefined;

function checkModelLabel(name: string, value: string): void {
  if (value.length > MAX_MODEL_NAME) {
    // The length, not the value: a megabyte of text is no help, and it may hold anything.
    throw optionError(
      [
        'Expected `',
        name,
        `\` to be a model name of at most ${MAX_MODEL_NAME} characters, got a string of ${value.length}`,
      ],
      true,
    );
  }
  // NUL, a newline or a tab would be sent into the request body, a URL path or a log line, and
  // labels a metric series apart from the model it meant; a space at either end is a paste slip.
  if (hasControlOrEdgeSpace(value)) {
    fail(
      name,
      'a model name without control characters (NUL, CR, LF, tab...) or surrounding whitespace',
      value,
      true,
    );
  }
  if (value === OVERFLOW_MODEL) {
    fail(
      name,
      `a model name other than "${OVERFLOW_MODEL}", the label stats and metrics give the models past the first ${MAX_MODELS}`,
      value,
      true,
    );
  }
}

/** An optional number in `[min, max]`, an integer when `integer`. */
export function optionalNumberIn(
  name: string,
  value: unknown,
  min: number,
  max = Number.POSITIVE_INFINITY,
  integer = false,
): void {
  if (value !== undefined) expectNumber(name, value, { min, max, integer });
}

/** An optional cache mode: `'default'`, `'bypass'` or `'refresh'`. */
export function optionalCacheMode(name: string, value: unknown): void {
  if (value !== undefined) expectOneOf(name, value, CACHE_MODES);
}

/**
 * True for the common chat message: a plain object of exactly a known `role` and a string
 * `content`. It passes {@link expectChatMessage} and a provider's checks of images and tool calls,
 * so a provider skips them for it, and the paths their errors would name are never built: they
 * run for every message of every request.
 */
export function isPlainChatMessage(message: unknown): boolean {
  if (typeof message !== 'object' || message === null) return false;
  const { role, content } = message as { role?: unknown; content?: unknown };
  if (typeof content !== 'string') return false;
  // The roles of `ROLES`, as a switch: this runs for every message of every request.
  switch (role) {
    case 'system':
    case 'developer':
    case 'user':
    case 'assistant':
    case 'tool':
      break;
    default:
      return false;
  }
  return (
    firstOfTwoKeys(message) !== undefined && Object.getPrototypeOf(message) === Object.prototype
  );
}

/** The optional string fields of {@link ChatMessage}. */
const MESSAGE_STRINGS = ['name', 'thinking', 'toolName', 'toolCallId'] as const;

/**
 * A chat message but its images and tool calls (whose checks a provider words or extends): an
 * object with only `knownKeys` (by default the fields of {@link ChatMessage}), a known `role`, a
 * string `content`, and strings where `name`, `thinking`, `toolName` and `toolCallId` are given.
 */
export function expectChatMessage(
  at: string,
  message: unknown,
  knownKeys: readonly string[] = MESSAGE_KEYS,
): asserts message is Record<string, unknown> {
  expectPlainArgument(at, message, 'with `role` and `content`');
  expectKnownKeys(at, message, knownKeys);
  expectOneOf(`${at}.role`, message.role, ROLES);
  if (typeof message.content !== 'string') fail(`${at}.content`, 'a string', message.content);
  // The path is built only for the error: this runs for every message of every request.
  for (const field of MESSAGE_STRINGS) {
    const value = message[field];
    if (value !== undefined && typeof value !== 'string') fail(`${at}.${field}`, 'a string', value);
  }
}

/**
 * Optional images: an array of base64 strings or bytes; `what` words the array and an item.
 * `accept`, when given, is asked of each string image too (a provider's own check of its text,
 * such as its base64): false refuses it, worded as `what.item`, which should then say what it
 * expects of a string. An item of another type is a `TypeError`, a string `accept` refuses a
 * `RangeError`.
 */
export function optionalImages(
  name: string,
  value: unknown,
  what = { list: 'an array of base64 strings', item: 'a base64 string or a Uint8Array' },
  accept?: (image: string) => boolean,
): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) fail(name, what.list, value);
  for (let j = 0; j < value.length; j++) {
    const image: unknown = value[j];
    const ok =
      typeof image === 'string' ? accept === undefined || accept(image) : isUint8Array(image);
    if (!ok) fail(`${name}[${j}]`, what.item, image, typeof image === 'string');
  }
}

/**
 * Tool schemas and call arguments already walked whole. A program sends the same tool objects on
 * every call and the same history on every turn: walking them again cost about 1 µs a tool each
 * call. An object changed after its first check (a cycle added to it) is not walked again: JSON
 * then refuses it when the body is written, still before anything is sent, without the path.
 */
const walkedJson = new WeakSet<object>();

function jsonOnce(name: string, value: object): void {
  if (walkedJson.has(value)) return;
  expectJsonValues(name, value);
  walkedJson.add(value);
}

/**
 * Optional tool calls of an assistant message: an array of `{ name, arguments }` objects with only
 * `knownKeys` (by default the fields of {@link ToolCall}). `each` checks a provider's extra fields
 * of one call. `noArguments`, when given, is asked of a call without `arguments`: true lets it
 * leave them out (a provider's call of a kind that takes none, such as OpenAI's custom calls).
 */
export function optionalToolCalls(
  name: string,
  value: unknown,
  each?: (call: Record<string, unknown>, at: string) => void,
  knownKeys: readonly string[] = TOOL_CALL_KEYS,
  noArguments?: (call: Record<string, unknown>) => boolean,
): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) fail(name, 'an array', value);
  // By index, not `forEach`: a hole of a sparse array is refused as `undefined`, not skipped.
  for (let j = 0; j < value.length; j++) {
    const call: unknown = value[j];
    const c = call as Record<string, unknown>;
    if (
      !isPlainObject(c) ||
      typeof c.name !== 'string' ||
      !(
        isPlainObject(c.arguments) ||
        (c.arguments === undefined && noArguments !== undefined && noArguments(c))
      )
    ) {
      fail(`${name}[${j}]`, 'an object with `name` and object `arguments`', call);
    }
    expectKnownKeys(`${name}[${j}]`, c, knownKeys);
    for (const field of ['id', 'rawArguments'] as const) {
      const v = c[field];
      if (v !== undefined && typeof v !== 'string') fail(`${name}[${j}].${field}`, 'a string', v);
    }
    // Sent as JSON: a cycle, a BigInt or a function inside is refused by its path here, not by
    // JSON's own unnamed error (or a silent drop) when the body is written.
    if (c.arguments !== undefined) jsonOnce(`${name}[${j}].arguments`, c.arguments);
    each?.(c, `${name}[${j}]`);
  }
}

/**
 * Optional tool definitions: an array of `{ type: 'function', function: { name, description?,
 * parameters? } }`, with no other key at either level. `parameters`, a JSON Schema, must be a
 * plain object of JSON values (a string or an array is refused, as is a cycle, a BigInt or a
 * function inside, by its path); what the schema says is the caller's and is not looked into. `other` checks a tool of a kind only its provider's API has
 * (OpenAI's `type: 'custom'`): given the tool and its index, it returns true when the tool is one,
 * and throws when that is malformed. A `type` string other than `"function"` (and than the
 * ones `other` takes, which `types` words: `'"function" or "custom"'`) and an empty
 * `function.name` are `RangeError`s, as is a name two tools have; a wrong type, a missing field
 * or an unknown key a `TypeError`.
 */
export function optionalTools(
  name: string,
  value: unknown,
  other?: (tool: unknown, i: number) => boolean,
  types = '"function"',
): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) fail(name, 'an array of tool definitions', value);
  // By index, not `forEach`: a hole of a sparse array is refused as `undefined`, not skipped.
  for (let i = 0; i < value.length; i++) {
    const tool: unknown = value[i];
    if (other?.(tool, i) === true) continue;
    const t = tool as Record<string, unknown>;
    const fn = t?.function as Record<string, unknown> | undefined;
    if (isPlainObject(t) && typeof t.type === 'string' && t.type !== 'function') {
      fail(`${name}[${i}].type`, types, t.type, true);
    }
    if (!isPlainObject(t) || t.type !== 'function' || !isPlainObject(fn)) {
      fail(`${name}[${i}]`, '`{ type: "function", function: { name, ... } }`', tool);
    }
    expectKnownKeys(`${name}[${i}]`, t, TOOL_KEYS);
    expectKnownKeys(`${name}[${i}].function`, fn, FUNCTION_KEYS);
    if (typeof fn.name !== 'string' || fn.name.length === 0) {
      fail(`${name}[${i}].function.name`, 'a non-empty string', fn.name, fn.name === '');
    }
    if (fn.strict !== undefined && typeof fn.strict !== 'boolean') {
      fail(`${name}[${i}].function.strict`, 'a boolean', fn.strict);
    }
    if (fn.description !== undefined && typeof fn.description !== 'string') {
      fail(`${name}[${i}].function.description`, 'a string', fn.description);
    }
    if (fn.parameters !== undefined) {
      // A string or an array is sent as is and fails at the server ("cannot unmarshal").
      if (!isPlainObject(fn.parameters)) {
        fail(`${name}[${i}].function.parameters`, 'a JSON Schema object', fn.parameters);
      }
      jsonOnce(`${name}[${i}].function.parameters`, fn.parameters);
    }
  }
  if (value.length > 1) expectDistinctToolNames(name, value);
}

/**
 * Two tools of one name are sent as they are (Ollama takes them), and a call the model makes
 * names its tool: which of the two it meant could not be told. Every tool has its name where
 * OpenAI's API puts it, under its type (`function.name`, a custom tool's `custom.name`), so the
 * kinds `other` takes are compared too. Run once the tools are known to be well formed.
 */
function expectDistinctToolNames(name: string, tools: readonly unknown[]): void {
  const seen = new Map<string, number>();
  for (let i = 0; i < tools.length; i++) {
    const tool = tools[i] as { type: string } & Record<string, { name?: unknown } | undefined>;
    const toolName = tool[tool.type]?.name;
    // (a kind `other` takes without a name there has none to compare)
    if (typeof toolName !== 'string') continue;
    const first = seen.get(toolName);
    if (first !== undefined) {
      fail(
        `${name}[${i}].${tool.type}.name`,
        `a name no other tool has (\`${name}[${first}]\` has it too, and a tool call names the tool it calls)`,
        toolName,
        true,
      );
    }
    seen.set(toolName, i);
  }
}
