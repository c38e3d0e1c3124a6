import type { Calibrator } from './calibrator';
import type { EncodingName, Provider, ToolDefinition } from './types';

export const ENCODING_NAMES: readonly EncodingName[] = ['o200k_base', 'cl100k_base'];
export const PROVIDERS: readonly Provider[] = [
  'openai',
  'anthropic',
  'gemini',
  'mistral',
  'perplexity',
  'ollama',
];

/** Options of `countTokens`: which encoding to count with, directly or through a model name. */
export interface CountTokensOptions {
  /**
   * A model name; its encoding is looked up (`gpt-4o` -> `o200k_base`, `gpt-4` -> `cl100k_base`).
   * Do not combine with `encoding`.
   */
  model?: string;
  /**
   * The encoding to count with.
   * @default 'o200k_base' (when `model` is not given either)
   */
  encoding?: EncodingName;
  /**
   * Count special-token strings such as `<|endoftext|>` as one token each. When false they are
   * ordinary text (as in tiktoken's `encode_ordinary`), so user content never throws.
   * @default false
   */
  allowSpecial?: boolean;
}

/** Options of `countChatTokens`. */
export interface CountChatTokensOptions {
  /** The chat model (an OpenAI model, or any model registered with an `encoding`). */
  model: string;
  /** Tool definitions sent with the request; their billed overhead is added. */
  tools?: readonly ToolDefinition[];
}

/** Options of `estimateTokens`. */
export interface EstimateTokensOptions {
  /**
   * The model. OpenAI models (and registered models with an `encoding`) are counted exactly;
   * others pick the provider's heuristic profile from the registry.
   */
  model?: string;
  /**
   * The provider, when the model is unknown or not given.
   * @default the model's provider, else 'openai'
   */
  provider?: Provider;
  /** Tool definitions sent with the request (exact for OpenAI models, estimated otherwise). */
  tools?: readonly ToolDefinition[];
  /** A calibrator; once it has learned the model, estimates are `'calibrated'`. */
  calibrator?: Calibrator;
}

/** Options of `fitsContext`. */
export interface FitsContextOptions extends EstimateTokensOptions {
  /**
   * Context window in tokens; overrides the registry (for example the `num_ctx` an Ollama server
   * reports). Required when the model is unknown.
   * @default the model's context window
   */
  contextWindow?: number;
  /**
   * Tokens kept free for the reply.
   * @default 0
   */
  reserveOutputTokens?: number;
  /**
   * For estimated (not exact) counts, check the upper end of the estimate's error margin, so a
   * prompt that "fits" does not get silently truncated.
   * @default true
   */
  useErrorMargin?: boolean;
}

/** Input of `estimateCost`. */
export interface EstimateCostInput {
  /** The model, resolved through the registry. */
  model: string;
  /** Prompt tokens, including any cached ones (OpenAI's `prompt_tokens`). */
  inputTokens: number;
  /**
   * Completion tokens.
   * @default 0
   */
  outputTokens?: number;
  /**
   * The part of `inputTokens` read from the provider's prompt cache (billed at the cached price).
   * @default 0
   */
  cachedInputTokens?: number;
}

/** Options of `createCalibrator`. */
export interface CalibratorOptions {
  /**
   * Models remembered at most; the least recently updated model is forgotten first.
   * @default 256
   */
  maxModels?: number;
  /**
   * Observations averaged over: the running mean becomes an exponential moving average with
   * this window once it has seen as many observations, so the calibration follows drift.
   * @default 50
   */
  window?: number;
  /**
   * Observations needed before estimates report `'calibrated'`.
   * @default 3
   */
  minObservations?: number;
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return `\`${JSON.stringify(value).slice(1, -1)}\` (string)`;
  if (value === null) return '`null`';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `\`${String(value)}\` (${typeof value})`;
}

export function expectString(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TypeError(`Expected \`${name}\` to be a non-empty string, got ${describe(value)}`);
  }
}

export function expectNumber(
  name: string,
  value: unknown,
  min: number,
  integer = false,
): asserts value is number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (integer && !Number.isInteger(value))
  ) {
    const kind = integer ? 'an integer' : 'a finite number';
    throw new TypeError(`Expected \`${name}\` to be ${kind} >= ${min}, got ${describe(value)}`);
  }
  if (value < min) {
    const kind = integer ? 'an integer' : 'a finite number';
    throw new RangeError(`Expected \`${name}\` to be ${kind} >= ${min}, got ${describe(value)}`);
  }
}

export function expectEncoding(value: unknown): asserts value is EncodingName {
  if (!ENCODING_NAMES.includes(value as EncodingName)) {
    throw new TypeError(
      `Expected \`encoding\` to be one of ${ENCODING_NAMES.map((e) => `'${e}'`).join(', ')}, got ${describe(value)}`,
    );
  }
}

export function expectProvider(value: unknown): asserts value is Provider {
  if (!PROVIDERS.includes(value as Provider)) {
    throw new TypeError(
      `Expected \`provider\` to be one of ${PROVIDERS.map((p) => `'${p}'`).join(', ')}, got ${describe(value)}`,
    );
  }
}

export function expectObject<T>(name: string, value: T): asserts value is NonNullable<T> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`Expected \`${name}\` to be an object, got ${describe(value)}`);
  }
}

export function expectRecord(
  name: string,
  value: unknown,
): asserts value is Record<string, unknown> {
  expectObject(name, value);
}

export function expectTextOrMessages(value: unknown): void {
  if (typeof value === 'string') return;
  if (!Array.isArray(value)) {
    throw new TypeError(
      `Expected \`input\` to be a string or an array of messages, got ${describe(value)}`,
    );
  }
}
