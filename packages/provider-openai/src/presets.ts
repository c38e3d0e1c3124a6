import { rateLimitPresets } from '@x/rate-limit';
import type { Provider as TokensProvider } from '@x/tokens';

/** An OpenAI-compatible API this package knows. */
export type OpenAIPresetName =
  | 'openai'
  | 'gemini'
  | 'perplexity'
  | 'groq'
  | 'mistral'
  | 'deepseek'
  | 'together'
  | 'vllm'
  | 'lmstudio'
  | 'ollama';

/**
 * A request field a server refuses when it is sent at all, named as in `ChatRequest`
 * (`messages[].name`: the `name` of a user, system or assistant message).
 */
export type RefusedField = 'logprobs' | 'topLogprobs' | 'logitBias' | 'user' | 'messages[].name';

/** What a preset sets: where the API is, how it is called, limited, counted and priced. */
export interface OpenAIPreset {
  /** Name in messages: `Groq /chat/completions answered 429`. */
  readonly label: string;
  /** Base URL, with the API's version prefix (`/v1`): endpoints are appended to it. */
  readonly baseUrl: string;
  /**
   * How the key is sent: `Authorization: Bearer <key>` for every preset; the environment variable
   * read when `apiKey` is not given (`undefined`: none is read, a local server needs no key).
   */
  readonly apiKeyEnv: string | undefined;
  /** Requests per second of the provider's own limiter (the server's headers refine it). */
  readonly requestsPerSecond: number;
  /** Where that figure comes from. */
  readonly rateSource: string;
  /** How prompts are estimated: OpenAI models are counted exactly, others with this profile. */
  readonly tokens: TokensProvider;
  /** A local server: every token is priced 0 (hosted ones are priced from `@x/tokens`' table). */
  readonly local: boolean;
  /** The field the answer's length cap (`maxTokens`) is sent in. */
  readonly maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** The field `seed` is sent in: Mistral's is `random_seed`, and it refuses `seed` (422). */
  readonly seedField: 'seed' | 'random_seed';
  /** The embeddings' wire format: `base64` is 4x smaller than decimal text (decoded for you). */
  readonly embeddingsEncoding: 'float' | 'base64';
  /**
   * Streams ask for `stream_options: { include_usage: true }`. Mistral refuses the field (422)
   * and sends the usage with its last chunk anyway.
   */
  readonly streamUsage: boolean;
  /** The window the server runs a model with when that is not the model's own (Ollama's `num_ctx`). */
  readonly contextWindow: number | undefined;
  /**
   * Fields the server answers with a 4xx whenever they are sent: a request that sets one is
   * refused before anything is sent, naming the field, rather than failing on the server.
   */
  readonly refusedFields: readonly RefusedField[];
}

const preset = (fields: OpenAIPreset): OpenAIPreset => Object.freeze(fields);

/**
 * The presets. Rates: `rateLimitPresets` of `@x/rate-limit` where it has one, else the provider's
 * documented entry-level limit, else a conservative default (each says which in `rateSource`).
 */
export const openAIPresets: Readonly<Record<OpenAIPresetName, OpenAIPreset>> = Object.freeze({
  openai: preset({
    label: 'OpenAI',
    baseUrl: 'https://api.openai.com/v1',
    apiKeyEnv: 'OPENAI_API_KEY',
    requestsPerSecond: rateLimitPresets.openai.ratePerSecond,
    rateSource: '@x/rate-limit rateLimitPresets.openai',
    tokens: 'openai',
    local: false,
    // o-series and gpt-5 models refuse `max_tokens`.
    maxTokensField: 'max_completion_tokens',
    seedField: 'seed',
    embeddingsEncoding: 'base64',
    streamUsage: true,
    contextWindow: undefined,
    refusedFields: [],
  }),
  gemini: preset({
    label: 'Gemini',
    baseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai',
    apiKeyEnv: 'GEMINI_API_KEY',
    requestsPerSecond: rateLimitPresets.gemini.ratePerSecond,
    rateSource: '@x/rate-limit rateLimitPresets.gemini',
    tokens: 'gemini',
    local: false,
    maxTokensField: 'max_tokens',
    seedField: 'seed',
    embeddingsEncoding: 'float',
    streamUsage: true,
    contextWindow: undefined,
    refusedFields: [],
  }),
  perplexity: preset({
    label: 'Perplexity',
    baseUrl: 'https://api.perplexity.ai',
    apiKeyEnv: 'PERPLEXITY_API_KEY',
    requestsPerSecond: rateLimitPresets.perplexity.ratePerSecond,
    rateSource: '@x/rate-limit rateLimitPresets.perplexity',
    tokens: 'perplexity',
    local: false,
    maxTokensField: 'max_tokens',
    seedField: 'seed',
    embeddingsEncoding: 'float',
    streamUsage: true,
    contextWindow: undefined,
    refusedFields: [],
  }),
  groq: preset({
    label: 'Groq',
    baseUrl: 'https://api.groq.com/openai/v1',
    apiKeyEnv: 'GROQ_API_KEY',
    requestsPerSecond: 0.5,
    rateSource:
      "30 requests per minute, the free plan's per-model limit (console.groq.com/docs/rate-limits)",
    // Groq serves Llama, Qwen and gpt-oss models: the Llama-family profile, calibrated.
    tokens: 'ollama',
    local: false,
    maxTokensField: 'max_tokens',
    seedField: 'seed',
    embeddingsEncoding: 'float',
    streamUsage: true,
    contextWindow: undefined,
    // "will result in a 400 error if they are supplied" (console.groq.com/docs/openai)
    refusedFields: ['logprobs', 'topLogprobs', 'logitBias', 'messages[].name'],
  }),
  mistral: preset({
    label: 'Mistral',
    baseUrl: 'https://api.mistral.ai/v1',
    apiKeyEnv: 'MISTRAL_API_KEY',
    requestsPerSecond: 1,
    rateSource:
      '1 request per second, the free tier as publicly reported (docs.mistral.ai points to the console for exact figures)',
    tokens: 'mistral',
    local: false,
    maxTokensField: 'max_tokens',
    // Mistral's request schema has `random_seed` and forbids unknown keys: `seed` is a 422
    // (ChatCompletionRequest in github.com/mistralai/platform-docs-public, public/openapi.yaml).
    seedField: 'random_seed',
    embeddingsEncoding: 'float',
    streamUsage: false,
    contextWindow: undefined,
    // Not in ChatCompletionRequest, which forbids other keys (a 422), same source as seedField.
    refusedFields: ['logprobs', 'topLogprobs', 'logitBias', 'user', 'messages[].name'],
  }),
  deepseek: preset({
    label: 'DeepSeek',
    baseUrl: 'https://api.deepseek.com/v1',
    apiKeyEnv: 'DEEPSEEK_API_KEY',
    requestsPerSecond: 10,
    rateSource:
      'a conservative default: DeepSeek publishes no rate limit (api-docs.deepseek.com/quick_start/rate_limit)',
    tokens: 'openai',
    local: false,
    maxTokensField: 'max_tokens',
    seedField: 'seed',
    embeddingsEncoding: 'float',
    streamUsage: true,
    contextWindow: undefined,
    refusedFields: [],
  }),
  together: preset({
    label: 'Together',
    baseUrl: 'https://api.together.xyz/v1',
    apiKeyEnv: 'TOGETHER_API_KEY',
    requestsPerSecond: 10,
    rateSource: "600 requests per minute, Tier 1's chat limit (support.together.ai, Rate limits)",
    tokens: 'ollama',
    local: false,
    maxTokensField: 'max_tokens',
    seedField: 'seed',
    embeddingsEncoding: 'float',
    streamUsage: true,
    contextWindow: undefined,
    refusedFields: [],
  }),
  vllm: preset({
    label: 'vLLM',
    baseUrl: 'http://localhost:8000/v1',
    apiKeyEnv: undefined,
    requestsPerSecond: 100,
    rateSource:
      'a conservative default for a local batching server: its real limit is the GPU, not a rate',
    tokens: 'ollama',
    local: true,
    maxTokensField: 'max_tokens',
    seedField: 'seed',
    embeddingsEncoding: 'float',
    streamUsage: true,
    contextWindow: undefined,
    refusedFields: [],
  }),
  lmstudio: preset({
    label: 'LM Studio',
    baseUrl: 'http://localhost:1234/v1',
    apiKeyEnv: undefined,
    requestsPerSecond: rateLimitPresets.ollama.ratePerSecond,
    rateSource: 'a conservative default for a local server (the Ollama preset of @x/rate-limit)',
    tokens: 'ollama',
    local: true,
    maxTokensField: 'max_tokens',
    seedField: 'seed',
    embeddingsEncoding: 'float',
    streamUsage: true,
    contextWindow: undefined,
    refusedFields: [],
  }),
  ollama: preset({
    label: 'Ollama',
    baseUrl: 'http://localhost:11434/v1',
    apiKeyEnv: undefined,
    requestsPerSecond: rateLimitPresets.ollama.ratePerSecond,
    rateSource: '@x/rate-limit rateLimitPresets.ollama',
    tokens: 'ollama',
    local: true,
    maxTokensField: 'max_tokens',
    seedField: 'seed',
    embeddingsEncoding: 'float',
    streamUsage: true,
    // Ollama's default num_ctx: its OpenAI layer cannot ask for more (use @x/provider-ollama).
    contextWindow: 4096,
    refusedFields: [],
  }),
});

/** The preset names, in table order. */
export const PRESET_NAMES = Object.keys(openAIPresets) as readonly OpenAIPresetName[];
