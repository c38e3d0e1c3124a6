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
 * (`messages[].name`: the `name` of a user, system or assistant message; `messages[].images`,
 * `messages[].audio`, `messages[].files`: a user message's `image_url`, `input_audio` and `file`
 * parts).
 */
export type RefusedField =
  | 'logprobs'
  | 'topLogprobs'
  | 'logitBias'
  | 'user'
  | 'verbosity'
  | 'safetyIdentifier'
  | 'messages[].name'
  | 'messages[].images'
  | 'messages[].audio'
  | 'messages[].files';

/**
 * How an earlier assistant turn's `thinking` is sent back: in which field (`'thinking-chunk'`: as
 * Mistral's `{ type: 'thinking', thinking: [{ type: 'text', text }], closed: true }` before the
 * text in `content`), and on which turns (`'tool-calls'`: those that called tools; `'all'`).
 */
export interface ThinkingEcho {
  readonly field: 'reasoning_content' | 'reasoning' | 'thinking-chunk';
  readonly turns: 'tool-calls' | 'all';
}

/** What a server takes as `/embeddings` input; anything else is refused before sending. */
export interface EmbeddingInputRules {
  /** An empty text (`''`, or `''` in a list) is embedded, not refused. */
  readonly emptyText: boolean;
  /** Token ids (`number[]`, `number[][]`) are taken. */
  readonly tokenIds: boolean;
  /** The most items an input array may hold (`undefined`: no limit known). */
  readonly maxItems: number | undefined;
}

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
  /**
   * The role a `developer` message is sent as: `developer` where the API has the role (OpenAI),
   * `system` elsewhere, as OpenAI itself treats it for older models.
   */
  readonly developerRole: 'developer' | 'system';
  /** How an assistant message's `thinking` is sent back; `undefined`: it is not sent. */
  readonly thinkingEcho: ThinkingEcho | undefined;
  /**
   * The image data URL types the server decodes (`data:<type>;base64,`), when it takes only these
   * and no `https:` URL; an image of another type is refused before sending. `''` is a data URL
   * without a type. `undefined`: any image, URLs included (the server's to say).
   */
  readonly imageTypes: readonly string[] | undefined;
  /**
   * The types of file the server reads from a `file` part's data (`data:<type>;base64,`, or the
   * type read from the bytes); a file of another type is refused before sending (an uploaded
   * file's `fileId` is the server's to check). `undefined`: any file (the server's to say).
   */
  readonly fileTypes: readonly string[] | undefined;
  /** What `/embeddings` takes as input. */
  readonly embeddingInput: EmbeddingInputRules;
  /**
   * A stream's finish event may carry a running usage that a usage-only event (`choices: []`)
   * completes later: the answer ends at that event or `[DONE]`, not at the first usage after the
   * finish reason (Groq's `x_groq.usage`, vLLM's `continuous_usage_stats`).
   */
  readonly usageAfterFinish: boolean;
}

/**
 * The server's own word on what an embedding takes: any text, token ids, no known limit. Which
 * servers refuse more (OpenAI, Ollama) is said where they are.
 */
export const ANY_EMBEDDING_INPUT: EmbeddingInputRules = Object.freeze({
  emptyText: true,
  tokenIds: true,
  maxItems: undefined,
});

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
    // OpenAI's own role; it has no field for an earlier turn's reasoning (Chat Completions
    // keeps none between requests).
    developerRole: 'developer',
    thinkingEcho: undefined,
    imageTypes: undefined,
    // "Chat Completions accepts only PDF files as file content parts" (the file inputs guide).
    fileTypes: Object.freeze(['application/pdf']),
    // "cannot be an empty string, and any array must be 2048 dimensions or less" (the
    // embeddings API reference); `''` in a list is a 400 too. Both at OpenAI's host only.
    embeddingInput: Object.freeze({ emptyText: false, tokenIds: true, maxItems: 2048 }),
    usageAfterFinish: false,
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
    developerRole: 'system',
    thinkingEcho: undefined,
    imageTypes: undefined,
    fileTypes: undefined,
    embeddingInput: ANY_EMBEDDING_INPUT,
    usageAfterFinish: false,
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
    developerRole: 'system',
    thinkingEcho: undefined,
    imageTypes: undefined,
    fileTypes: undefined,
    embeddingInput: ANY_EMBEDDING_INPUT,
    usageAfterFinish: false,
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
    developerRole: 'system',
    // Groq refuses `reasoning_content` on a message (400 "property ... is unsupported"), and
    // `reasoning` on a model that does not reason: nothing is sent back.
    thinkingEcho: undefined,
    imageTypes: undefined,
    fileTypes: undefined,
    embeddingInput: ANY_EMBEDDING_INPUT,
    // `x_groq.usage` comes with the finish reason, the usage `include_usage` asks for after it.
    usageAfterFinish: true,
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
    // Its audio and file chunks are its own shapes (`input_audio` a string, `{ type: 'file',
    // file_id }`: AudioChunk, FileChunk), so OpenAI's are refused too.
    refusedFields: [
      'logprobs',
      'topLogprobs',
      'logitBias',
      'user',
      'verbosity',
      'safetyIdentifier',
      'messages[].name',
      'messages[].audio',
      'messages[].files',
    ],
    developerRole: 'system',
    // Its message schema forbids other keys (422); `content` takes a ThinkChunk, and Mistral's own
    // examples replay each turn's ("dropping the reasoning trace ... degrades" the model).
    thinkingEcho: Object.freeze({ field: 'thinking-chunk', turns: 'all' }),
    imageTypes: undefined,
    fileTypes: undefined,
    embeddingInput: ANY_EMBEDDING_INPUT,
    usageAfterFinish: false,
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
    // Text parts only: "unknown variant `image_url`, expected `text`" (a 400) for any other.
    refusedFields: ['messages[].images', 'messages[].audio', 'messages[].files'],
    developerRole: 'system',
    // Thinking mode (api-docs.deepseek.com/guides/thinking_mode): the `reasoning_content` of a
    // turn that called tools must come back in every later request, else a 400; that of a turn
    // without tool calls "will be ignored". Only the first is sent: the older deepseek-reasoner
    // answered 400 to any `reasoning_content` in its input, and the need to send it back came
    // with tool calls in thinking mode, so a turn without tool calls gains nothing by it.
    thinkingEcho: Object.freeze({ field: 'reasoning_content', turns: 'tool-calls' }),
    imageTypes: undefined,
    fileTypes: undefined,
    embeddingInput: ANY_EMBEDDING_INPUT,
    usageAfterFinish: false,
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
    developerRole: 'system',
    thinkingEcho: undefined,
    imageTypes: undefined,
    fileTypes: undefined,
    embeddingInput: ANY_EMBEDDING_INPUT,
    usageAfterFinish: false,
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
    developerRole: 'system',
    // vLLM reads an assistant message's `reasoning` (`reasoning_content` before) and gives it to
    // the model's chat template, which decides which turns keep it (vllm/entrypoints/chat_utils.py).
    thinkingEcho: Object.freeze({ field: 'reasoning', turns: 'all' }),
    imageTypes: undefined,
    fileTypes: undefined,
    embeddingInput: ANY_EMBEDDING_INPUT,
    // With `continuous_usage_stats` every event carries the running usage, the finish event too.
    usageAfterFinish: true,
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
    developerRole: 'system',
    thinkingEcho: undefined,
    imageTypes: undefined,
    fileTypes: undefined,
    embeddingInput: ANY_EMBEDDING_INPUT,
    usageAfterFinish: false,
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
    // FromChatRequest reads text, image_url and input_audio parts: "invalid message format" else.
    refusedFields: ['messages[].files'],
    developerRole: 'system',
    // Ollama's /v1 reads an assistant message's `reasoning` into its `thinking`, which the model's
    // template places (openai/openai.go, FromChatRequest).
    thinkingEcho: Object.freeze({ field: 'reasoning', turns: 'all' }),
    // FromChatRequest decodes `data:image/{jpeg,jpg,png,webp};base64,` (or `data:;base64,`) and
    // answers "invalid image input" to anything else, an https: URL or a GIF included.
    imageTypes: Object.freeze(['image/jpeg', 'image/jpg', 'image/png', 'image/webp', '']),
    fileTypes: undefined,
    // Its embeddings take text only ("invalid input type" for token ids); an empty text is embedded
    // as any other (its /v1 sends `""` on as `[""]`, and EmbedHandler embeds each item of a list).
    embeddingInput: Object.freeze({ emptyText: true, tokenIds: false, maxItems: undefined }),
    usageAfterFinish: false,
  }),
});

/** The preset names, in table order. */
export const PRESET_NAMES = Object.keys(openAIPresets) as readonly OpenAIPresetName[];
