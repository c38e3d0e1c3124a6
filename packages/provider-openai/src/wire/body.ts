import { hideSecretShapes } from '@x/internal';
import { jsonObject } from '@x/provider-core';
import type { OpenAIAudioReference } from '../audio-output-types';
import type { ThinkingEcho } from '../presets';
import type {
  ChatRequest,
  EmbedRequest,
  OpenAIChatMessage,
  OpenAIToolCallInput,
  ResponseFormat,
} from '../types';
import { withThinkingChunk } from './answer-chunks';
import { contentParts, hasParts } from './content-parts';

/** What differs between OpenAI-compatible servers in how a body is written. */
export interface WireDialect {
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  seedField: 'seed' | 'random_seed';
  /** The field an embedding's `dimensions` is sent in (`dimensions` when left out). */
  dimensionsField?: 'dimensions' | 'output_dimension' | undefined;
  embeddingsEncoding: 'float' | 'base64';
  /** Ask for the usage in the stream (`stream_options.include_usage`). */
  streamUsage: boolean;
  /** The role a `developer` message is sent as (as given when left out). */
  developerRole?: 'developer' | 'system' | undefined;
  /** How an assistant message's `thinking` is sent back (not at all when left out). */
  thinkingEcho?: ThinkingEcho | undefined;
  /**
   * An assistant message's `refusal` is sent as `refusal` (when left out too); `false`: its text
   * is the turn's `content` when that is empty (`history-fields.ts`).
   */
  sendsRefusal?: boolean | undefined;
  /** An assistant message's `audio: { id }` is sent (when left out too); `false`: it is not. */
  sendsAudioId?: boolean | undefined;
}

/**
 * A call's `arguments` as JSON text. Written here rather than checked when the request is (that
 * would write them twice): a cycle, a BigInt or a `toJSON` that throws is refused naming the field
 * (`request.messages[i].toolCalls[j].arguments`), before anything is sent, instead of as `JSON.stringify`'s bare TypeError.
 */
function argumentsJson(args: unknown, i: number, j: number): string {
  try {
    return JSON.stringify(args);
  } catch (error) {
    // The first line of what was thrown (`Converting circular structure to JSON`), hidden where it
    // looks like a credential: a `toJSON` of user code may quote anything.
    let reason = 'a value that is not an Error';
    try {
      if (error instanceof Error) reason = hideSecretShapes(String(error.message).split('\n')[0]!);
    } catch {}
    throw new TypeError(
      `Expected \`request.messages[${i}].toolCalls[${j}].arguments\` to be an object JSON.stringify can write (no cycle, BigInt or throwing toJSON), got: ${reason}`,
      { cause: error },
    );
  }
}

/** One tool call; `i` and `j` place it (`request.messages[i].toolCalls[j]`) in an error only. */
function wireToolCall(call: OpenAIToolCallInput, i: number, j: number): Record<string, unknown> {
  if (call.type === 'custom') {
    return { id: call.id, type: 'custom', custom: { name: call.name, input: call.input } };
  }
  return {
    id: call.id,
    type: 'function',
    // Sent back exactly as the model wrote it: a re-serialised object could differ from it.
    function: {
      name: call.name,
      arguments: call.rawArguments ?? argumentsJson(call.arguments, i, j),
    },
  };
}

/**
 * One message in OpenAI's shape, in `dialect`'s words: a `developer` message as the role the
 * server knows, an assistant turn's `thinking` in the field the server reads back (where it has
 * one). `toolName` has no place in the API and stays out.
 */
export function wireMessage(
  m: OpenAIChatMessage,
  dialect?: WireDialect,
  /** Its index in the request, for an error's field path. */
  i = 0,
): OpenAIChatMessage | Record<string, unknown> {
  const role = m.role === 'developer' && dialect?.developerRole === 'system' ? 'system' : m.role;
  // The common message, exactly `{ role, content }`, is already in OpenAI's shape: no copy.
  let keys = 0;
  for (const _ in m) keys++;
  if (
    keys === 2 &&
    role === m.role &&
    typeof m.role === 'string' &&
    typeof m.content === 'string'
  ) {
    return m;
  }
  const out: Record<string, unknown> = { role };
  const called = m.toolCalls !== undefined && m.toolCalls.length > 0;
  const refusal = m.refusal !== undefined && dialect?.sendsRefusal !== false;
  // An earlier spoken answer, by its id: the API keeps the audio itself until `expiresAt`.
  const spoken =
    m.role === 'assistant' &&
    m.audio !== undefined &&
    !Array.isArray(m.audio) &&
    dialect?.sendsAudioId !== false;
  if (hasParts(m)) {
    out.content = contentParts(m);
  } else {
    // An assistant turn that only called tools, refused or spoke has no text: OpenAI itself
    // writes it as null. A refusal the server has no field for is the turn's text instead.
    const text = m.refusal !== undefined && !refusal && m.content === '' ? m.refusal : m.content;
    out.content = text === '' && (called || refusal || spoken) ? null : text;
  }
  if (m.name !== undefined) out.name = m.name;
  if (refusal) out.refusal = m.refusal;
  if (spoken) out.audio = { id: (m.audio as OpenAIAudioReference).id };
  if (called) out.tool_calls = m.toolCalls!.map((c, j) => wireToolCall(c, i, j));
  if (m.toolCallId !== undefined) out.tool_call_id = m.toolCallId;
  // What the model thought before this turn, for a server that wants it back (DeepSeek refuses
  // the next request of a tool loop without it): a pushed-back answer continues the conversation.
  const echo = dialect?.thinkingEcho;
  if (
    echo !== undefined &&
    m.thinking !== undefined &&
    m.role === 'assistant' &&
    (echo.turns === 'all' || called)
  ) {
    if (echo.field === 'thinking-chunk') out.content = withThinkingChunk(out.content, m.thinking);
    else out[echo.field] = m.thinking;
  }
  return out;
}

function wireResponseFormat(format: ResponseFormat): Record<string, unknown> {
  if (format.type !== 'json_schema') return { type: format.type };
  const { jsonSchema } = format;
  return { type: 'json_schema', json_schema: { ...jsonSchema } };
}

/**
 * The `/chat/completions` body without the stream fields (the cache key's input too). The
 * `extraBody` passthrough first, the named fields over it.
 */
export function toChatBody(request: ChatRequest, dialect: WireDialect): Record<string, unknown> {
  const body: Record<string, unknown> = request.extraBody ? { ...request.extraBody } : {};
  body.model = request.model;
  const { messages } = request;
  const wired = new Array<unknown>(messages.length);
  for (let i = 0; i < messages.length; i++) {
    wired[i] = wireMessage(messages[i]!, dialect, i);
  }
  body.messages = wired;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.seed !== undefined) body[dialect.seedField] = request.seed;
  if (request.maxTokens !== undefined) body[dialect.maxTokensField] = request.maxTokens;
  // An empty list (no stop sequences) is left out: OpenAI's spec gives the array `minItems: 1`,
  // and a server that checks it would answer 400 to what means "none".
  if (typeof request.stop === 'string') body.stop = request.stop;
  else if (request.stop !== undefined && request.stop.length > 0) body.stop = [...request.stop];
  // Without tools, `tool_choice` and `parallel_tool_calls` go too: OpenAI answers 400 to
  // `parallel_tool_calls` and vLLM to `tool_choice` without `tools`, and an agent loop whose tool
  // list came out empty should get a text answer, not an error (the Vercel AI SDK does the same).
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools;
    if (request.toolChoice !== undefined) body.tool_choice = request.toolChoice;
    if (request.parallelToolCalls !== undefined) {
      body.parallel_tool_calls = request.parallelToolCalls;
    }
  }
  if (request.responseFormat !== undefined) {
    body.response_format = wireResponseFormat(request.responseFormat);
  }
  if (request.logprobs !== undefined) body.logprobs = request.logprobs;
  if (request.topLogprobs !== undefined) body.top_logprobs = request.topLogprobs;
  if (request.frequencyPenalty !== undefined) body.frequency_penalty = request.frequencyPenalty;
  if (request.presencePenalty !== undefined) body.presence_penalty = request.presencePenalty;
  if (request.logitBias !== undefined) body.logit_bias = request.logitBias;
  if (request.reasoningEffort !== undefined) body.reasoning_effort = request.reasoningEffort;
  if (request.verbosity !== undefined) body.verbosity = request.verbosity;
  if (request.serviceTier !== undefined) body.service_tier = request.serviceTier;
  if (request.promptCacheKey !== undefined) body.prompt_cache_key = request.promptCacheKey;
  if (request.promptCacheOptions !== undefined) {
    body.prompt_cache_options = request.promptCacheOptions;
  }
  if (request.safetyIdentifier !== undefined) body.safety_identifier = request.safetyIdentifier;
  if (request.user !== undefined) body.user = request.user;
  // It changes the answer (its results, and a blocked input or output): part of the cache key.
  if (request.moderation !== undefined) body.moderation = request.moderation;
  return body;
}

/**
 * The fields that route or label a request without changing its answer: the tier that serves it
 * (its price and speed, the same model), OpenAI's prompt-cache routing key and how long (or how)
 * its prompt cache keeps the prefix (`prompt_cache_retention` in `extraBody`, `prompt_cache_options`
 * named or there), the end user's id for abuse monitoring. Two requests that differ only in them
 * share a cache entry.
 */
const ROUTING_FIELDS: ReadonlySet<string> = new Set([
  'service_tier',
  'prompt_cache_key',
  'prompt_cache_retention',
  'prompt_cache_options',
  'safety_identifier',
]);

/** The cache key's input: the body without {@link ROUTING_FIELDS} (the body itself when it has none). */
export function cacheKeyBody(body: Record<string, unknown>): Record<string, unknown> {
  // Own-key checks: the common body has none of them and is its own key, uncopied.
  if (
    !Object.hasOwn(body, 'service_tier') &&
    !Object.hasOwn(body, 'prompt_cache_key') &&
    !Object.hasOwn(body, 'prompt_cache_retention') &&
    !Object.hasOwn(body, 'prompt_cache_options') &&
    !Object.hasOwn(body, 'safety_identifier')
  ) {
    return body;
  }
  const key: Record<string, unknown> = {};
  for (const field of Object.keys(body)) {
    if (!ROUTING_FIELDS.has(field)) ownField(key, field, body[field]);
  }
  return key;
}

/** Sets `out[key]`; an own `__proto__` (an `extraBody` parsed from JSON) stays a field. */
function ownField(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(out, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else out[key] = value;
}

/** `stream_options.include_usage`: the last event before `[DONE]` carries the token counts. */
const STREAM_OPTIONS = Object.freeze({ include_usage: true });

/**
 * The `stream_options` of a streamed body: an `extraBody.stream_options` object keeps its fields
 * (vLLM's `continuous_usage_stats`, OpenAI's `include_obfuscation`) with `include_usage: true`
 * over them, as the usage is what the answer is accounted with.
 */
function streamOptions(given: unknown): Readonly<Record<string, unknown>> {
  if (typeof given !== 'object' || given === null || Array.isArray(given)) return STREAM_OPTIONS;
  const merged: Record<string, unknown> = {};
  for (const key of Object.keys(given)) {
    ownField(merged, key, (given as Record<string, unknown>)[key]);
  }
  merged.include_usage = true;
  return merged;
}

/** The body of a streamed call: the same fields, plus `stream` and `stream_options`. */
export function toStreamBody(
  body: Record<string, unknown>,
  dialect: WireDialect,
): Record<string, unknown> {
  // Copied key by key: an object spread and then given more keys takes V8's slow path (a few µs
  // per call). The body is shared with the cache key, so it is never changed in place.
  const out: Record<string, unknown> = {};
  // `{ ...body }` defines an own `__proto__` (an `extraBody` parsed from JSON); assigning it
  // would set the prototype instead.
  for (const key of Object.keys(body)) ownField(out, key, body[key]);
  out.stream = true;
  if (dialect.streamUsage) out.stream_options = streamOptions(body.stream_options);
  return out;
}

/**
 * The body of a call that is not streamed: without an `extraBody.stream_options`, which OpenAI
 * and vLLM answer with a 400 when `stream` is not true ("Stream options can only be defined when
 * `stream=True`"): the same `extraBody` serves both ways of reading an answer.
 */
function unstreamedBody(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(body)) if (key !== 'stream_options') ownField(out, key, body[key]);
  return out;
}

/** `,"stream":true`, and `stream_options` where the dialect accepts it: a streamed call's keys. */
function streamFieldsJson(dialect: WireDialect): string {
  return dialect.streamUsage
    ? ',"stream":true,"stream_options":{"include_usage":true}'
    : ',"stream":true';
}

/**
 * The JSON text of a chat body ({@link toChatBody}), and of its streamed form
 * ({@link toStreamBody}) when `stream`, written directly rather than given to `JSON.stringify`:
 * the messages, most of the text, are quoted without V8's serializer (`encode/json-write.ts` of
 * `@x/provider-core`). The same keys in the same order; `body.test.ts` holds the two together.
 */
export function chatBodyJson(
  body: Record<string, unknown>,
  stream: boolean,
  dialect: WireDialect,
): string {
  // An `extraBody` that sets `stream` itself keeps its key where it was: rare, left to the copy.
  if (stream && (Object.hasOwn(body, 'stream') || Object.hasOwn(body, 'stream_options'))) {
    return JSON.stringify(toStreamBody(body, dialect));
  }
  if (!stream && Object.hasOwn(body, 'stream_options')) {
    return jsonObject(unstreamedBody(body), '');
  }
  return jsonObject(body, stream ? streamFieldsJson(dialect) : '');
}

/** The `/embeddings` body. */
export function toEmbedBody(request: EmbedRequest, dialect: WireDialect): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: request.model,
    input: typeof request.input === 'string' ? request.input : [...request.input],
    encoding_format: request.encodingFormat ?? dialect.embeddingsEncoding,
  };
  if (request.dimensions !== undefined) {
    body[dialect.dimensionsField ?? 'dimensions'] = request.dimensions;
  }
  if (request.user !== undefined) body.user = request.user;
  return body;
}
