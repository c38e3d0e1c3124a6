import { firstOfTwoKeys } from '@x/internal';
import { jsonChatMessage, jsonObject, jsonQuote, jsonValue } from '@x/provider-core';
import type {
  ChatMessage,
  ChatRequest,
  EmbedRequest,
  GenerateRequest,
  ToolCall,
  ToolDefinition,
} from '../types';

/** The sampling fields chat and generate share. */
type Sampling = Pick<
  ChatRequest,
  'temperature' | 'topP' | 'topK' | 'seed' | 'maxTokens' | 'stop' | 'numCtx' | 'options'
>;

function toBase64(image: string | Uint8Array): string {
  if (typeof image !== 'string') return Buffer.from(image).toString('base64');
  // A data URL (`data:image/png;base64,...`, as OpenAI-style clients pass images) is not base64
  // itself: Ollama answers 400 `illegal base64 data at input byte 4`. Send its payload.
  const comma = image.startsWith('data:') ? image.indexOf(',') : -1;
  return comma !== -1 && image.slice(0, comma).endsWith(';base64') ? image.slice(comma + 1) : image;
}

function wireToolCall(call: ToolCall): Record<string, unknown> {
  const fn: Record<string, unknown> = { name: call.name, arguments: call.arguments };
  if (call.index !== undefined) fn.index = call.index;
  const out: Record<string, unknown> = { function: fn };
  if (call.id !== undefined) out.id = call.id;
  return out;
}

/**
 * The function a tool result answers, for a result that names only its call: the name of the call
 * with that id in an earlier message, the latest such (Ollama's own /v1 layer does the same,
 * `nameFromToolCallID`): the templates read `tool_name`, never `tool_call_id`.
 */
function callName(
  messages: readonly ChatMessage[],
  before: number,
  id: string,
): string | undefined {
  for (let i = before - 1; i >= 0; i--) {
    const calls = messages[i]!.toolCalls;
    if (calls === undefined) continue;
    for (const call of calls) if (call.id === id) return call.name;
  }
  return undefined;
}

/**
 * One message as Ollama's API has it; `index` and `messages` (the conversation it is in) give a
 * tool result that names only its call the function's name.
 */
function wireMessage(
  m: ChatMessage,
  index: number,
  messages: readonly ChatMessage[],
): ChatMessage | Record<string, unknown> {
  // The common message, exactly `{ role, content }`, is already in Ollama's shape: no copy.
  // Anything else is copied field by field, so an application's own fields never reach the wire
  // (or the cache key).
  if (
    firstOfTwoKeys(m) !== undefined &&
    typeof m.role === 'string' &&
    m.role !== 'developer' &&
    typeof m.content === 'string'
  ) {
    return m;
  }
  // Ollama's chat templates know system, user, assistant and tool: OpenAI's `developer`
  // instructions are sent as the system prompt, as OpenAI itself does for older models.
  const out: Record<string, unknown> = {
    role: m.role === 'developer' ? 'system' : m.role,
    content: m.content,
  };
  if (m.images !== undefined) out.images = m.images.map(toBase64);
  if (m.thinking !== undefined) out.thinking = m.thinking;
  if (m.toolCalls !== undefined) out.tool_calls = m.toolCalls.map(wireToolCall);
  const toolName =
    m.toolName === undefined && m.toolCallId !== undefined && m.role === 'tool'
      ? callName(messages, index, m.toolCallId)
      : m.toolName;
  if (toolName !== undefined) out.tool_name = toolName;
  if (m.toolCallId !== undefined) out.tool_call_id = m.toolCallId;
  return out;
}

/** Messages as Ollama's API has them (for `/api/create`, whose messages are chat's). */
export function wireMessages(messages: readonly ChatMessage[]): unknown[] {
  return messages.map(wireMessage);
}

/**
 * Builds Ollama's `options` object: the passthrough first, then the named fields over it, then
 * `num_ctx` (the provider's choice, else the request's `numCtx`, else whatever the passthrough set).
 */
export function wireOptions(
  request: Sampling,
  numCtx: number | undefined,
): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = request.options ? { ...request.options } : {};
  if (request.temperature !== undefined) out.temperature = request.temperature;
  if (request.topP !== undefined) out.top_p = request.topP;
  if (request.topK !== undefined) out.top_k = request.topK;
  if (request.seed !== undefined) out.seed = request.seed;
  if (request.maxTokens !== undefined) out.num_predict = request.maxTokens;
  // An empty list (no stop sequences) is left out: sent, Ollama would read it as clearing the
  // model's own stop parameters (its Modelfile's), not as "none of mine".
  if (typeof request.stop === 'string') out.stop = [request.stop];
  else if (request.stop !== undefined && request.stop.length > 0) out.stop = [...request.stop];
  // The provider passes a choice for a request that sets its own window only when that window is
  // past the model's trained length: the trained length, which the server would run it with.
  const ctx = numCtx ?? request.numCtx;
  if (ctx !== undefined) out.num_ctx = ctx;
  for (const _ in out) return out;
  return undefined;
}

/**
 * The `/api/chat` body. `stream` is always explicit on the wire; `undefined` leaves it out (the
 * cache key's input: a key built without it, rather than a body with it deleted, which would turn
 * the object into a slow dictionary for every later read). `keep_alive` only when set.
 */
export function toChatBody(
  request: ChatRequest,
  stream: boolean | undefined,
  numCtx: number | undefined,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: request.model,
    messages: request.messages.map(wireMessage),
  };
  if (stream !== undefined) body.stream = stream;
  if (request.format !== undefined) body.format = request.format;
  const options = wireOptions(request, numCtx);
  if (options !== undefined) body.options = options;
  if (request.keepAlive !== undefined) body.keep_alive = request.keepAlive;
  if (request.tools !== undefined && request.tools.length > 0)
    body.tools = wireTools(request.tools);
  if (request.think !== undefined) body.think = request.think;
  addTruncateShift(body, request);
  addLogprobs(body, request);
  return body;
}

/** `,"key":value` when the value is set, as `JSON.stringify` writes an object's key. */
function field(prefix: string, value: unknown): string {
  return value === undefined ? '' : prefix + jsonValue(value);
}

/**
 * A message as JSON text: one {@link wireMessage} returns as it is (just `role` and `content`)
 * written directly, without looking at its keys again; any other serialised as copied.
 */
function messageJson(m: ChatMessage, index: number, messages: readonly ChatMessage[]): string {
  const wire = wireMessage(m, index, messages);
  return wire === m ? jsonChatMessage(m.role, m.content as string) : JSON.stringify(wire);
}

/**
 * {@link toChatBody} as the JSON text sent, written directly rather than built and given to
 * `JSON.stringify` (a third of its cost for a short chat: `encode/json-write.ts` of
 * `@x/provider-core`). The same keys in the same order; `body.test.ts` holds the two together.
 */
export function chatBodyJson(
  request: ChatRequest,
  stream: boolean,
  numCtx: number | undefined,
): string {
  let out = `{"model":${jsonQuote(request.model)},"messages":[`;
  const messages = request.messages;
  for (let i = 0; i < messages.length; i++) {
    out +=
      i === 0
        ? messageJson(messages[i]!, i, messages)
        : `,${messageJson(messages[i]!, i, messages)}`;
  }
  out += `],"stream":${stream}`;
  out += field(',"format":', request.format);
  const options = wireOptions(request, numCtx);
  if (options !== undefined) out += `,"options":${jsonObject(options)}`;
  out += field(',"keep_alive":', request.keepAlive);
  if (request.tools !== undefined && request.tools.length > 0)
    out += `,"tools":${JSON.stringify(wireTools(request.tools))}`;
  out += field(',"think":', request.think);
  out += field(',"truncate":', request.truncate);
  out += field(',"shift":', request.shift);
  out += field(',"logprobs":', request.logprobs);
  return `${out + field(',"top_logprobs":', request.topLogprobs)}}`;
}

/**
 * Tool definitions as Ollama's API has them: OpenAI's `function.strict` is not one of its fields,
 * so a definition written for both providers is sent without it (and as given otherwise).
 */
function wireTools(tools: readonly ToolDefinition[]): readonly ToolDefinition[] {
  if (!tools.some((t) => t.function.strict !== undefined)) return tools;
  return tools.map(({ type, function: { strict: _, ...fn } }) => ({ type, function: fn }));
}

/** `truncate` and `shift`, when set (Ollama's default for both is `true`). */
function addTruncateShift(
  body: Record<string, unknown>,
  request: Pick<ChatRequest, 'truncate' | 'shift'>,
): void {
  if (request.truncate !== undefined) body.truncate = request.truncate;
  if (request.shift !== undefined) body.shift = request.shift;
}

/** `logprobs` and `top_logprobs`, when asked. */
function addLogprobs(
  body: Record<string, unknown>,
  request: Pick<ChatRequest, 'logprobs' | 'topLogprobs'>,
): void {
  if (request.logprobs !== undefined) body.logprobs = request.logprobs;
  if (request.topLogprobs !== undefined) body.top_logprobs = request.topLogprobs;
}

/** The `/api/generate` body, `stream` as in {@link toChatBody}; optional fields only when set. */
export function toGenerateBody(
  request: GenerateRequest,
  stream: boolean | undefined,
  numCtx: number | undefined,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: request.model,
    prompt: request.prompt ?? '',
  };
  if (stream !== undefined) body.stream = stream;
  if (request.suffix !== undefined) body.suffix = request.suffix;
  if (request.system !== undefined) body.system = request.system;
  if (request.template !== undefined) body.template = request.template;
  if (request.raw !== undefined) body.raw = request.raw;
  if (request.images !== undefined) body.images = request.images.map(toBase64);
  if (request.context !== undefined) body.context = [...request.context];
  if (request.format !== undefined) body.format = request.format;
  const options = wireOptions(request, numCtx);
  if (options !== undefined) body.options = options;
  if (request.keepAlive !== undefined) body.keep_alive = request.keepAlive;
  if (request.think !== undefined) body.think = request.think;
  addTruncateShift(body, request);
  addLogprobs(body, request);
  return body;
}

/** {@link toGenerateBody} as the JSON text sent, written directly as {@link chatBodyJson} is. */
export function generateBodyJson(
  request: GenerateRequest,
  stream: boolean,
  numCtx: number | undefined,
): string {
  let out = `{"model":${jsonQuote(request.model)},"prompt":${jsonQuote(request.prompt ?? '')}`;
  out += `,"stream":${stream}`;
  out += field(',"suffix":', request.suffix);
  out += field(',"system":', request.system);
  out += field(',"template":', request.template);
  out += field(',"raw":', request.raw);
  if (request.images !== undefined)
    out += `,"images":${JSON.stringify(request.images.map(toBase64))}`;
  if (request.context !== undefined) out += `,"context":${JSON.stringify(request.context)}`;
  out += field(',"format":', request.format);
  const options = wireOptions(request, numCtx);
  if (options !== undefined) out += `,"options":${jsonObject(options)}`;
  out += field(',"keep_alive":', request.keepAlive);
  out += field(',"think":', request.think);
  out += field(',"truncate":', request.truncate);
  out += field(',"shift":', request.shift);
  out += field(',"logprobs":', request.logprobs);
  return `${out + field(',"top_logprobs":', request.topLogprobs)}}`;
}

/** The `/api/embed` body. */
export function toEmbedBody(request: EmbedRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: request.model,
    input: typeof request.input === 'string' ? request.input : [...request.input],
  };
  if (request.truncate !== undefined) body.truncate = request.truncate;
  if (request.dimensions !== undefined) body.dimensions = request.dimensions;
  if (request.keepAlive !== undefined) body.keep_alive = request.keepAlive;
  if (request.options !== undefined) body.options = request.options;
  return body;
}

/** The numCtx a request pins itself, from `numCtx` or the passthrough `options.num_ctx`. */
export function requestedNumCtx(request: Sampling): number | undefined {
  if (request.numCtx !== undefined) return request.numCtx;
  const raw = request.options?.num_ctx;
  return typeof raw === 'number' ? raw : undefined;
}
