import type { ChatMessage, ChatRequest, EmbedRequest, ToolCall } from '../types';
import {
  fail,
  isPlainObject,
  optionalBoolean,
  optionalKeepAlive,
  optionalNumber,
  optionalSignal,
} from './validate';

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);
const THINK_LEVELS = new Set(['low', 'medium', 'high', 'max']);
const CACHE_MODES = new Set(['default', 'bypass', 'refresh']);

function modelName(name: string, value: unknown): void {
  if (typeof value !== 'string' || value.trim().length === 0) {
    fail(name, 'a non-empty string (a model name such as "llama3.2")', value);
  }
}

function validateMessage(message: unknown, i: number): void {
  const at = `request.messages[${i}]`;
  if (!isPlainObject(message)) fail(at, 'an object with `role` and `content`', message);
  const m = message as Record<string, unknown>;
  if (typeof m.role !== 'string' || !ROLES.has(m.role)) {
    fail(`${at}.role`, 'one of "system", "user", "assistant", "tool"', m.role);
  }
  if (typeof m.content !== 'string') fail(`${at}.content`, 'a string', m.content);
  if (m.name !== undefined && typeof m.name !== 'string') fail(`${at}.name`, 'a string', m.name);
  if (m.images !== undefined) {
    if (!Array.isArray(m.images)) fail(`${at}.images`, 'an array of base64 strings', m.images);
    m.images.forEach((img, j) => {
      if (typeof img !== 'string' && !(img instanceof Uint8Array)) {
        fail(`${at}.images[${j}]`, 'a base64 string or a Uint8Array', img);
      }
    });
  }
  if (m.thinking !== undefined && typeof m.thinking !== 'string') {
    fail(`${at}.thinking`, 'a string', m.thinking);
  }
  if (m.toolName !== undefined && typeof m.toolName !== 'string') {
    fail(`${at}.toolName`, 'a string', m.toolName);
  }
  if (m.toolCallId !== undefined && typeof m.toolCallId !== 'string') {
    fail(`${at}.toolCallId`, 'a string', m.toolCallId);
  }
  if (m.toolCalls !== undefined) {
    if (!Array.isArray(m.toolCalls)) fail(`${at}.toolCalls`, 'an array', m.toolCalls);
    m.toolCalls.forEach((call, j) => {
      const c = call as Record<string, unknown>;
      if (!isPlainObject(c) || typeof c.name !== 'string' || !isPlainObject(c.arguments)) {
        fail(`${at}.toolCalls[${j}]`, 'an object with `name` and object `arguments`', call);
      }
    });
  }
}

/**
 * Validates a chat request; throws TypeError/RangeError before anything is sent.
 */
export function validateChatRequest(request: unknown): asserts request is ChatRequest {
  if (!isPlainObject(request) && (typeof request !== 'object' || request === null)) {
    fail('request', 'an object with `model` and `messages`', request);
  }
  const r = request as Record<string, unknown>;
  modelName('request.model', r.model);
  if (!Array.isArray(r.messages)) fail('request.messages', 'an array of messages', r.messages);
  for (let i = 0; i < r.messages.length; i++) validateMessage(r.messages[i], i);
  optionalNumber('request.temperature', r.temperature, 0);
  optionalNumber('request.topP', r.topP, 0, 1);
  optionalNumber('request.topK', r.topK, 0, Number.POSITIVE_INFINITY, true);
  optionalNumber('request.seed', r.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true);
  optionalNumber('request.maxTokens', r.maxTokens, -2, Number.POSITIVE_INFINITY, true);
  optionalNumber('request.numCtx', r.numCtx, 1, Number.POSITIVE_INFINITY, true);
  if (r.stop !== undefined) {
    const ok =
      typeof r.stop === 'string' ||
      (Array.isArray(r.stop) && r.stop.every((s) => typeof s === 'string'));
    if (!ok) fail('request.stop', 'a string or an array of strings', r.stop);
  }
  if (r.format !== undefined && r.format !== 'json' && !isPlainObject(r.format)) {
    fail('request.format', '"json" or a JSON Schema object', r.format);
  }
  if (r.tools !== undefined) {
    if (!Array.isArray(r.tools)) fail('request.tools', 'an array of tool definitions', r.tools);
    r.tools.forEach((tool, i) => {
      const t = tool as Record<string, unknown>;
      const fn = t?.function as Record<string, unknown> | undefined;
      if (!isPlainObject(t) || t.type !== 'function' || !isPlainObject(fn)) {
        fail(`request.tools[${i}]`, '`{ type: "function", function: { name, ... } }`', tool);
      }
      if (typeof fn.name !== 'string' || fn.name.length === 0) {
        fail(`request.tools[${i}].function.name`, 'a non-empty string', fn.name);
      }
    });
  }
  if (
    r.think !== undefined &&
    typeof r.think !== 'boolean' &&
    !(typeof r.think === 'string' && THINK_LEVELS.has(r.think))
  ) {
    fail('request.think', 'a boolean or one of "low", "medium", "high", "max"', r.think);
  }
  optionalKeepAlive('request.keepAlive', r.keepAlive);
  if (r.options !== undefined && !isPlainObject(r.options)) {
    fail('request.options', 'a plain object of Ollama options', r.options);
  }
  optionalSignal('request.signal', r.signal);
  if (r.cache !== undefined && (typeof r.cache !== 'string' || !CACHE_MODES.has(r.cache))) {
    fail('request.cache', 'one of "default", "bypass", "refresh"', r.cache);
  }
}

export function validateEmbedRequest(request: unknown): asserts request is EmbedRequest {
  if (typeof request !== 'object' || request === null) {
    fail('request', 'an object with `model` and `input`', request);
  }
  const r = request as Record<string, unknown>;
  modelName('request.model', r.model);
  const okInput =
    typeof r.input === 'string' ||
    (Array.isArray(r.input) && r.input.every((s) => typeof s === 'string'));
  if (!okInput) fail('request.input', 'a string or an array of strings', r.input);
  optionalBoolean('request.truncate', r.truncate);
  optionalNumber('request.dimensions', r.dimensions, 1, Number.POSITIVE_INFINITY, true);
  optionalKeepAlive('request.keepAlive', r.keepAlive);
  if (r.options !== undefined && !isPlainObject(r.options)) {
    fail('request.options', 'a plain object of Ollama options', r.options);
  }
  optionalSignal('request.signal', r.signal);
}

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

function wireMessage(m: ChatMessage): ChatMessage | Record<string, unknown> {
  // The common message, exactly `{ role, content }`, is already in Ollama's shape: no copy.
  // Anything else is copied field by field, so an application's own fields never reach the wire
  // (or the cache key).
  let keys = 0;
  for (const _ in m) keys++;
  if (keys === 2 && typeof m.role === 'string' && typeof m.content === 'string') return m;
  const out: Record<string, unknown> = { role: m.role, content: m.content };
  if (m.images !== undefined) out.images = m.images.map(toBase64);
  if (m.thinking !== undefined) out.thinking = m.thinking;
  if (m.toolCalls !== undefined) out.tool_calls = m.toolCalls.map(wireToolCall);
  if (m.toolName !== undefined) out.tool_name = m.toolName;
  if (m.toolCallId !== undefined) out.tool_call_id = m.toolCallId;
  return out;
}

/**
 * Builds Ollama's `options` object: the passthrough first, then the named fields over it, then
 * `num_ctx` (the request's `numCtx`, else the provider's choice, else whatever the passthrough set).
 */
export function wireOptions(
  request: ChatRequest,
  numCtx: number | undefined,
): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = request.options ? { ...request.options } : {};
  if (request.temperature !== undefined) out.temperature = request.temperature;
  if (request.topP !== undefined) out.top_p = request.topP;
  if (request.topK !== undefined) out.top_k = request.topK;
  if (request.seed !== undefined) out.seed = request.seed;
  if (request.maxTokens !== undefined) out.num_predict = request.maxTokens;
  if (request.stop !== undefined) {
    out.stop = typeof request.stop === 'string' ? [request.stop] : [...request.stop];
  }
  // The request's own `numCtx` first: the provider passes no choice of its own for such a request.
  const ctx = request.numCtx ?? numCtx;
  if (ctx !== undefined) out.num_ctx = ctx;
  for (const _ in out) return out;
  return undefined;
}

/** The `/api/chat` body. `stream` is always explicit; `keep_alive` only when set. */
export function toChatBody(
  request: ChatRequest,
  stream: boolean,
  numCtx: number | undefined,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: request.model,
    messages: request.messages.map(wireMessage),
    stream,
  };
  if (request.format !== undefined) body.format = request.format;
  const options = wireOptions(request, numCtx);
  if (options !== undefined) body.options = options;
  if (request.keepAlive !== undefined) body.keep_alive = request.keepAlive;
  if (request.tools !== undefined && request.tools.length > 0) body.tools = request.tools;
  if (request.think !== undefined) body.think = request.think;
  return body;
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
export function requestedNumCtx(request: ChatRequest): number | undefined {
  if (request.numCtx !== undefined) return request.numCtx;
  const raw = request.options?.num_ctx;
  return typeof raw === 'number' ? raw : undefined;
}
