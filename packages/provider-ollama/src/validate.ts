import {
  expectKnownKeys,
  expectNumber,
  fail,
  isPlainObject,
  optionalBoolean,
  optionalSignal,
} from '@x/internal';
import type { ChatRequest, EmbedRequest, GenerateRequest } from './types';

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);
const THINK_LEVELS = new Set(['low', 'medium', 'high', 'max']);
const CACHE_MODES = new Set(['default', 'bypass', 'refresh']);

const CHAT_KEYS = [
  'model',
  'messages',
  'temperature',
  'topP',
  'topK',
  'seed',
  'maxTokens',
  'stop',
  'format',
  'tools',
  'think',
  'keepAlive',
  'numCtx',
  'options',
  'logprobs',
  'topLogprobs',
  'signal',
  'cache',
] as const;

const GENERATE_KEYS = [
  'model',
  'prompt',
  'suffix',
  'system',
  'template',
  'raw',
  'images',
  'context',
  'temperature',
  'topP',
  'topK',
  'seed',
  'maxTokens',
  'stop',
  'format',
  'think',
  'keepAlive',
  'numCtx',
  'options',
  'logprobs',
  'topLogprobs',
  'signal',
  'cache',
] as const;

const EMBED_KEYS = [
  'model',
  'input',
  'truncate',
  'dimensions',
  'keepAlive',
  'options',
  'signal',
  'cache',
] as const;

/** Go duration with a unit (`10m`, `1h30m`, `-1s`, `500ms`) or a plain signed integer `-1`. */
const GO_DURATION = /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/;

function optionalKeepAlive(name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(name, 'a finite number of seconds', value);
    return;
  }
  if (typeof value === 'string' && (GO_DURATION.test(value) || value === '0')) return;
  fail(
    name,
    'a number of seconds or a duration string with a unit such as `"10m"` (Ollama rejects unitless strings)',
    value,
  );
}

function optionalNumberIn(
  name: string,
  value: unknown,
  min: number,
  max = Number.POSITIVE_INFINITY,
  integer = false,
): void {
  if (value !== undefined) expectNumber(name, value, { min, max, integer });
}

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
  optionalImages(`${at}.images`, m.images);
  for (const field of ['thinking', 'toolName', 'toolCallId'] as const) {
    if (m[field] !== undefined && typeof m[field] !== 'string') {
      fail(`${at}.${field}`, 'a string', m[field]);
    }
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

function optionalCacheMode(value: unknown): void {
  if (value !== undefined && (typeof value !== 'string' || !CACHE_MODES.has(value))) {
    fail('request.cache', 'one of "default", "bypass", "refresh"', value);
  }
}

/** The fields chat and generate share: sampling, format, thinking, keep-alive, logprobs... */
function validateGenerationFields(r: Record<string, unknown>): void {
  optionalNumberIn('request.temperature', r.temperature, 0);
  optionalNumberIn('request.topP', r.topP, 0, 1);
  optionalNumberIn('request.topK', r.topK, 0, Number.POSITIVE_INFINITY, true);
  optionalNumberIn('request.seed', r.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true);
  optionalNumberIn('request.maxTokens', r.maxTokens, -2, Number.POSITIVE_INFINITY, true);
  optionalNumberIn('request.numCtx', r.numCtx, 1, Number.POSITIVE_INFINITY, true);
  if (r.stop !== undefined) {
    const ok =
      typeof r.stop === 'string' ||
      (Array.isArray(r.stop) && r.stop.every((s) => typeof s === 'string'));
    if (!ok) fail('request.stop', 'a string or an array of strings', r.stop);
  }
  if (r.format !== undefined && r.format !== 'json' && !isPlainObject(r.format)) {
    fail('request.format', '"json" or a JSON Schema object', r.format);
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
  optionalBoolean('request.logprobs', r.logprobs);
  // Ollama answers 400 `top_logprobs must be between 0 and 20` otherwise.
  optionalNumberIn('request.topLogprobs', r.topLogprobs, 0, 20, true);
  optionalSignal('request.signal', r.signal);
  optionalCacheMode(r.cache);
}

function optionalString(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'string') fail(name, 'a string', value);
}

function optionalImages(name: string, value: unknown): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) fail(name, 'an array of base64 strings', value);
  value.forEach((img, j) => {
    if (typeof img !== 'string' && !(img instanceof Uint8Array)) {
      fail(`${name}[${j}]`, 'a base64 string or a Uint8Array', img);
    }
  });
}

/** Validates a chat request; throws TypeError/RangeError before anything is sent. */
export function validateChatRequest(request: unknown): asserts request is ChatRequest {
  if (typeof request !== 'object' || request === null) {
    fail('request', 'an object with `model` and `messages`', request);
  }
  const r = request as Record<string, unknown>;
  expectKnownKeys('request', r, CHAT_KEYS);
  modelName('request.model', r.model);
  if (!Array.isArray(r.messages)) fail('request.messages', 'an array of messages', r.messages);
  for (let i = 0; i < r.messages.length; i++) validateMessage(r.messages[i], i);
  validateGenerationFields(r);
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
}

/** Validates a completion request; throws TypeError/RangeError before anything is sent. */
export function validateGenerateRequest(request: unknown): asserts request is GenerateRequest {
  if (typeof request !== 'object' || request === null) {
    fail('request', 'an object with `model` and `prompt`', request);
  }
  const r = request as Record<string, unknown>;
  expectKnownKeys('request', r, GENERATE_KEYS);
  modelName('request.model', r.model);
  for (const field of ['prompt', 'suffix', 'system', 'template'] as const) {
    optionalString(`request.${field}`, r[field]);
  }
  optionalBoolean('request.raw', r.raw);
  // Ollama answers 400 for these together: say so before sending.
  if (r.raw === true) {
    for (const field of ['template', 'system', 'context'] as const) {
      if (r[field] !== undefined) {
        fail(`request.${field}`, 'unset when `raw` is true (Ollama refuses both)', r[field]);
      }
    }
  }
  optionalImages('request.images', r.images);
  if (
    r.context !== undefined &&
    !(Array.isArray(r.context) && r.context.every((t) => Number.isInteger(t)))
  ) {
    fail('request.context', 'an array of integers (the context of an earlier answer)', r.context);
  }
  validateGenerationFields(r);
}

/** Validates an embedding request; throws TypeError/RangeError before anything is sent. */
export function validateEmbedRequest(request: unknown): asserts request is EmbedRequest {
  if (typeof request !== 'object' || request === null) {
    fail('request', 'an object with `model` and `input`', request);
  }
  const r = request as Record<string, unknown>;
  expectKnownKeys('request', r, EMBED_KEYS);
  modelName('request.model', r.model);
  const okInput =
    typeof r.input === 'string' ||
    (Array.isArray(r.input) && r.input.every((s) => typeof s === 'string'));
  if (!okInput) fail('request.input', 'a string or an array of strings', r.input);
  optionalBoolean('request.truncate', r.truncate);
  optionalNumberIn('request.dimensions', r.dimensions, 1, Number.POSITIVE_INFINITY, true);
  optionalKeepAlive('request.keepAlive', r.keepAlive);
  if (r.options !== undefined && !isPlainObject(r.options)) {
    fail('request.options', 'a plain object of Ollama options', r.options);
  }
  optionalSignal('request.signal', r.signal);
  optionalCacheMode(r.cache);
}
