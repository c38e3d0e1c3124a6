import type {
  BaseChatRequest,
  BaseChatResponse,
  CacheMode,
  StreamChunk as CoreStreamChunk,
  HealthStatus,
} from '@x/provider-core';

export type {
  AssistantMessage,
  CacheMode,
  ChatMessage,
  HealthStatus,
  Timings,
  ToolCall,
  ToolDefinition,
  Usage,
} from '@x/provider-core';

/** A chat request, in camelCase. Mapped to Ollama's `/api/chat` body. */
export interface ChatRequest extends BaseChatRequest {
  /** Top-k sampling (`options.top_k`). */
  topK?: number;
  /** `'json'` or a JSON Schema object for structured output. */
  format?: 'json' | Record<string, unknown>;
  /** Thinking on or off, or a level on models that support levels. */
  think?: boolean | 'low' | 'medium' | 'high' | 'max';
  /**
   * How long the model stays loaded: seconds, or a Go duration string with a unit (`'10m'`).
   * Sent only when set, so the server's `OLLAMA_KEEP_ALIVE` applies otherwise.
   */
  keepAlive?: number | string;
  /** Context window for this request (`options.num_ctx`). Overrides the provider's choice. */
  numCtx?: number;
  /** Raw Ollama options, passed through. The named fields above win over the same keys here. */
  options?: Record<string, unknown>;
}

/** Why generation ended. */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'load' | 'unload';

/** A complete chat answer. */
export interface ChatResponse extends BaseChatResponse {
  /** `created_at` of the final chunk. */
  createdAt: string | undefined;
  /** The `num_ctx` sent, when one was sent. */
  numCtx: number | undefined;
}

/** One item of {@link OllamaProvider.stream}. The last item has `done: true` and `response`. */
export type StreamChunk = CoreStreamChunk<ChatResponse>;

/** An embedding request. */
export interface EmbedRequest {
  model: string;
  /** One text or several. */
  input: string | readonly string[];
  /** `false` makes over-long input an error instead of silently cut. Default: server's (true). */
  truncate?: boolean;
  /** Cut vectors to this many dimensions (re-normalised by the server). */
  dimensions?: number;
  /** See {@link ChatRequest.keepAlive}. */
  keepAlive?: number | string;
  /** Raw Ollama options, passed through. */
  options?: Record<string, unknown>;
  signal?: AbortSignal;
  /** `'bypass'` neither reads nor writes the cache; `'refresh'` skips the read and stores. */
  cache?: CacheMode;
}

/** An embedding answer. */
export interface EmbedResponse {
  model: string;
  /** One L2-normalised vector per input. */
  embeddings: number[][];
  usage: { promptTokens: number | undefined };
  timings: { totalMs: number | undefined; loadMs: number | undefined; latencyMs: number };
  attempts: number;
  /** True when served from the cache. */
  cached: boolean;
}

/** A model listed by `/api/tags`. */
export interface ModelSummary {
  name: string;
  model: string;
  modifiedAt: string | undefined;
  size: number | undefined;
  digest: string | undefined;
  family: string | undefined;
  families: string[] | undefined;
  parameterSize: string | undefined;
  quantizationLevel: string | undefined;
  /** Trained maximum (servers 0.30+ only). */
  contextLength: number | undefined;
  embeddingLength: number | undefined;
  /** Capabilities (servers 0.30+ only). */
  capabilities: string[] | undefined;
}

/** What `/api/show` says about a model. */
export interface ModelInfo {
  model: string;
  /** `general.architecture`, the prefix of the GGUF keys. */
  architecture: string | undefined;
  family: string | undefined;
  families: string[] | undefined;
  parameterSize: string | undefined;
  quantizationLevel: string | undefined;
  /** Trained maximum context length (`<arch>.context_length`). */
  contextLength: number | undefined;
  /** `num_ctx` set by the Modelfile, when there is one. */
  defaultNumCtx: number | undefined;
  /** `completion`, `tools`, `insert`, `vision`, `embedding`, `thinking`... */
  capabilities: string[];
  /** The `parameters` text, parsed: one value, or an array for repeated keys (`stop`). */
  parameters: Record<string, string | number | boolean | Array<string | number | boolean>>;
  modifiedAt: string | undefined;
}

/** A model loaded in memory (`/api/ps`). */
export interface LoadedModel {
  name: string;
  size: number | undefined;
  sizeVram: number | undefined;
  /** The window the loaded runner really uses. */
  contextLength: number | undefined;
  expiresAt: string | undefined;
}

/** The result of {@link OllamaProvider.health}. */
export interface HealthReport {
  status: HealthStatus;
  /** Why the status is not healthy. */
  reasons: string[];
  reachable: boolean;
  /** Server version, when reachable. */
  version: string | undefined;
  /** Round trip of the liveness probe, in ms. */
  latencyMs: number | undefined;
  loadedModels: LoadedModel[];
  breaker: { state: string } | undefined;
  rateLimit: unknown;
  cache: unknown;
  pool: unknown;
  /** Message of the probe's error, when unreachable. */
  error: string | undefined;
}
