import type {
  AssistantMessage,
  BaseChatRequest,
  BaseChatResponse,
  BreakerState,
  CacheStats,
  ChatMessage,
  StreamChunk as CoreStreamChunk,
  HealthStatus,
  PoolStats,
  RateLimiterStats,
  ToolCall,
  ToolDefinition,
} from '@x/provider-core';
import type {
  OpenAIAudioOutput,
  OpenAIAudioPiece,
  OpenAIAudioReference,
} from './audio-output-types';
import type { OpenAIAudio, OpenAIFile, OpenAIImageInput } from './content-part-types';
import type { OpenAIModeration } from './moderation-types';
import type { OpenAIOnlyRequestFields } from './openai-only-types';
import type { OpenAIUsage } from './usage-types';

export type {
  CacheMode,
  ChatMessage,
  HealthStatus,
  Timings,
  ToolDefinition,
} from '@x/provider-core';
export type { EmbedRequest, EmbedResponse } from './embed-types';
export type { OpenAIUsage } from './usage-types';

/**
 * A call of a function tool. OpenAI sends the arguments as a JSON string: `arguments` is that
 * string parsed (`{}` when it is not a JSON object: a model may write invalid JSON),
 * `rawArguments` the string as the model wrote it, sent back unchanged when the call is part of a
 * later request. A function call read from an answer has no `type`: a reply pushed back, or moved
 * to another provider by a router, stays valid input where tool calls have no such field.
 * `type: 'function'` is accepted when sent.
 */
export interface OpenAIFunctionToolCall extends ToolCall {
  type?: 'function' | undefined;
  rawArguments?: string | undefined;
  /** Only a custom call has `input`. */
  input?: undefined;
}

/**
 * A call of a custom tool ({@link CustomToolDefinition}): the model wrote free text, `input`
 * (shaped by the tool's `format`, if any), not JSON arguments. Sent back as OpenAI's
 * `{ type: 'custom', custom: { name, input } }`.
 */
export interface OpenAICustomToolCall extends ToolCall {
  type: 'custom';
  /** The text the model wrote for the tool, whole (a stream's pieces joined). */
  input: string;
  /**
   * Always `{}`: a custom tool takes no JSON arguments. Kept so that the call is still a
   * `ToolCall` of `@x/provider-core` (a router, code written for any provider).
   */
  arguments: Record<string, never>;
  rawArguments?: undefined;
}

/** A tool call, of an answer or of a message sent back: `call.type === 'custom'` tells them apart. */
export type OpenAIToolCall = OpenAIFunctionToolCall | OpenAICustomToolCall;

/** A custom call as sent in `messages`: `arguments` may be left out (a custom tool takes none). */
export interface OpenAICustomToolCallInput extends Omit<OpenAICustomToolCall, 'arguments'> {
  arguments?: Record<string, never> | undefined;
}

/** A tool call of a message sent: one of an answer, or one written by hand. */
export type OpenAIToolCallInput = OpenAIFunctionToolCall | OpenAICustomToolCallInput;

/**
 * A chat message whose tool calls may be custom calls too: an answer's `message`, or one written
 * by hand, as `messages` of the next request. A user message may carry images (each with its
 * `detail`), audio and files, sent as content parts after its text.
 */
export interface OpenAIChatMessage extends Omit<ChatMessage, 'toolCalls' | 'images'> {
  toolCalls?: readonly OpenAIToolCallInput[] | undefined;
  /** Images (user messages only), sent as `image_url` parts. */
  images?: readonly OpenAIImageInput[] | undefined;
  /**
   * Recordings (user messages only), sent as `input_audio` parts; on an assistant message, an
   * earlier spoken answer by its id (`answer.message.audio`), sent as `audio: { id }`.
   */
  audio?: readonly OpenAIAudio[] | OpenAIAudioReference | undefined;
  /** Files (user messages only), sent as `file` parts. */
  files?: readonly OpenAIFile[] | undefined;
  /** An assistant turn's refusal (an answer's `message.refusal`), sent as `refusal`. */
  refusal?: string | undefined;
  /** The end of its text marks a prompt-cache breakpoint: its text is sent as a part marked so. */
  cacheBreakpoint?: boolean | undefined;
}

/** Structured output (`response_format`). */
export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      /** Sent as `json_schema`. */
      jsonSchema: {
        name: string;
        description?: string | undefined;
        schema?: Record<string, unknown> | undefined;
        /** Follow the schema exactly (OpenAI's structured outputs). */
        strict?: boolean | undefined;
      };
    };

/**
 * A custom tool (OpenAI's `type: 'custom'`): the model calls it with free text rather than JSON
 * arguments, shaped by `format` when given (`{ type: 'text' }` or a Lark or regex grammar).
 * Sent as given.
 */
export interface CustomToolDefinition {
  type: 'custom';
  custom: {
    name: string;
    description?: string | undefined;
    format?: Record<string, unknown> | undefined;
  };
}

/** Which tool the model must (or may) call. Sent as given. */
export type ToolChoice =
  | 'none'
  | 'auto'
  | 'required'
  | { type: 'function'; function: { name: string } }
  | { type: 'custom'; custom: { name: string } }
  /** Only these of `tools` (`{ type: 'function', function: { name } }` each) may be called. */
  | {
      type: 'allowed_tools';
      allowed_tools: { mode: 'auto' | 'required'; tools: Array<Record<string, unknown>> };
    };

/** A chat request, in camelCase; mapped to `/chat/completions`. */
export interface ChatRequest
  extends Omit<BaseChatRequest, 'tools' | 'messages'>,
    OpenAIOnlyRequestFields {
  /** The conversation; an assistant turn's tool calls may be custom calls. */
  messages: readonly OpenAIChatMessage[];
  /**
   * Functions (and OpenAI's custom tools) the model may call. An empty list sends no `tools`,
   * and then neither `tool_choice` nor `parallel_tool_calls` (which APIs refuse without tools).
   */
  tools?: readonly (ToolDefinition | CustomToolDefinition)[] | undefined;
  /** `response_format`: `json_object`, or a JSON schema the answer follows. */
  responseFormat?: ResponseFormat | undefined;
  /** `tool_choice`. */
  toolChoice?: ToolChoice | undefined;
  /** `parallel_tool_calls`. */
  parallelToolCalls?: boolean | undefined;
  /** `logprobs`: the log probability of each generated token, returned in `logprobs`. */
  logprobs?: boolean | undefined;
  /** `top_logprobs`, 0 to 20: the most likely alternatives of each token (needs `logprobs`). */
  topLogprobs?: number | undefined;
  /** `frequency_penalty`, -2 to 2. */
  frequencyPenalty?: number | undefined;
  /** `presence_penalty`, -2 to 2. */
  presencePenalty?: number | undefined;
  /** `logit_bias`: token id to a bias in -100..100. */
  logitBias?: Record<string, number> | undefined;
  /**
   * `reasoning_effort` of reasoning models, sent as given: OpenAI's values are listed, and any
   * other non-empty text is taken (Groq's qwen3 takes `'default'`): which values a model takes is
   * the server's to say.
   */
  reasoningEffort?:
    | 'none'
    | 'minimal'
    | 'low'
    | 'medium'
    | 'high'
    | 'xhigh'
    | 'max'
    | (string & {})
    | undefined;
  /** `verbosity` of gpt-5 and later: how long and detailed the answer is (part of the cache key). */
  verbosity?: 'low' | 'medium' | 'high' | undefined;
  /**
   * `service_tier`: the processing tier asked for (`'fast'` is answered as `'priority'`); the
   * answer's `serviceTier` says which served it. Not part of the cache key.
   */
  serviceTier?: 'auto' | 'default' | 'flex' | 'scale' | 'priority' | 'fast' | undefined;
  /** `prompt_cache_key`: groups requests for OpenAI's prompt cache. Not part of the cache key. */
  promptCacheKey?: string | undefined;
  /** `safety_identifier`: a stable id of your end user (hashed). Not part of the cache key. */
  safetyIdentifier?: string | undefined;
  /** `user`: an id of your end user, for the provider's abuse monitoring. */
  user?: string | undefined;
  /**
   * Fields of a server's own dialect (vLLM's `top_k`, Perplexity's `search_domain_filter`...), sent
   * as they are. The named fields above win over the same keys here. `n` other than 1 is refused:
   * the answer holds one choice, so make several calls for several answers.
   */
  extraBody?: Record<string, unknown> | undefined;
}

/** One generated token's log probability. */
export interface TokenLogprob {
  token: string;
  logprob: number;
  /** UTF-8 bytes of the token, when the server sends them. */
  bytes: number[] | undefined;
  /** The most likely tokens at this position (`topLogprobs` of the request). */
  topLogprobs: Array<{ token: string; logprob: number; bytes: number[] | undefined }>;
}

/** The assistant message of an answer. */
export interface OpenAIAssistantMessage extends AssistantMessage {
  toolCalls?: OpenAIToolCall[] | undefined;
  /** The model's refusal (the answer's `refusal`), when it refused: sent back with the turn. */
  refusal?: string | undefined;
  /** The id of the answer's audio, when it spoke: sent back with the turn. */
  audio?: OpenAIAudioReference | undefined;
}

/**
 * Why generation ended, in OpenAI's words: other servers' `eos` (Together) is `'stop'` and
 * `model_length` (Mistral) is `'length'`; a reason OpenAI has no word for comes as it was sent.
 * Never `'error'`: an answer that says so (Mistral's, when generation failed partway) is an
 * `OpenAIStreamError` with `reason: 'server-error'`, never a response.
 */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | (string & {});

/**
 * A web page the answer cites. From OpenAI's search models (`url_citation`): the text between
 * `startIndex` and `endIndex` of `content` (as the server counts) comes from `url`. From
 * Perplexity (its `citations` and `search_results`): the text cites it as `[ref]`, and it has no
 * indexes.
 */
export interface UrlCitation {
  type: 'url_citation';
  url: string;
  /** The page's title (`''` when the server gave none). */
  title: string;
  /** The index of the first character of the cited text in `content`. */
  startIndex: number | undefined;
  /** The index of its last character (`end_index`). */
  endIndex: number | undefined;
  /** The number the text cites it by: `[1]` is `ref: 1` (Perplexity's sources only). */
  ref?: number | undefined;
  /** The page's publication date, as the server wrote it (Perplexity's `date`). */
  date?: string | undefined;
  /** When the page last changed, as the server wrote it (Perplexity's `last_updated`). */
  lastUpdated?: string | undefined;
  /** An excerpt of the page (Perplexity's `snippet`). */
  snippet?: string | undefined;
}

/** A complete chat answer. */
export interface ChatResponse extends BaseChatResponse {
  message: OpenAIAssistantMessage;
  toolCalls: OpenAIToolCall[];
  finishReason: FinishReason | undefined;
  usage: OpenAIUsage;
  /** The completion's id (`chatcmpl-...`). */
  id: string | undefined;
  /** Unix time in seconds of the answer. */
  created: number | undefined;
  /** `system_fingerprint`: the backend configuration that answered. */
  systemFingerprint: string | undefined;
  /**
   * `service_tier`: the tier that served the request (OpenAI's `default`, `flex`, `priority`...),
   * when the server says. `costUsd` follows it where the tier's price is known (OpenAI's `flex`
   * at half the standard price, its `priority` at the model's priority prices in `@x/tokens`) and
   * is `undefined` where it is not (`scale`, `priority` for a model without priority prices).
   */
  serviceTier: string | undefined;
  /** The model's refusal message, when it refused (structured outputs). */
  refusal: string | undefined;
  /** The spoken answer, when the request asked for audio (`modalities` in `extraBody`). */
  audio: OpenAIAudioOutput | undefined;
  /** Per-token log probabilities, when the request asked for `logprobs`. */
  logprobs: TokenLogprob[] | undefined;
  /**
   * The answer's `x-request-id` header (`req_...` on OpenAI), the id the provider's support asks
   * for: scrubbed of secrets, at most 128 characters; `undefined` when the server sent none. A
   * cached answer keeps the one of the request that produced it. Never in events or metrics.
   */
  requestId: string | undefined;
  /**
   * The web pages the answer cites (`message.annotations`, or Perplexity's `citations` and
   * `search_results`), in order, at most 256; `undefined` for none.
   */
  annotations: UrlCitation[] | undefined;
  /** The moderation of the input and output, when the request asked for it (`moderation`). */
  moderation: OpenAIModeration | undefined;
}

/**
 * One item of {@link OpenAIProvider.stream}. The last item has `done: true` and `response`
 * (whose `requestId` is the answer's).
 */
export type StreamChunk = CoreStreamChunk<ChatResponse> & {
  /**
   * The answer's `x-request-id`, on every chunk of a fresh answer from the first one on (the
   * headers come before any chunk); not on the chunks of a cached answer replayed, nor on the
   * last one: read `response.requestId` there.
   */
  requestId?: string | undefined;
  /**
   * The citations that arrived with this chunk (a server may send them with the text they cite or
   * in an event of their own, which then makes a chunk without text). `response.annotations`
   * holds all of them; a cached answer replayed has them there only.
   */
  annotations?: UrlCitation[] | undefined;
  /**
   * The piece of a spoken answer this chunk brought (`delta.audio`; asked with `modalities:
   * ['text', 'audio']`): an event with only audio makes a chunk with `content: ''`.
   * `response.audio` holds the pieces joined; a cached answer replayed has it there only.
   */
  audio?: OpenAIAudioPiece | undefined;
};

/** A model listed by `/models`. */
export interface ModelSummary {
  id: string;
  ownedBy: string | undefined;
  /** Unix time in seconds. */
  created: number | undefined;
  /** The context window, where the server lists it (vLLM, Groq, OpenRouter...). */
  contextLength: number | undefined;
}

/** What the server's rate-limit headers said last, and what the provider made of it. */
export interface ServerLimits {
  /** `x-ratelimit-limit-requests` (or the generic `x-ratelimit-limit`). */
  limitRequests: number | undefined;
  remainingRequests: number | undefined;
  /** When the request window resets, epoch ms. */
  resetRequestsAt: number | undefined;
  limitTokens: number | undefined;
  remainingTokens: number | undefined;
  resetTokensAt: number | undefined;
  /** Until when (epoch ms) the provider's limiter holds requests back, after a 429 or an exhausted quota. */
  pausedUntil: number | undefined;
  /** Times the limiter was paused or drained to match the server. */
  adjustments: number;
  /** When the headers were read, epoch ms. */
  observedAt: number;
}

/** The result of {@link OpenAIProvider.health}. */
export interface HealthReport {
  status: HealthStatus;
  /** Why the status is not healthy. */
  reasons: string[];
  /** An HTTP answer came back (even a refusal of the key). */
  reachable: boolean;
  /** Round trip of `/models`, in ms. */
  latencyMs: number | undefined;
  /** The breaker's state, when the provider has a breaker. */
  breaker: { state: BreakerState } | undefined;
  /** The rate limiter's `stats()`, when the provider has one. */
  rateLimit: RateLimiterStats | undefined;
  serverLimits: ServerLimits | undefined;
  /** The cache's `stats()`, when the provider has one. */
  cache: CacheStats | undefined;
  /** The connection pool's `stats()`, when the provider has one. */
  pool: PoolStats | undefined;
  /** Message of the probe's error, when it failed. */
  error: string | undefined;
}
