import { imagesError, jsonKind, messagesError, toolsErrors } from './go-api-types';
import { parseKeepAlive } from './go-duration';
import { goQuote } from './go-json';

// Request decoding errors are Go's json package texts (400), option type errors come from
// api.Options.FromMap (500). Field tables list the Go types the messages name.

// `messages`: a `[]api.Message`, whose elements decode through Message.UnmarshalJSON.
type Kind =
  | 'string'
  | 'bool'
  | 'array'
  | 'object'
  | 'int'
  | 'number'
  | 'think'
  | 'messages'
  | 'tools'
  | 'images'
  | 'any';
export type FieldTable = Readonly<Record<string, readonly [Kind, string]>>;

export const CHAT_FIELDS: FieldTable = {
  model: ['string', 'string'],
  messages: ['messages', '[]api.Message'],
  tools: ['tools', 'api.Tools'],
  stream: ['bool', 'bool'],
  options: ['object', 'map[string]interface {}'],
  truncate: ['bool', 'bool'],
  shift: ['bool', 'bool'],
  logprobs: ['bool', 'bool'],
  top_logprobs: ['int', 'int'],
  think: ['think', 'api.ThinkValue'],
};

export const GENERATE_FIELDS: FieldTable = {
  model: ['string', 'string'],
  prompt: ['string', 'string'],
  suffix: ['string', 'string'],
  system: ['string', 'string'],
  template: ['string', 'string'],
  context: ['array', '[]int'],
  stream: ['bool', 'bool'],
  raw: ['bool', 'bool'],
  images: ['images', '[]api.ImageData'],
  options: ['object', 'map[string]interface {}'],
  truncate: ['bool', 'bool'],
  shift: ['bool', 'bool'],
  logprobs: ['bool', 'bool'],
  top_logprobs: ['int', 'int'],
  think: ['think', 'api.ThinkValue'],
};

export const EMBED_FIELDS: FieldTable = {
  model: ['string', 'string'],
  truncate: ['bool', 'bool'],
  dimensions: ['int', 'int'],
  options: ['object', 'map[string]interface {}'],
};

export const EMBEDDINGS_FIELDS: FieldTable = {
  model: ['string', 'string'],
  prompt: ['string', 'string'],
  options: ['object', 'map[string]interface {}'],
};

export const SHOW_FIELDS: FieldTable = {
  model: ['string', 'string'],
  name: ['string', 'string'],
  system: ['string', 'string'],
  template: ['string', 'string'],
  verbose: ['bool', 'bool'],
  options: ['object', 'map[string]interface {}'],
};

const TRANSFER_FIELDS: FieldTable = {
  model: ['string', 'string'],
  insecure: ['bool', 'bool'],
  username: ['string', 'string'],
  password: ['string', 'string'],
  stream: ['bool', 'bool'],
  name: ['string', 'string'],
};
export const PULL_FIELDS = TRANSFER_FIELDS;
export const PUSH_FIELDS = TRANSFER_FIELDS;

export const CREATE_FIELDS: FieldTable = {
  model: ['string', 'string'],
  stream: ['bool', 'bool'],
  quantize: ['string', 'string'],
  draft_quantize: ['string', 'string'],
  from: ['string', 'string'],
  remote_host: ['string', 'string'],
  files: ['object', 'map[string]string'],
  draft_files: ['object', 'map[string]string'],
  adapters: ['object', 'map[string]string'],
  template: ['string', 'string'],
  system: ['string', 'string'],
  parameters: ['object', 'map[string]interface {}'],
  messages: ['array', '[]api.Message'],
  renderer: ['string', 'string'],
  parser: ['string', 'string'],
  requires: ['string', 'string'],
  info: ['object', 'map[string]interface {}'],
  name: ['string', 'string'],
  quantization: ['string', 'string'],
};

export const DELETE_FIELDS: FieldTable = {
  model: ['string', 'string'],
  name: ['string', 'string'],
};

export const COPY_FIELDS: FieldTable = {
  source: ['string', 'string'],
  destination: ['string', 'string'],
};

const THINK_LEVELS = ['high', 'medium', 'low', 'max'];
const THINK_CHOICES = '"high", "medium", "low", "max", true, or false';

/** api.ThinkValue.UnmarshalJSON: its own texts, not the decoder's (a 400 before anything runs). */
function thinkError(value: unknown): string | undefined {
  if (typeof value === 'boolean') return undefined;
  if (typeof value !== 'string') return `think must be a boolean or string (${THINK_CHOICES})`;
  if (THINK_LEVELS.includes(value)) return undefined;
  return `invalid think value: ${goQuote(value)} (must be ${THINK_CHOICES})`;
}

function matches(kind: Kind, value: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'bool':
      return typeof value === 'boolean';
    case 'array':
    case 'messages':
    case 'tools':
    case 'images':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && !Array.isArray(value);
    case 'int':
    case 'number':
      return typeof value === 'number';
    default:
      return true;
  }
}

/**
 * Checks a decoded body against a field table the way Go's decoder would; returns Go's error text,
 * or undefined (keep_alive is checked unless `keepAliveDefaultMs` is undefined: a type without
 * that field).
 *
 * Which error wins follows encoding/json (decode.go): a type mismatch, or an image that is not
 * base64, is recorded (`saveError`, the first one kept) and decoding goes on; an error from a type's own UnmarshalJSON (keep_alive's
 * api.Duration, think's api.ThinkValue, each api.Message) is returned at once and ends decoding. So
 * the first such error in document order wins, even over an earlier mismatch; else the first mismatch.
 */
export function checkFields(
  body: Record<string, unknown>,
  table: FieldTable,
  struct: string,
  keepAliveDefaultMs: number | undefined,
): string | undefined {
  let mismatch: string | undefined;
  for (const key of Object.keys(body)) {
    const value = body[key];
    // undefined: a field a rewritten (/v1) request leaves out, as Go's omitempty would.
    if (value === null || value === undefined) continue;
    if (key === 'keep_alive' && keepAliveDefaultMs !== undefined) {
      const ka = parseKeepAlive(value, keepAliveDefaultMs);
      if (!ka.ok) return ka.error;
      continue;
    }
    // Own keys only: a `__proto__` member is an unknown field to Go, never Object.prototype.
    const field = Object.hasOwn(table, key) ? table[key] : undefined;
    if (field === undefined) continue;
    const [kind, goType] = field;
    if (kind === 'think') {
      const error = thinkError(value);
      if (error !== undefined) return error;
      continue;
    }
    if (!matches(kind, value)) {
      mismatch ??= `json: cannot unmarshal ${jsonKind(value)} into Go struct field ${struct}.${key} of type ${goType}`;
      continue;
    }
    if (kind === 'int' && !Number.isInteger(value)) {
      mismatch ??= `json: cannot unmarshal number ${String(value)} into Go struct field ${struct}.${key} of type ${goType}`;
      continue;
    }
    if (kind === 'images') mismatch ??= imagesError(value as unknown[], struct, key);
    if (kind === 'messages') {
      const error = messagesError(value as unknown[], struct);
      if (error !== undefined) return error;
    }
    if (kind === 'tools') {
      const { fatal, saved } = toolsErrors(value as unknown[], struct);
      if (fatal !== undefined) return fatal;
      mismatch ??= saved;
    }
  }
  return mismatch;
}

const INT_OPTIONS = new Set([
  'num_keep',
  'seed',
  'num_predict',
  'top_k',
  'repeat_last_n',
  'num_ctx',
  'num_batch',
  'num_gpu',
  'main_gpu',
  'num_thread',
  'draft_num_predict',
]);
const FLOAT_OPTIONS = new Set([
  'min_p',
  'top_p',
  'typical_p',
  'repeat_penalty',
  'temperature',
  'presence_penalty',
  'frequency_penalty',
]);
const BOOL_OPTIONS = new Set(['use_mmap']);

/**
 * api.Options.FromMap: the text of the first bad option (HTTP 500 in Ollama), or undefined. Its
 * table is api.Options (api/types.go); a key it does not list is logged and ignored.
 */
export function checkOptions(options: Record<string, unknown> | undefined): string | undefined {
  if (options === undefined) return undefined;
  for (const key of Object.keys(options)) {
    const value = options[key];
    if (value === null || value === undefined) continue;
    const q = goQuote(key);
    if (INT_OPTIONS.has(key) && typeof value !== 'number')
      return `option ${q} must be of type integer`;
    if (FLOAT_OPTIONS.has(key) && typeof value !== 'number')
      return `option ${q} must be of type float32`;
    if (BOOL_OPTIONS.has(key) && typeof value !== 'boolean')
      return `option ${q} must be of type boolean`;
    if (key === 'stop') {
      if (!Array.isArray(value)) return `option ${q} must be of type array`;
      if (value.some((v) => typeof v !== 'string'))
        return `option ${q} must be of an array of strings`;
    }
  }
  return undefined;
}

/** Go's error for a `map[string]string` field (`files`, `adapters`) whose value is not a string. */
export function checkStringMap(value: unknown, struct: string, field: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  for (const v of Object.values(value)) {
    if (v !== null && typeof v !== 'string')
      return `json: cannot unmarshal ${jsonKind(v)} into Go struct field ${struct}.${field} of type string`;
  }
  return undefined;
}
