import { isPlainObject } from '@x/internal';
import type { Json } from './context';
import { goTypeName } from './go-duration';
import { goQuote } from './go-json';
import { appendNative } from './openai-messages';
import { checkFields, type FieldTable } from './validate';

// What Ollama's OpenAI middleware does to a /v1 request before the native handler sees it
// (openai.FromChatRequest, FromCompleteRequest): decode it into its own struct (Go's texts for a
// wrongly typed field), check what it checks, and rewrite it as a native request. Every error here
// is a 400 the middleware answers itself.

const CHAT_FIELDS: FieldTable = {
  model: ['string', 'string'],
  messages: ['array', '[]openai.Message'],
  stream: ['bool', 'bool'],
  stream_options: ['object', 'openai.StreamOptions'],
  max_tokens: ['int', 'int'],
  seed: ['int', 'int'],
  temperature: ['number', 'float64'],
  frequency_penalty: ['number', 'float64'],
  presence_penalty: ['number', 'float64'],
  top_p: ['number', 'float64'],
  response_format: ['object', 'openai.ResponseFormat'],
  tools: ['tools', '[]api.Tool'],
  reasoning: ['object', 'openai.Reasoning'],
  reasoning_effort: ['string', 'string'],
  logprobs: ['bool', 'bool'],
  top_logprobs: ['int', 'int'],
};

const COMPLETION_FIELDS: FieldTable = {
  model: ['string', 'string'],
  prompt: ['string', 'string'],
  frequency_penalty: ['number', 'float32'],
  max_tokens: ['int', 'int'],
  presence_penalty: ['number', 'float32'],
  seed: ['int', 'int'],
  stream: ['bool', 'bool'],
  stream_options: ['object', 'openai.StreamOptions'],
  temperature: ['number', 'float32'],
  top_p: ['number', 'float32'],
  suffix: ['string', 'string'],
  logprobs: ['int', 'int'],
};

const EMBED_FIELDS: FieldTable = {
  model: ['string', 'string'],
  dimensions: ['int', 'int'],
  encoding_format: ['string', 'string'],
};

/** What the /v1 writers need to know about the request beyond the native body. */
export interface V1Request {
  readonly stream: boolean;
  readonly includeUsage: boolean;
  /** Chat: `logprobs: true`; their `top_logprobs` alternatives per token. */
  readonly logprobs: boolean;
  readonly topLogprobs: number;
}

/** A rewritten request, or the 400 text the middleware answers. */
export type Rewritten = { native: Json; v1: V1Request } | { error: string };

/** Go's error for a field of a nested struct (`StreamOptions.stream_options.include_usage`). */
function nested(
  value: unknown,
  struct: string,
  path: string,
  table: FieldTable,
): string | undefined {
  if (!isPlainObject(value)) return undefined;
  const error = checkFields(value, table, struct, undefined);
  return error?.replace(`${struct}.`, `${struct}.${path}.`);
}

/** Go's decoder error for the request's top-level fields or its `stream_options`. */
function decodeError(body: Json, struct: string): string | undefined {
  return (
    checkFields(
      body,
      struct === 'ChatCompletionRequest' ? CHAT_FIELDS : COMPLETION_FIELDS,
      struct,
      undefined,
    ) ??
    nested(body.stream_options, 'StreamOptions', 'stream_options', {
      include_usage: ['bool', 'bool'],
    })
  );
}

function includeUsage(body: Json): boolean {
  return isPlainObject(body.stream_options) && body.stream_options.include_usage === true;
}

/**
 * The `options` the middleware builds: stop, num_predict, temperature and top_p (1 unless set),
 * seed, penalties. Chat keeps a `top_p` of 0 and sends the penalties it was given; completions
 * decode `top_p` and the penalties into plain float32 fields, so a 0 `top_p` (or none) is 1 and
 * both penalties are always sent, 0 unless given (openai.FromChatRequest, FromCompleteRequest).
 */
function samplingOptions(body: Json, stop: string[] | undefined, completion: boolean): Json {
  const options: Json = {};
  if (stop !== undefined) options.stop = stop;
  // Only `max_tokens`: the request types have no `max_completion_tokens`, so it is ignored.
  if (typeof body.max_tokens === 'number') options.num_predict = Math.trunc(body.max_tokens);
  options.temperature = typeof body.temperature === 'number' ? body.temperature : 1;
  if (typeof body.seed === 'number') options.seed = body.seed;
  for (const penalty of ['frequency_penalty', 'presence_penalty']) {
    const value = body[penalty];
    if (typeof value === 'number') options[penalty] = value;
    else if (completion) options[penalty] = 0;
  }
  const topP = body.top_p;
  options.top_p = typeof topP === 'number' && (topP !== 0 || !completion) ? topP : 1;
  return options;
}

/** reasoning_effort as Ollama's `think` (clamped to its tiers), or the error for an unknown one. */
export function thinkOf(effort: unknown): boolean | string | undefined | { error: string } {
  if (effort === undefined || effort === null || effort === '') return undefined;
  switch (effort) {
    case 'none':
      return false;
    case 'minimal':
      return 'low';
    case 'low':
    case 'medium':
    case 'high':
    case 'max':
      return effort as string;
    case 'xhigh':
    case 'ultra':
      return 'max';
    default:
      return {
        error: `invalid reasoning value: ${goQuote(String(effort))} (must be "minimal", "low", "medium", "high", "xhigh", "ultra", "max", or "none")`,
      };
  }
}

/** The `format` of a `response_format`: `"json"` for json_object, the schema for json_schema. */
export function formatOf(responseFormat: unknown): unknown {
  if (!isPlainObject(responseFormat) || typeof responseFormat.type !== 'string') return undefined;
  const type = responseFormat.type.trim().toLowerCase();
  if (type === 'json_object') return 'json';
  if (type === 'json_schema' && isPlainObject(responseFormat.json_schema))
    return responseFormat.json_schema.schema ?? undefined;
  return undefined;
}

/** `POST /v1/chat/completions` as the native chat request Ollama's middleware builds. */
export function fromChatRequest(body: Json): Rewritten {
  const bad =
    decodeError(body, 'ChatCompletionRequest') ??
    nested(body.response_format, 'ResponseFormat', 'response_format', {
      type: ['string', 'string'],
      json_schema: ['object', 'openai.JsonSchema'],
    });
  if (bad !== undefined) return { error: bad };
  const messages = Array.isArray(body.messages) ? body.messages : [];
  if (messages.length === 0) return { error: "[] is too short - 'messages'" };
  const native: Json[] = [];
  for (const m of messages) {
    if (m !== null && !isPlainObject(m))
      return {
        error: `json: cannot unmarshal ${Array.isArray(m) ? 'array' : typeof m === 'boolean' ? 'bool' : typeof m} into Go struct field ChatCompletionRequest.messages of type openai.Message`,
      };
    const error = appendNative(isPlainObject(m) ? m : {}, messages, native);
    if (error !== undefined) return { error };
  }
  const stop =
    typeof body.stop === 'string'
      ? [body.stop]
      : Array.isArray(body.stop)
        ? body.stop.filter((s): s is string => typeof s === 'string')
        : undefined;
  const effort = isPlainObject(body.reasoning) ? body.reasoning.effort : body.reasoning_effort;
  const think = thinkOf(effort);
  if (isPlainObject(think)) return { error: think.error };
  const logprobs = body.logprobs === true;
  const top = typeof body.top_logprobs === 'number' ? body.top_logprobs : 0;
  return {
    native: {
      model: body.model,
      messages: native,
      format: formatOf(body.response_format),
      options: samplingOptions(body, stop, false),
      stream: body.stream === true,
      tools: body.tools,
      think,
      logprobs,
      top_logprobs: top,
    },
    v1: {
      stream: body.stream === true,
      includeUsage: includeUsage(body),
      logprobs,
      topLogprobs: top,
    },
  };
}

/** `POST /v1/completions` as the native generate request. */
export function fromCompletionRequest(body: Json): Rewritten {
  const bad = decodeError(body, 'CompletionRequest');
  if (bad !== undefined) return { error: bad };
  let stop: string[] | undefined;
  if (typeof body.stop === 'string') stop = [body.stop];
  else if (Array.isArray(body.stop)) {
    const wrong = body.stop.find((s) => typeof s !== 'string');
    if (wrong !== undefined)
      return {
        error: `invalid type for 'stop' field: ${wrong == null ? '<nil>' : goTypeName(wrong)}`,
      };
    stop = body.stop as string[];
  }
  const top = typeof body.logprobs === 'number' && body.logprobs > 0 ? body.logprobs : 0;
  return {
    native: {
      model: body.model,
      prompt: typeof body.prompt === 'string' ? body.prompt : '',
      suffix: typeof body.suffix === 'string' ? body.suffix : '',
      options: samplingOptions(body, stop, true),
      stream: body.stream === true,
      logprobs: top > 0,
      top_logprobs: top,
    },
    // Ollama's completion writer never copies logprobs into its answers.
    v1: {
      stream: body.stream === true,
      includeUsage: includeUsage(body),
      logprobs: false,
      topLogprobs: 0,
    },
  };
}

/** `POST /v1/embeddings`: the native embed request and the encoding, or the middleware's 400. */
export function fromEmbedRequest(
  body: Json,
): { native: Json; base64: boolean } | { error: string } {
  const bad = checkFields(body, EMBED_FIELDS, 'EmbedRequest', undefined);
  if (bad !== undefined) return { error: bad };
  const format = typeof body.encoding_format === 'string' ? body.encoding_format : '';
  const lower = format.toLowerCase();
  if (format !== '' && lower !== 'float' && lower !== 'base64')
    return {
      error: `Invalid value for 'encoding_format' = ${format}. Supported values: ['float', 'base64'].`,
    };
  let input = body.input;
  if (input === '') input = [''];
  if (input === undefined || input === null || (Array.isArray(input) && input.length === 0))
    return { error: 'invalid input' };
  return {
    native: { model: body.model, input, dimensions: body.dimensions },
    base64: lower === 'base64',
  };
}
