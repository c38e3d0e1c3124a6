import {
  expectJsonValues,
  expectKnownKeys,
  expectNumber,
  expectOneOf,
  fail,
  isPlainObject,
  optionalBoolean,
  optionalSignal,
  optionalString,
} from '@x/internal';
import {
  CHAT_REQUEST_ALIASES,
  expectChatMessage,
  expectModelName,
  expectPlainArgument,
  isPlainChatMessage,
  optionalCacheMode,
  optionalNumberIn,
  optionalStop,
  optionalToolCalls,
  optionalTools,
  refuseStreamFlag,
} from '@x/provider-core';
import { validateAssistantFields } from './assistant-fields';
import { validateMessageParts } from './message-parts';
import { validateOpenAIOnlyFields } from './openai-only-fields';
import type { OpenAIPreset, OpenAIPresetName } from './presets';
import { refusedFieldsOf } from './server-refusals';
import type {
  ChatRequest,
  OpenAIChatMessage,
  OpenAICustomToolCall,
  OpenAIFunctionToolCall,
} from './types';
import { EMBED_KEYS } from './validate-embed';

const TOOL_CHOICES = new Set(['none', 'auto', 'required']);
const FORMATS = ['text', 'json_object', 'json_schema'] as const;
// The values of openai-node's `ChatCompletionCreateParams` (v7.5.0).
const VERBOSITIES = ['low', 'medium', 'high'] as const;
const SERVICE_TIERS = ['auto', 'default', 'flex', 'scale', 'priority', 'fast'] as const;

const CHAT_KEYS = [
  'model',
  'messages',
  'temperature',
  'topP',
  'seed',
  'maxTokens',
  'stop',
  'tools',
  'toolChoice',
  'parallelToolCalls',
  'responseFormat',
  'logprobs',
  'topLogprobs',
  'frequencyPenalty',
  'presencePenalty',
  'logitBias',
  'reasoningEffort',
  'verbosity',
  'serviceTier',
  'promptCacheKey',
  'safetyIdentifier',
  'user',
  'moderation',
  'promptCacheOptions',
  'extraBody',
  'signal',
  'cache',
] as const;

/** The top-level fields a provider's calls take: its `requestFields`. */
export interface RequestFields {
  readonly chat: ReadonlySet<string>;
  readonly embed: ReadonlySet<string>;
}

const REQUEST_FIELDS: RequestFields = Object.freeze({
  chat: new Set<string>(CHAT_KEYS),
  embed: new Set<string>(EMBED_KEYS),
});

/**
 * The top-level fields `complete()`/`stream()` and `embed()` take on `preset` (of `family`), from
 * the lists above: the chat fields its server refuses or ignores whatever their value
 * (`server-refusals.ts`: Groq's `logitBias`, Ollama's) left out. Read by `@x/router` to drop
 * another provider's fields (`dropUnknownFields`).
 */
export function requestFieldsOf(
  preset: OpenAIPreset,
  family?: OpenAIPresetName | undefined,
): RequestFields {
  const refused = refusedFieldsOf(preset, family);
  if (!refused.some((field) => REQUEST_FIELDS.chat.has(field))) return REQUEST_FIELDS;
  const chat = new Set<string>(CHAT_KEYS.filter((key) => !refused.includes(key)));
  // `user` refused is refused of `embed()` too (`expectEmbedInputAccepted`).
  const embed = refused.includes('user')
    ? new Set<string>(EMBED_KEYS.filter((key) => key !== 'user'))
    : REQUEST_FIELDS.embed;
  return Object.freeze({ chat, embed });
}

// The fields of a message: the core's, and a user message's audio and files. A `Record` over
// its keys makes a field added to the type fail to compile until it is accepted here.
const MESSAGE_KEYS = Object.keys({
  role: true,
  content: true,
  name: true,
  images: true,
  audio: true,
  files: true,
  thinking: true,
  toolCalls: true,
  toolName: true,
  toolCallId: true,
  refusal: true,
  cacheBreakpoint: true,
} satisfies Record<keyof OpenAIChatMessage, true>);

// The fields of a tool call of either kind: a function call's (the core's, `rawArguments`
// included), and a custom call's `type` and `input`. A `Record` over their keys makes a field
// added to either type fail to compile until it is accepted here.
const TOOL_CALL_KEYS = Object.keys({
  id: true,
  index: true,
  name: true,
  arguments: true,
  rawArguments: true,
  type: true,
  input: true,
} satisfies Record<keyof OpenAIFunctionToolCall | keyof OpenAICustomToolCall, true>);

/**
 * The fields only OpenAI's tool calls have, of a call the core checked (`name`, object
 * `arguments`, string `id` and `rawArguments`): a custom call's text is its `input`, a function
 * call's its `arguments`, so each refuses the other's (a string where the other kind's field
 * goes is a `RangeError`, as a value refused beside another is).
 */
function toolCallKind(call: Record<string, unknown>, at: string): void {
  if (call.type !== undefined) expectOneOf(`${at}.type`, call.type, ['function', 'custom']);
  if (call.type === 'custom') {
    if (typeof call.input !== 'string') fail(`${at}.input`, 'a string', call.input);
    if (call.rawArguments !== undefined) {
      fail(
        `${at}.rawArguments`,
        'left out of a custom call (its text is `input`)',
        call.rawArguments,
        true,
      );
    }
  } else if (call.input !== undefined) {
    fail(
      `${at}.input`,
      'left out of a function call (only a `type: "custom"` call has it)',
      call.input,
      typeof call.input === 'string',
    );
  }
}

function validateMessage(message: unknown, i: number): void {
  if (isPlainChatMessage(message)) return;
  const at = `request.messages[${i}]`;
  expectChatMessage(at, message, MESSAGE_KEYS);
  validateMessageParts(at, message);
  validateAssistantFields(at, message);
  // A reply's tool calls carry `rawArguments`, sent back unchanged, or a custom call's `input`.
  // A custom call takes no JSON arguments: one written by hand may leave `arguments` out.
  optionalToolCalls(
    `${at}.toolCalls`,
    message.toolCalls,
    toolCallKind,
    TOOL_CALL_KEYS,
    (call) => call.type === 'custom',
  );
}

const TOOL_CHOICE_TYPES = new Set(['function', 'custom', 'allowed_tools']);
const TOOL_CHOICE_SHAPES =
  '"none", "auto", "required", `{ type: "function", function: { name } }`, `{ type: "custom", custom: { name } }` or `{ type: "allowed_tools", allowed_tools: { mode, tools } }`';

/** True for `{ [key]: { name: string } }`: a named function or custom tool. */
function names(choice: Record<string, unknown>, key: string): boolean {
  const named = choice[key];
  return isPlainObject(named) && typeof named.name === 'string';
}

/**
 * The tool choices of OpenAI's `ChatCompletionToolChoiceOption`, sent as given. A string that is
 * none of them is a `RangeError`, as a `type` string none of them has is; another shape a
 * `TypeError`.
 */
function validateToolChoice(choice: unknown): void {
  if (typeof choice === 'string' && TOOL_CHOICES.has(choice)) return;
  if (typeof choice === 'string') fail('request.toolChoice', TOOL_CHOICE_SHAPES, choice, true);
  if (isPlainObject(choice)) {
    if (choice.type === 'function' && names(choice, 'function')) return;
    if (choice.type === 'custom' && names(choice, 'custom')) return;
    const allowed = choice.allowed_tools;
    if (choice.type === 'allowed_tools' && isPlainObject(allowed)) {
      expectOneOf('request.toolChoice.allowed_tools.mode', allowed.mode, ['auto', 'required']);
      if (!Array.isArray(allowed.tools) || !allowed.tools.every(isPlainObject)) {
        fail('request.toolChoice.allowed_tools.tools', 'an array of tool objects', allowed.tools);
      }
      return;
    }
    if (typeof choice.type === 'string' && !TOOL_CHOICE_TYPES.has(choice.type)) {
      fail('request.toolChoice.type', '"function", "custom" or "allowed_tools"', choice.type, true);
    }
  }
  fail('request.toolChoice', TOOL_CHOICE_SHAPES, choice);
}

/**
 * A custom tool (`{ type: 'custom', custom: { name, description?, format? } }`): true when `tool`
 * is one (checked), false for any other, left to the core's check of function tools.
 */
function customTool(tool: unknown, i: number): boolean {
  if (!isPlainObject(tool) || tool.type !== 'custom') return false;
  const at = `request.tools[${i}]`;
  const custom = tool.custom;
  if (!isPlainObject(custom) || typeof custom.name !== 'string') {
    fail(at, '`{ type: "custom", custom: { name, description?, format? } }`', tool);
  }
  // As the core refuses a function tool's: the right type, a wrong value.
  if (custom.name.length === 0) fail(`${at}.custom.name`, 'a non-empty string', '', true);
  expectKnownKeys(at, tool, ['type', 'custom']);
  expectKnownKeys(`${at}.custom`, custom, ['name', 'description', 'format']);
  optionalString(`${at}.custom.description`, custom.description);
  if (custom.format !== undefined && !isPlainObject(custom.format)) {
    fail(
      `${at}.custom.format`,
      '`{ type: "text" }` or `{ type: "grammar", grammar }`',
      custom.format,
    );
  }
  if (custom.format !== undefined) expectJsonValues(`${at}.custom.format`, custom.format);
  return true;
}

function validateResponseFormat(format: unknown): void {
  if (!isPlainObject(format)) fail('request.responseFormat', '`{ type: ... }`', format);
  expectOneOf('request.responseFormat.type', format.type, FORMATS);
  if (format.type !== 'json_schema') {
    expectKnownKeys('request.responseFormat', format, ['type']);
    return;
  }
  expectKnownKeys('request.responseFormat', format, ['type', 'jsonSchema']);
  const schema = format.jsonSchema;
  if (!isPlainObject(schema) || typeof schema.name !== 'string') {
    fail('request.responseFormat.jsonSchema', '`{ name, schema?, strict?, description? }`', schema);
  }
  if (schema.name.length === 0) {
    fail('request.responseFormat.jsonSchema.name', 'a non-empty string', '', true);
  }
  expectKnownKeys('request.responseFormat.jsonSchema', schema, [
    'name',
    'schema',
    'strict',
    'description',
  ]);
  if (schema.schema !== undefined && !isPlainObject(schema.schema)) {
    fail('request.responseFormat.jsonSchema.schema', 'a JSON Schema object', schema.schema);
  }
  // Sent as JSON: a cycle or a BigInt would fail in `JSON.stringify` naming no field, and a
  // function or `NaN` inside would be dropped or sent as null.
  if (schema.schema !== undefined) {
    expectJsonValues('request.responseFormat.jsonSchema.schema', schema.schema);
  }
  optionalBoolean('request.responseFormat.jsonSchema.strict', schema.strict);
  optionalString('request.responseFormat.jsonSchema.description', schema.description);
}

/** A token id as `logit_bias` keys it: a non-negative integer in decimal (`"50256"`). */
const TOKEN_ID_KEY = /^(0|[1-9][0-9]*)$/;

/**
 * `logit_bias` maps token ids to a bias from -100 to 100 (OpenAI's API reference): a key that is
 * no token id (`"abc"`, `"-1"`, `"1.5"`) would be refused by the server or bias nothing.
 */
function validateLogitBias(bias: unknown): void {
  if (!isPlainObject(bias)) fail('request.logitBias', 'an object of token ids to biases', bias);
  for (const [token, value] of Object.entries(bias)) {
    if (!TOKEN_ID_KEY.test(token) || !Number.isSafeInteger(Number(token))) {
      const what = 'keyed by token ids (non-negative integers written in decimal, as "50256")';
      fail('request.logitBias', what, token, true);
    }
    expectNumber(`request.logitBias.${token}`, value, { min: -100, max: 100 });
  }
}

/**
 * `safety_identifier` holds at most 64 characters (`maxLength: 64` in OpenAI's API reference and
 * openai-node's doc comment): checked on every preset, as the field and its limit are OpenAI's
 * and a gateway passes it on. Counted as the API counts characters: code points, an emoji one.
 */
function expectSafetyIdentifier(id: string): void {
  const length = id.length > 64 ? [...id].length : id.length;
  if (length <= 64) return;
  const what = `at most 64 characters long (OpenAI's limit; it has ${length})`;
  fail('request.safetyIdentifier', what, id, true);
}

/** Validates a chat request; throws TypeError/RangeError before anything is sent. */
export function validateChatRequest(request: unknown): asserts request is ChatRequest {
  expectPlainArgument('request', request, 'with `model` and `messages`');
  const r = request;
  refuseStreamFlag(r, 'complete()', 'stream()');
  expectKnownKeys('request', r, CHAT_KEYS, CHAT_REQUEST_ALIASES);
  expectModelName('request.model', r.model, 'gpt-4o-mini');
  // The Chat Completions API refuses an empty list (400): said here, before a round trip (an
  // array, the right type: a `RangeError`).
  if (!Array.isArray(r.messages) || r.messages.length === 0) {
    fail(
      'request.messages',
      'a non-empty array of messages',
      r.messages,
      Array.isArray(r.messages),
    );
  }
  for (let i = 0; i < r.messages.length; i++) validateMessage(r.messages[i], i);
  // OpenAI's 0 to 2 holds at its own API only (`expectOpenAILimits`): Ollama's `/v1` and others
  // take a higher temperature, so here only what no server takes (negative, NaN, infinite).
  optionalNumberIn('request.temperature', r.temperature, 0);
  optionalNumberIn('request.topP', r.topP, 0, 1);
  optionalNumberIn('request.seed', r.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true);
  // A safe integer: a larger one is no exact count (and would be read as a context overflow).
  optionalNumberIn('request.maxTokens', r.maxTokens, 1, Number.MAX_SAFE_INTEGER, true);
  optionalNumberIn('request.topLogprobs', r.topLogprobs, 0, 20, true);
  optionalNumberIn('request.frequencyPenalty', r.frequencyPenalty, -2, 2);
  optionalNumberIn('request.presencePenalty', r.presencePenalty, -2, 2);
  optionalStop('request.stop', r.stop);
  optionalTools('request.tools', r.tools, customTool, '"function" or "custom"');
  if (r.toolChoice !== undefined) validateToolChoice(r.toolChoice);
  optionalBoolean('request.parallelToolCalls', r.parallelToolCalls);
  optionalBoolean('request.logprobs', r.logprobs);
  if (r.responseFormat !== undefined) validateResponseFormat(r.responseFormat);
  if (r.logitBias !== undefined) validateLogitBias(r.logitBias);
  // Which efforts a model takes is the server's to say (Groq's qwen3 takes `default`): any text.
  optionalString('request.reasoningEffort', r.reasoningEffort, true);
  if (r.verbosity !== undefined) expectOneOf('request.verbosity', r.verbosity, VERBOSITIES);
  if (r.serviceTier !== undefined) expectOneOf('request.serviceTier', r.serviceTier, SERVICE_TIERS);
  optionalString('request.promptCacheKey', r.promptCacheKey);
  optionalString('request.safetyIdentifier', r.safetyIdentifier);
  if (typeof r.safetyIdentifier === 'string') expectSafetyIdentifier(r.safetyIdentifier);
  optionalString('request.user', r.user);
  validateOpenAIOnlyFields(r);
  if (r.extraBody !== undefined) {
    if (!isPlainObject(r.extraBody)) {
      fail('request.extraBody', 'a plain object of extra body fields', r.extraBody);
    }
    // Sent as JSON, as the schema of a response format is.
    expectJsonValues('request.extraBody', r.extraBody);
    // The answer is one choice (the accumulator reads index 0 only): the others asked for would
    // be generated, billed and dropped.
    const n = r.extraBody.n;
    if (n !== undefined && n !== 1) {
      fail(
        'request.extraBody.n',
        '1 or left out (a call returns one answer: make several calls for several answers)',
        n,
        typeof n === 'number',
      );
    }
  }
  optionalSignal('request.signal', r.signal);
  optionalCacheMode('request.cache', r.cache);
}
