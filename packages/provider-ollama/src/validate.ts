import {
  expectKnownKeys,
  fail,
  isPlainObject,
  looksBase64,
  optionalBoolean,
  optionalSignal,
  optionalString,
} from '@x/internal';
import {
  CHAT_REQUEST_ALIASES,
  expectChatMessage,
  expectModelName,
  isPlainChatMessage,
  optionalCacheMode,
  optionalImages,
  optionalNumberIn,
  optionalStop,
  optionalToolCalls,
  optionalTools,
  refuseStreamFlag,
} from '@x/provider-core';
import { optionalOptions } from './model-options';
import type { ChatRequest, EmbedRequest, GenerateRequest } from './types';

/** A chat request's fields given to `generate()`: its prompt is one string, `prompt`. */
const GENERATE_ALIASES = { messages: 'prompt', maxCompletionTokens: 'maxTokens' } as const;

const THINK_LEVELS = new Set(['low', 'medium', 'high', 'max']);

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
  'truncate',
  'shift',
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
  'truncate',
  'shift',
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

/**
 * The top-level request fields `complete()`/`stream()` and `embed()` take: the provider's
 * `requestFields`, read by `@x/router` to drop another provider's fields (`dropUnknownFields`).
 * Built from the lists above, which decide what a request may hold.
 */
export const REQUEST_FIELDS: {
  readonly chat: ReadonlySet<string>;
  readonly embed: ReadonlySet<string>;
} = Object.freeze({ chat: new Set<string>(CHAT_KEYS), embed: new Set<string>(EMBED_KEYS) });

/**
 * What Go's `time.ParseDuration` accepts: a duration with a unit (`10m`, `1h30m`, `-1s`, `500ms`),
 * or a zero without one, signed or not (`0`, `-0`, `+0`).
 */
const GO_DURATION = /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/;

/**
 * A keep-alive: a number of seconds or a Go duration. NaN, an infinity or a string Go cannot read
 * is a `RangeError` (the type is right, the value is not), any other type a `TypeError`.
 */
function optionalKeepAlive(name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(name, 'a finite number of seconds', value, true);
    return;
  }
  if (typeof value === 'string' && GO_DURATION.test(value)) return;
  fail(
    name,
    'a number of seconds or a duration string with a unit such as `"10m"` (Ollama rejects unitless strings)',
    value,
    typeof value === 'string',
  );
}

/**
 * True for what can be base64 (`looksBase64`), and for a `data:` URL marked `;base64` whose
 * payload can be (sent without its prefix). Text that is not (a path, a URL, a caption) fails to
 * decode on the server, with HTTP 400 `illegal base64 data`.
 */
function imageBase64(image: string): boolean {
  if (!image.startsWith('data:')) return looksBase64(image);
  const comma = image.indexOf(',');
  return (
    comma !== -1 && image.slice(0, comma).endsWith(';base64') && looksBase64(image.slice(comma + 1))
  );
}

/** How `images` are worded when refused: base64 strings (or `data:` URLs of base64) or bytes. */
const IMAGES = {
  list: 'an array of base64 strings or Uint8Arrays',
  item: 'a base64 string (or a `data:` URL of one) or a Uint8Array',
};

/** One chat message (`request.messages[i]`), for chat and for `create()`. */
export function validateMessage(message: unknown, i: number): void {
  if (isPlainChatMessage(message)) return;
  const at = `request.messages[${i}]`;
  expectChatMessage(at, message);
  optionalImages(`${at}.images`, message.images, IMAGES, imageBase64);
  // `rawArguments` (an OpenAI reply's, through a router) is accepted there and not sent.
  optionalToolCalls(`${at}.toolCalls`, message.toolCalls);
}

/** The fields chat and generate share: sampling, format, thinking, keep-alive, logprobs... */
function validateGenerationFields(r: Record<string, unknown>): void {
  optionalNumberIn('request.temperature', r.temperature, 0);
  optionalNumberIn('request.topP', r.topP, 0, 1);
  optionalNumberIn('request.topK', r.topK, 0, Number.POSITIVE_INFINITY, true);
  optionalNumberIn('request.seed', r.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true);
  optionalNumberIn('request.maxTokens', r.maxTokens, -2, Number.POSITIVE_INFINITY, true);
  optionalNumberIn('request.numCtx', r.numCtx, 1, Number.POSITIVE_INFINITY, true);
  optionalStop('request.stop', r.stop);
  if (r.format !== undefined && r.format !== 'json' && !isPlainObject(r.format)) {
    fail(
      'request.format',
      '"json" or a JSON Schema object',
      r.format,
      typeof r.format === 'string',
    );
  }
  if (
    r.think !== undefined &&
    typeof r.think !== 'boolean' &&
    !(typeof r.think === 'string' && THINK_LEVELS.has(r.think))
  ) {
    fail(
      'request.think',
      'a boolean or one of "low", "medium", "high", "max"',
      r.think,
      typeof r.think === 'string',
    );
  }
  optionalKeepAlive('request.keepAlive', r.keepAlive);
  optionalOptions('request.options', r.options);
  optionalBoolean('request.logprobs', r.logprobs);
  // Ollama answers 400 `top_logprobs must be between 0 and 20` otherwise.
  optionalNumberIn('request.topLogprobs', r.topLogprobs, 0, 20, true);
  // Without `logprobs: true` Ollama computes no log probabilities, alternatives included, and says
  // nothing (api.GenerateRequest: "Only applies when Logprobs is true"). Left out, it is missing
  // (a `TypeError`); `false` is a boolean of the wrong value (a `RangeError`).
  if (r.topLogprobs !== undefined && r.logprobs !== true) {
    fail(
      'request.logprobs',
      'true when `request.topLogprobs` is set',
      r.logprobs,
      typeof r.logprobs === 'boolean',
    );
  }
  optionalBoolean('request.truncate', r.truncate);
  optionalBoolean('request.shift', r.shift);
  optionalSignal('request.signal', r.signal);
  optionalCacheMode('request.cache', r.cache);
}

/** Validates a chat request; throws TypeError/RangeError before anything is sent. */
export function validateChatRequest(request: unknown): asserts request is ChatRequest {
  if (typeof request !== 'object' || request === null) {
    fail('request', 'an object with `model` and `messages`', request);
  }
  const r = request as Record<string, unknown>;
  refuseStreamFlag(r, 'complete()', 'stream()');
  expectKnownKeys('request', r, CHAT_KEYS, CHAT_REQUEST_ALIASES);
  expectModelName('request.model', r.model, 'llama3.2');
  if (!Array.isArray(r.messages)) fail('request.messages', 'an array of messages', r.messages);
  for (let i = 0; i < r.messages.length; i++) validateMessage(r.messages[i], i);
  validateGenerationFields(r);
  optionalTools('request.tools', r.tools);
}

/** Validates a completion request; throws TypeError/RangeError before anything is sent. */
export function validateGenerateRequest(request: unknown): asserts request is GenerateRequest {
  if (typeof request !== 'object' || request === null) {
    fail('request', 'an object with `model` and `prompt`', request);
  }
  const r = request as Record<string, unknown>;
  refuseStreamFlag(r, 'generate()', 'streamGenerate()');
  expectKnownKeys('request', r, GENERATE_KEYS, GENERATE_ALIASES);
  expectModelName('request.model', r.model, 'llama3.2');
  for (const field of ['prompt', 'suffix', 'system', 'template'] as const) {
    optionalString(`request.${field}`, r[field]);
  }
  optionalBoolean('request.raw', r.raw);
  if (
    r.context !== undefined &&
    !(Array.isArray(r.context) && r.context.every((t) => Number.isSafeInteger(t) && t >= 0))
  ) {
    // An array of numbers of which one is negative, fractional or too large is a `RangeError`.
    const numbers = Array.isArray(r.context) && r.context.every((t) => typeof t === 'number');
    fail(
      'request.context',
      'an array of token ids, non-negative integers (the context of an earlier answer)',
      r.context,
      numbers,
    );
  }
  // Ollama answers 400 for a non-empty one of these with `raw` (an empty one it ignores): say so
  // before sending (a value of the right type, refused beside `raw`: a `RangeError`).
  if (r.raw === true) {
    for (const field of ['template', 'system', 'context'] as const) {
      const value = r[field] as string | readonly number[] | undefined;
      if (value !== undefined && value.length > 0) {
        fail(
          `request.${field}`,
          'unset or empty when `raw` is true (Ollama refuses both)',
          value,
          true,
        );
      }
    }
  }
  optionalImages('request.images', r.images, IMAGES, imageBase64);
  validateGenerationFields(r);
}

/** Validates an embedding request; throws TypeError/RangeError before anything is sent. */
export function validateEmbedRequest(request: unknown): asserts request is EmbedRequest {
  if (typeof request !== 'object' || request === null) {
    fail('request', 'an object with `model` and `input`', request);
  }
  const r = request as Record<string, unknown>;
  expectKnownKeys('request', r, EMBED_KEYS);
  expectModelName('request.model', r.model, 'llama3.2');
  const okInput =
    typeof r.input === 'string' ||
    (Array.isArray(r.input) && r.input.every((s) => typeof s === 'string'));
  if (!okInput) fail('request.input', 'a string or an array of strings', r.input);
  // Ollama answers no vector at all for one empty string (an empty string inside an array still
  // gets its own): said here, rather than as an answer that does not match the input.
  if (r.input === '') {
    fail('request.input', 'a non-empty string or an array of strings', r.input, true);
  }
  optionalBoolean('request.truncate', r.truncate);
  optionalNumberIn('request.dimensions', r.dimensions, 1, Number.POSITIVE_INFINITY, true);
  optionalKeepAlive('request.keepAlive', r.keepAlive);
  optionalOptions('request.options', r.options);
  optionalSignal('request.signal', r.signal);
  optionalCacheMode('request.cache', r.cache);
}
