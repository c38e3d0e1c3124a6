import { expectKnownKeys, expectOneOf, fail, isPlainObject } from '@x/internal';
import type { Calibrator } from './calibrator';
import type { TokensLogger } from './log';
import type { ChatTool, EncodingName, Provider } from './types';

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
  model?: string | undefined;
  /**
   * The encoding to count with.
   * @default 'o200k_base' (when `model` is not given either)
   */
  encoding?: EncodingName | undefined;
  /**
   * Count special-token strings such as `<|endoftext|>` as one token each. When false they are
   * ordinary text (as in tiktoken's `encode_ordinary`), so user content never throws.
   * @default false
   */
  allowSpecial?: boolean | undefined;
}

/** Options of `countTokensAsync`. */
export interface CountTokensAsyncOptions extends CountTokensOptions {
  /**
   * Stops the count: the promise rejects with `signal.reason` at the next turn of the event loop
   * (within ~5 ms of work), and no more of the text is counted.
   */
  signal?: AbortSignal | undefined;
}

/** Options of `countChatTokens`. */
export interface CountChatTokensOptions {
  /** The chat model (an OpenAI model, or any model registered with an `encoding`). */
  model: string;
  /** Tool definitions sent with the request; their billed overhead is added. */
  tools?: readonly ChatTool[] | undefined;
}

/** Options of `estimateTokens`. */
export interface EstimateTokensOptions {
  /**
   * The model. OpenAI models (and registered models with an `encoding`) are counted exactly;
   * others pick the provider's heuristic profile from the registry.
   */
  model?: string | undefined;
  /**
   * The provider, when the model is unknown or not given.
   * @default the model's provider, else 'openai'
   */
  provider?: Provider | undefined;
  /** Tool definitions sent with the request (exact for OpenAI models, estimated otherwise). */
  tools?: readonly ChatTool[] | undefined;
  /** A calibrator; once it has learned the model, estimates are `'calibrated'`. */
  calibrator?: Calibrator | undefined;
  /**
   * The most tokens worth counting exactly (a context window). When even the low end of the
   * heuristic estimate (`tokens × (1 - errorMargin)`) is twice this or more, the input cannot fit
   * and an exact count (seconds for megabytes of text) would only confirm it: the heuristic
   * estimate is returned (`method: 'heuristic'`) instead. Inputs that may fit are counted as usual.
   * @default no limit
   */
  exactLimit?: number | undefined;
}

/** Options of `estimateTokensAsync`. */
export interface EstimateTokensAsyncOptions extends EstimateTokensOptions {
  /**
   * Stops the count: the promise rejects with `signal.reason` at the next turn of the event loop
   * (within ~5 ms of work), and no more of the input is counted.
   */
  signal?: AbortSignal | undefined;
}

/** Options of `fitsContext`. */
export interface FitsContextOptions extends Omit<EstimateTokensOptions, 'exactLimit'> {
  /**
   * Context window in tokens; overrides the registry (for example the `num_ctx` an Ollama server
   * reports). Required when the model is unknown.
   * @default the model's context window
   */
  contextWindow?: number | undefined;
  /**
   * Tokens kept free for the reply.
   * @default 0
   */
  reserveOutputTokens?: number | undefined;
  /**
   * For estimated (not exact) counts, check the upper end of the estimate's error margin, so a
   * prompt that "fits" does not get silently truncated.
   * @default true
   */
  useErrorMargin?: boolean | undefined;
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
  outputTokens?: number | undefined;
  /**
   * The part of `inputTokens` read from the provider's prompt cache (billed at the cached price).
   * @default 0
   */
  cachedInputTokens?: number | undefined;
  /**
   * The part of `inputTokens` written to the provider's prompt cache (billed at the cache-write
   * price; OpenAI's `cache_write_tokens`, Anthropic's `cache_creation_input_tokens` added to the
   * prompt's count). Apart from `cachedInputTokens`: together at most `inputTokens`.
   * @default 0
   */
  cacheWriteTokens?: number | undefined;
  /**
   * The service tier that served the request (the answer's `service_tier`): `'standard'` or
   * OpenAI's `'default'` for the standard prices, `'priority'` for the model's priority prices
   * (`pricing.priority`). Any other tier, or `'priority'` for a model without priority prices,
   * has no known price: the estimate is `undefined`, never the standard price.
   * @default 'standard'
   */
  serviceTier?: 'standard' | 'default' | 'priority' | (string & {}) | undefined;
}

/** Options of `createCalibrator`. */
export interface CalibratorOptions {
  /**
   * Models remembered at most; the least recently updated model is forgotten first.
   * @default 256
   */
  maxModels?: number | undefined;
  /**
   * The most recent observations per model the fit uses (at most 1,000): older ones are
   * forgotten, so the calibration follows drift and no observation weighs on it for good.
   * @default 50
   */
  window?: number | undefined;
  /**
   * Observations needed before estimates report `'calibrated'`.
   * @default 3
   */
  minObservations?: number | undefined;
  /**
   * The largest fixed overhead (tokens the server adds that the client cannot see: a Modelfile
   * `SYSTEM` prompt, a template) the calibrator will learn. A count above
   * `maxScale × estimate + maxOverheadTokens` cannot be the prompt's and is ignored.
   * @default 32768
   */
  maxOverheadTokens?: number | undefined;
  /**
   * pino, `console` or any {@link TokensLogger}: ignored counts (`debug`), a model calibrated, a
   * fit clamped at a bound, held outliers used (`info`). See the README's Logging.
   * @default undefined (silent)
   */
  logger?: TokensLogger | undefined;
}

/** The known keys of each options object, for `expectKnownKeys`. */
export const KEYS = {
  countTokens: ['model', 'encoding', 'allowSpecial'],
  countTokensAsync: ['model', 'encoding', 'allowSpecial', 'signal'],
  countChatTokens: ['model', 'tools'],
  estimateTokens: ['model', 'provider', 'tools', 'calibrator', 'exactLimit'],
  estimateTokensAsync: ['model', 'provider', 'tools', 'calibrator', 'exactLimit', 'signal'],
  fitsContext: [
    'model',
    'provider',
    'tools',
    'calibrator',
    'contextWindow',
    'reserveOutputTokens',
    'useErrorMargin',
  ],
  estimateCost: [
    'model',
    'inputTokens',
    'outputTokens',
    'cachedInputTokens',
    'cacheWriteTokens',
    'serviceTier',
  ],
  createCalibrator: ['maxModels', 'window', 'minObservations', 'maxOverheadTokens', 'logger'],
  observation: ['model', 'provider', 'input', 'tools', 'actualTokens'],
  registerModel: ['id', 'provider', 'contextWindow', 'maxOutputTokens', 'encoding', 'pricing'],
  pricing: ['input', 'output', 'cachedInput', 'cacheWrite', 'priority', 'asOf'],
  tierPricing: ['input', 'output', 'cachedInput', 'cacheWrite'],
  loadEncoding: ['signal', 'logger'],
} as const satisfies Record<string, readonly string[]>;

/**
 * An options object: a plain object (or an object without prototype) whose keys are all known.
 * `path` names it in messages (`undefined` for a function's top-level options, whose keys are
 * named bare: `model`, not `options.model`).
 */
export function expectOptions(
  name: string,
  path: string | undefined,
  value: unknown,
  known: readonly string[],
): void {
  if (!isPlainObject(value)) fail(name, 'an object', value);
  expectKnownKeys(path, value, known);
}

export function expectEncoding(value: unknown, name = 'encoding'): asserts value is EncodingName {
  expectOneOf(name, value, ENCODING_NAMES);
}

export function expectProvider(value: unknown, name = 'provider'): asserts value is Provider {
  expectOneOf(name, value, PROVIDERS);
}
