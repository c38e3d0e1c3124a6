import { rateLimitPresets } from '@x/rate-limit';
import { ANY_EMBEDDING_INPUT, type OpenAIPreset } from './preset-types';

export {
  ANY_EMBEDDING_INPUT,
  type EmbeddingInputRules,
  type OpenAIPreset,
  type RefusedField,
  type ThinkingEcho,
} from './preset-types';

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
    dimensionsField: 'dimensions',
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
    dimensionsField: 'dimensions',
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
    dimensionsField: 'dimensions',
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
    dimensionsField: 'dimensions',
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
    // Its EmbeddingRequest names the size `output_dimension` and forbids other keys (a 422),
    // same source as seedField.
    dimensionsField: 'output_dimension',
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
    // EmbeddingRequest's `input` is a text or a list of texts: token ids are a 422.
    embeddingInput: Object.freeze({ emptyText: true, tokenIds: false, maxItems: undefined }),
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
    dimensionsField: 'dimensions',
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
    dimensionsField: 'dimensions',
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
    dimensionsField: 'dimensions',
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
    dimensionsField: 'dimensions',
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
    dimensionsField: 'dimensions',
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
