/** A tool call made by the model. `arguments` is an object, as Ollama sends it. */
export interface ToolCall {
  /** Call id (`call_xxxxxxxx`), sent by Ollama 0.12.10 and newer only. */
  id?: string | undefined;
  /** Position of the call in the message, when the server sends it. */
  index?: number | undefined;
  /** Function name. */
  name: string;
  /** Arguments as a JSON object. */
  arguments: Record<string, unknown>;
}

/** A function the model may call. */
export interface ToolDefinition {
  type: 'function';
  function: {
    name: string;
    description?: string;
    /** JSON Schema of the arguments. */
    parameters?: Record<string, unknown>;
  };
}

/** One chat message. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /**
   * Name of the author. Ollama has no such field: it is counted by the token estimate and
   * not sent.
   */
  name?: string;
  /** Images as base64 strings, `data:...;base64,` URLs or raw bytes (vision models). */
  images?: readonly (string | Uint8Array)[];
  /** The thinking text of an earlier assistant turn. */
  thinking?: string;
  /** Tool calls of an earlier assistant turn. */
  toolCalls?: readonly ToolCall[];
  /** For `role: 'tool'`: the name of the function whose result this is. */
  toolName?: string;
  /** For `role: 'tool'`: the id of the call answered. */
  toolCallId?: string;
}

/** How the cache treats one request. */
export type CacheMode = 'default' | 'bypass' | 'refresh';

/** A chat request, in camelCase. Mapped to Ollama's `/api/chat` body. */
export interface ChatRequest {
  /** Model name, such as `llama3.2` or `qwen2.5:7b`. */
  model: string;
  /** The conversation. */
  messages: readonly ChatMessage[];
  /** Sampling temperature (`options.temperature`). */
  temperature?: number;
  /** Nucleus sampling (`options.top_p`). */
  topP?: number;
  /** Top-k sampling (`options.top_k`). */
  topK?: number;
  /** Seed for reproducible answers (`options.seed`). */
  seed?: number;
  /** Maximum tokens to generate (`options.num_predict`). */
  maxTokens?: number;
  /** Stop sequences (`options.stop`). */
  stop?: string | readonly string[];
  /** `'json'` or a JSON Schema object for structured output. */
  format?: 'json' | Record<string, unknown>;
  /** Functions the model may call. */
  tools?: readonly ToolDefinition[];
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
  /** Aborts the request. The promise rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** `'bypass'` neither reads nor writes the cache; `'refresh'` skips the read and stores. */
  cache?: CacheMode;
}

/** Why generation ended. */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'load' | 'unload';

/** Token counts from the server. An absent counter stays `undefined` (unknown), never 0. */
export interface Usage {
  promptTokens: number | undefined;
  completionTokens: number | undefined;
  totalTokens: number | undefined;
}

/** Durations in ms. Server durations are converted from nanoseconds. */
export interface Timings {
  /** Server: whole request. */
  totalMs: number | undefined;
  /** Server: model load. */
  loadMs: number | undefined;
  /** Server: prompt evaluation. */
  promptEvalMs: number | undefined;
  /** Server: generation. */
  evalMs: number | undefined;
  /** Client: time spent waiting for the rate limiter. */
  queueWaitMs: number | undefined;
  /** Client: from sending until the first chunk (streams only). */
  firstTokenMs: number | undefined;
  /** Client: from the call until the answer was complete. */
  latencyMs: number | undefined;
  /** `eval_count / eval_duration`, in tokens per second. */
  tokensPerSecond: number | undefined;
}

/** The assistant message of a response. */
export interface AssistantMessage {
  role: 'assistant';
  content: string;
  thinking?: string;
  toolCalls?: ToolCall[];
}

/** A complete chat answer. */
export interface ChatResponse {
  /** The answer's text. */
  content: string;
  /** The assistant message, ready to append to the conversation. */
  message: AssistantMessage;
  /** Tool calls (empty when none). */
  toolCalls: ToolCall[];
  /** Thinking text, when the model thought. */
  thinking: string | undefined;
  /** Model as echoed by the server. */
  model: string;
  /** `created_at` of the final chunk. */
  createdAt: string | undefined;
  /** Why generation ended; `'tool_calls'` when the model called tools. */
  finishReason: FinishReason | undefined;
  /** Token counts. */
  usage: Usage;
  /** Durations. */
  timings: Timings;
  /** True when served from the cache. */
  cached: boolean;
  /** Cost in USD from `@x/tokens` (an explicit 0 for local models), `undefined` when unknown. */
  costUsd: number | undefined;
  /**
   * True when `prompt_eval_count` came back far below the estimate: Ollama most likely cut the
   * prompt silently to fit its context window.
   */
  truncated: boolean;
  /** The provider's prompt token estimate, when token accounting is on. */
  estimatedPromptTokens: number | undefined;
  /** The `num_ctx` sent, when one was sent. */
  numCtx: number | undefined;
  /** HTTP attempts made (1 + retries); 0 when cached. */
  attempts: number;
}

/** One item of {@link OllamaProvider.stream}. The last item has `done: true` and `response`. */
export interface StreamChunk {
  /** Text added by this chunk. */
  content: string;
  /** Thinking text added by this chunk. */
  thinking: string | undefined;
  /** Tool calls in this chunk. */
  toolCalls: ToolCall[] | undefined;
  /** True on the last item only. */
  done: boolean;
  /** The complete response, on the last item only. */
  response: ChatResponse | undefined;
}

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
}

/** An embedding answer. */
export interface EmbedResponse {
  model: string;
  /** One L2-normalised vector per input. */
  embeddings: number[][];
  usage: { promptTokens: number | undefined };
  timings: { totalMs: number | undefined; loadMs: number | undefined; latencyMs: number };
  attempts: number;
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

/** Overall health. */
export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

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
