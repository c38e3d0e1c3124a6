import { isUint8Array } from 'node:util/types';
import {
  expectJsonValues,
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
  expectPlainArgument,
  isPlainChatMessage,
  optionalCacheMode,
  optionalImages,
  optionalNumberIn,
  optionalStop,
  optionalToolCalls,
  optionalTools,
  refuseStreamFlag,
} from '@x/provider-core';
import { optionalKeepAlive } from './keep-alive';
import { expectOllamaName } from './model-name';
import { FLOAT32_MAX, optionalOptions } from './model-options';
import type { ChatRequest, EmbedRequest, GenerateRequest } from './types';

/** A chat request's fields given to `generate()`: its prompt is one string, `prompt`. */
const GENERATE_ALIASES = { messages: 'prompt', maxCompletionTokens: 'maxTokens' } as const;

/** ollama-js's older `embeddings()` took one text as `prompt`; `embed()` takes `input`. */
const EMBED_ALIASES = { prompt: 'input' } as const;

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
 * True for what can be base64 (`looksBase64`), and for a `data:` URL marked `;base64` whose
 * payload can be (sent without its prefix). Text that is not (a path, a URL, a caption) fails to
 * decode on the server, with HTTP 400 `illegal base64 data`.
 */
function imageBase64(image: string): boolean {
  // An empty image is no image: Ollama fails to read it, after the model is loaded.
  if (!image.startsWith('data:')) return image !== '' && looksBase64(image);
  const comma = image.indexOf(',');
  return (
    comma !== -1 &&
    comma < image.length - 1 &&
    image.slice(0, comma).endsWith(';base64') &&
    looksBase64(image.slice(comma + 1))
  );
}

/** How `images` are worded when refused: base64 strings (or `data:` URLs of base64) or bytes. */
const IMAGES = {
  list: 'an array of base64 strings or Uint8Arrays',
  item: 'a non-empty base64 string (or a `data:` URL of one) or a Uint8Array',
};

/**
 * A file path given as an image (`./cat.png`, `~/cat.jpg`): clearly one when it starts as a path
 * does or ends in an image extension. Asked only of text that is not base64 (`/9j/4AAQ...`, a
 * JPEG's base64, starts with `/`), so that the error can say to read the file first.
 */
const PATH_START = /^(?:\.{1,2}\/|\/|~\/)/;
const IMAGE_EXTENSION = /\.(?:png|jpe?g|gif|webp|bmp|tiff?|heic|avif|svg)$/i;

/** `images` as {@link IMAGES} words them; an empty `Uint8Array` is no image either. */
function optionalOllamaImages(name: string, value: unknown): void {
  if (Array.isArray(value)) {
    for (let j = 0; j < value.length; j++) {
      const image: unknown = value[j];
      if (
        typeof image === 'string' &&
        (PATH_START.test(image) || IMAGE_EXTENSION.test(image)) &&
        !imageBase64(image)
      ) {
        fail(
          `${name}[${j}]`,
          `${IMAGES.item}, not a file path: the provider does not read files, so pass the bytes (\`await readFile(path)\` from node:fs/promises)`,
          image,
          true,
        );
      }
    }
  }
  optionalImages(name, value, IMAGES, imageBase64);
  if (value === undefined) return;
  const images = value as readonly unknown[];
  for (let j = 0; j < images.length; j++) {
    const image = images[j];
    if (isUint8Array(image) && image.length === 0) {
      fail(`${name}[${j}]`, 'a non-empty Uint8Array (the bytes of an image)', image, true);
    }
  }
}

/** A C0 or C1 control character (NUL, a newline...), which no tool name holds. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the controls are what it refuses.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * A tool's name, as a call or a definition gives it: empty, or holding a control character, it is
 * a `RangeError` (the model is shown the name in its prompt, where a newline breaks the format).
 */
function expectToolName(name: string, value: unknown): void {
  if (typeof value !== 'string') return;
  if (value === '' || CONTROL.test(value)) {
    fail(name, 'a non-empty tool name without control characters', value, true);
  }
}

/** Each array element by index: a hole would pass a `forEach` check and be sent as `null`. */
function expectNoHoles(name: string, value: unknown, what: string): void {
  if (!Array.isArray(value)) return;
  for (let i = 0; i < value.length; i++) {
    if (!(i in value)) fail(`${name}[${i}]`, what, undefined);
  }
}

/** An assistant message's tool call: a tool's name, and a position `index` (a Go int, from 0). */
function ollamaToolCall(call: Record<string, unknown>, at: string): void {
  expectToolName(`${at}.name`, call.name);
  if (call.index !== undefined) {
    optionalNumberIn(`${at}.index`, call.index, 0, Number.MAX_SAFE_INTEGER, true);
  }
}

/** One chat message (`request.messages[i]`), for chat and for `create()`. */
export function validateMessage(message: unknown, i: number): void {
  if (isPlainChatMessage(message)) return;
  const at = `request.messages[${i}]`;
  expectChatMessage(at, message);
  optionalOllamaImages(`${at}.images`, message.images);
  if (typeof message.toolName === 'string' && CONTROL.test(message.toolName)) {
    fail(`${at}.toolName`, 'a tool name without control characters', message.toolName, true);
  }
  expectNoHoles(`${at}.toolCalls`, message.toolCalls, 'a tool call');
  // `rawArguments` (an OpenAI reply's, through a router) is accepted there and not sent.
  optionalToolCalls(`${at}.toolCalls`, message.toolCalls, ollamaToolCall);
}

/** The fields chat and generate share: sampling, format, thinking, keep-alive, logprobs... */
function validateGenerationFields(r: Record<string, unknown>): void {
  // Ollama reads these as Go float32s and ints (api.Options): past a float32 a value becomes an
  // infinity, past an int64 undefined; the ints are kept to safe integers, which JSON carries
  // exactly.
  optionalNumberIn('request.temperature', r.temperature, 0, FLOAT32_MAX);
  optionalNumberIn('request.topP', r.topP, 0, 1);
  optionalNumberIn('request.topK', r.topK, 0, Number.MAX_SAFE_INTEGER, true);
  optionalNumberIn('request.seed', r.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true);
  optionalNumberIn('request.maxTokens', r.maxTokens, -2, Number.MAX_SAFE_INTEGER, true);
  optionalNumberIn('request.numCtx', r.numCtx, 1, Number.MAX_SAFE_INTEGER, true);
  optionalStop('request.stop', r.stop);
  expectNoHoles('request.stop', r.stop, 'a string');
  if (r.format !== undefined && r.format !== 'json' && !isPlainObject(r.format)) {
    fail(
      'request.format',
      '"json" or a JSON Schema object',
      r.format,
      typeof r.format === 'string',
    );
  }
  // A schema with a cycle or a BigInt would fail in `JSON.stringify` naming no field, and an
  // `undefined` or `NaN` in it would be sent as something else.
  if (r.format !== undefined && r.format !== 'json') expectJsonValues('request.format', r.format);
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
  expectPlainArgument('request', request, 'with `model` and `messages`');
  const r = request as Record<string, unknown>;
  refuseStreamFlag(r, 'complete()', 'stream()');
  expectKnownKeys('request', r, CHAT_KEYS, CHAT_REQUEST_ALIASES);
  expectModelName('request.model', r.model, 'llama3.2');
  expectOllamaName('request.model', r.model as string, 'ref');
  if (!Array.isArray(r.messages)) fail('request.messages', 'an array of messages', r.messages);
  for (let i = 0; i < r.messages.length; i++) validateMessage(r.messages[i], i);
  validateGenerationFields(r);
  expectNoHoles('request.tools', r.tools, 'a tool definition');
  optionalTools('request.tools', r.tools);
  if (Array.isArray(r.tools)) {
    for (let i = 0; i < r.tools.length; i++) {
      const fn = (r.tools[i] as { function: { name: unknown } }).function;
      expectToolName(`request.tools[${i}].function.name`, fn.name);
    }
  }
}

/** Validates a completion request; throws TypeError/RangeError before anything is sent. */
export function validateGenerateRequest(request: unknown): asserts request is GenerateRequest {
  expectPlainArgument('request', request, 'with `model` and `prompt`');
  const r = request as Record<string, unknown>;
  refuseStreamFlag(r, 'generate()', 'streamGenerate()');
  expectKnownKeys('request', r, GENERATE_KEYS, GENERATE_ALIASES);
  expectModelName('request.model', r.model, 'llama3.2');
  expectOllamaName('request.model', r.model as string, 'ref');
  for (const field of ['prompt', 'suffix', 'system', 'template'] as const) {
    optionalString(`request.${field}`, r[field]);
  }
  optionalBoolean('request.raw', r.raw);
  if (r.context !== undefined) {
    if (!Array.isArray(r.context)) {
      fail(
        'request.context',
        'an array of token ids (the context of an earlier answer)',
        r.context,
      );
    }
    // By index, not `every`: a hole (sent as `null`) is refused like any other non-number.
    for (let i = 0; i < r.context.length; i++) {
      const token: unknown = r.context[i];
      if (!(typeof token === 'number' && Number.isSafeInteger(token) && token >= 0)) {
        // A number that is negative, fractional or too large is a `RangeError`.
        fail(
          `request.context[${i}]`,
          'a token id, a non-negative integer (the context of an earlier answer)',
          token,
          typeof token === 'number',
        );
      }
    }
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
  optionalOllamaImages('request.images', r.images);
  // Ollama answers an empty prompt with a load (or, `keepAlive: 0`, an unload) before it reads
  // these (server/routes.go GenerateHandler): an empty answer, `finishReason: 'load'`, that would
  // read as the model's. A bare load (none of them, or each empty) still goes out.
  if (r.prompt === undefined || r.prompt === '') {
    for (const field of ['images', 'system', 'suffix', 'template', 'context'] as const) {
      const value = r[field] as string | readonly unknown[] | undefined;
      if (value !== undefined && value.length > 0) {
        fail(
          `request.${field}`,
          'unset or empty when `prompt` is empty (Ollama then only loads the model, ignoring it)',
          value,
          true,
        );
      }
    }
  }
  validateGenerationFields(r);
}

/** Validates an embedding request; throws TypeError/RangeError before anything is sent. */
export function validateEmbedRequest(request: unknown): asserts request is EmbedRequest {
  expectPlainArgument('request', request, 'with `model` and `input`');
  const r = request as Record<string, unknown>;
  expectKnownKeys('request', r, EMBED_KEYS, EMBED_ALIASES);
  expectModelName('request.model', r.model, 'llama3.2');
  expectOllamaName('request.model', r.model as string, 'ref');
  if (typeof r.input !== 'string') {
    if (!Array.isArray(r.input)) fail('request.input', 'a string or an array of strings', r.input);
    // By index, not `every`: a hole (sent as `null`) is refused like any other non-string.
    for (let i = 0; i < r.input.length; i++) {
      if (typeof r.input[i] !== 'string') fail(`request.input[${i}]`, 'a string', r.input[i]);
    }
  }
  // Ollama answers no vector at all for one empty string (an empty string inside an array still
  // gets its own): said here, rather than as an answer that does not match the input.
  if (r.input === '') {
    fail('request.input', 'a non-empty string or an array of strings', r.input, true);
  }
  optionalBoolean('request.truncate', r.truncate);
  // A Go int: a larger number fails Ollama's JSON decoding; a safe integer is carried exactly.
  optionalNumberIn('request.dimensions', r.dimensions, 1, Number.MAX_SAFE_INTEGER, true);
  optionalKeepAlive('request.keepAlive', r.keepAlive);
  optionalOptions('request.options', r.options);
  optionalSignal('request.signal', r.signal);
  optionalCacheMode('request.cache', r.cache);
}
