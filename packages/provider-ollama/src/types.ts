import type {
  BaseChatRequest,
  BaseChatResponse,
  BreakerState,
  CacheMode,
  CacheStats,
  ChatMessage,
  StreamChunk as CoreStreamChunk,
  HealthStatus,
  PoolStats,
  RateLimiterStats,
} from '@x/provider-core';

export type {
  AssistantMessage,
  CacheMode,
  ChatMessage,
  HealthStatus,
  Timings,
  TokenLogprob,
  ToolCall,
  ToolDefinition,
  Usage,
} from '@x/provider-core';

/** A chat request, in camelCase. Mapped to Ollama's `/api/chat` body. */
export interface ChatRequest extends BaseChatRequest {
  /** Top-k sampling (`options.top_k`). */
  topK?: number | undefined;
  /** `'json'` or a JSON Schema object for structured output. */
  format?: 'json' | Record<string, unknown> | undefined;
  /** Thinking on or off, or a level on models that support levels. */
  think?: boolean | 'low' | 'medium' | 'high' | 'max' | undefined;
  /**
   * How long the model stays loaded: seconds, or a Go duration string with a unit (`'10m'`).
   * Sent only when set, so the server's `OLLAMA_KEEP_ALIVE` applies otherwise.
   */
  keepAlive?: number | string | undefined;
  /** Context window for this request (`options.num_ctx`). Overrides the provider's choice. */
  numCtx?: number | undefined;
  /** Raw Ollama options, passed through. The named fields above win over the same keys here. */
  options?: Record<string, unknown> | undefined;
  /** Return the log probability of each generated token (`logprobs`, newer servers). */
  logprobs?: boolean | undefined;
  /** With `logprobs`: also the 0 to 20 likeliest alternatives at each position (`top_logprobs`). */
  topLogprobs?: number | undefined;
  /**
   * `false`: a prompt longer than the window is an error (`ContextOverflowError`) instead of being
   * cut silently to fit. Sent only when set; Ollama's default is `true`.
   */
  truncate?: boolean | undefined;
  /**
   * `false`: when the window fills during generation, the context is not shifted (its earliest
   * tokens dropped) to go on, so generation ends there. Sent only when set; Ollama's default is
   * `true`. Newer servers start a model's runner with or without shifting: a value other than the
   * loaded model's reloads it.
   */
  shift?: boolean | undefined;
}

/**
 * A completion request (`/api/generate`): a prompt instead of messages. The sampling fields,
 * `format`, `think`, `keepAlive`, `numCtx`, `options`, `logprobs`, `truncate`, `shift`, `signal`
 * and `cache` are as in {@link ChatRequest}.
 */
export interface GenerateRequest extends Omit<ChatRequest, 'messages' | 'tools'> {
  /** The prompt. An empty prompt only loads the model. */
  prompt?: string | undefined;
  /** Text after the insertion point, for fill-in-the-middle (models with the `insert` capability). */
  suffix?: string | undefined;
  /** A system prompt, overriding the Modelfile's. */
  system?: string | undefined;
  /** A prompt template, overriding the Modelfile's. */
  template?: string | undefined;
  /** Send the prompt as is, without the template (then no `context` comes back). */
  raw?: boolean | undefined;
  /** Images as base64 strings, `data:` URLs or raw bytes (vision models). */
  images?: readonly (string | Uint8Array)[] | undefined;
  /** The `context` of an earlier answer, to continue it (deprecated by Ollama in favour of chat). */
  context?: readonly number[] | undefined;
}

/** A completion answer. `content` is the generated text. */
export interface GenerateResponse extends ChatResponse {
  /** The tokens of the prompt and answer, to continue with `context` (absent with `raw`). */
  context: number[] | undefined;
}

/** One item of {@link OllamaProvider.streamGenerate}. */
export type GenerateChunk = CoreStreamChunk<GenerateResponse>;

/**
 * Why generation ended (Ollama's `done_reason`; `tool_calls` when the model called tools). An
 * answer whose server gave no reason, or one outside this set, has `finishReason: undefined`.
 */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'load' | 'unload';

/** A complete chat answer. */
export interface ChatResponse extends BaseChatResponse {
  /** Why generation ended: one of {@link FinishReason}, or `undefined` (see there). */
  finishReason: FinishReason | undefined;
  /** `created_at` of the final chunk. */
  createdAt: string | undefined;
  /** The `num_ctx` sent, when one was sent. */
  numCtx: number | undefined;
  /**
   * For a cloud model: the model upstream that answered (`remote_model`), when the server says.
   * Absent otherwise.
   */
  remoteModel?: string | undefined;
  /** For a cloud model: the Ollama host upstream that answered (`remote_host`), when the server says. */
  remoteHost?: string | undefined;
}

/** One item of {@link OllamaProvider.stream}. The last item has `done: true` and `response`. */
export type StreamChunk = CoreStreamChunk<ChatResponse>;

/** An embedding request. */
export interface EmbedRequest {
  model: string;
  /** One text or several. */
  input: string | readonly string[];
  /** `false` makes over-long input an error instead of silently cut. Default: server's (true). */
  truncate?: boolean | undefined;
  /** Cut vectors to this many dimensions (re-normalised by the server). */
  dimensions?: number | undefined;
  /** See {@link ChatRequest.keepAlive}. */
  keepAlive?: number | string | undefined;
  /** Raw Ollama options, passed through. */
  options?: Record<string, unknown> | undefined;
  signal?: AbortSignal | undefined;
  /** `'bypass'` neither reads nor writes the cache; `'refresh'` skips the read and stores. */
  cache?: CacheMode | undefined;
}

/** An embedding answer. */
export interface EmbedResponse {
  model: string;
  /** One L2-normalised vector per input. */
  embeddings: number[][];
  /** The prompt's tokens, when the server counted them (absent otherwise). */
  usage: { promptTokens?: number | undefined };
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
  /** For a cloud model: the model it stands for upstream (`remote_model`). */
  remoteModel: string | undefined;
  /** For a cloud model: the Ollama host that runs it (`remote_host`, such as `https://ollama.com:443`). */
  remoteHost: string | undefined;
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
  /** For a cloud model: the model it stands for upstream (`remote_model`). */
  remoteModel: string | undefined;
  /** For a cloud model: the Ollama host that runs it (`remote_host`, such as `https://ollama.com:443`). */
  remoteHost: string | undefined;
  /** `completion`, `tools`, `insert`, `vision`, `embedding`, `thinking`... */
  capabilities: string[];
  /** The `parameters` text, parsed: one value, or an array for repeated keys (`stop`). */
  parameters: Record<string, string | number | boolean | Array<string | number | boolean>>;
  modifiedAt: string | undefined;
  /** The oldest Ollama version the model runs on (`requires`, set at its creation), if any. */
  requires: string | undefined;
}

/** A model loaded in memory (`/api/ps`). */
export interface LoadedModel {
  name: string;
  /** The model's name as `/api/tags` lists it (`model`); `name` when the server gives none. */
  model: string;
  /** The digest of the model's manifest, as `/api/tags` lists it. */
  digest: string | undefined;
  family: string | undefined;
  families: string[] | undefined;
  parameterSize: string | undefined;
  quantizationLevel: string | undefined;
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
  /** The breaker's state, when the provider has a breaker. */
  breaker: { state: BreakerState } | undefined;
  /** The rate limiter's `stats()`, when the provider has one. */
  rateLimit: RateLimiterStats | undefined;
  /** The cache's `stats()`, when the provider has one. */
  cache: CacheStats | undefined;
  /** The connection pool's `stats()`, when the provider has one. */
  pool: PoolStats | undefined;
  /** Message of the probe's error, when unreachable. */
  error: string | undefined;
}

/** One progress report of a model download, upload or creation. */
export interface ProgressEvent {
  /** `pulling manifest`, `pulling <digest>`, `verifying sha256 digest`, `writing manifest`, `success`... */
  status: string;
  /** The layer being transferred, when there is one. */
  digest: string | undefined;
  /** Its size in bytes. */
  total: number | undefined;
  /** Bytes done so far. */
  completed: number | undefined;
}

/** A model download (`/api/pull`) or upload (`/api/push`). */
export interface PullRequest {
  model: string;
  /** Allow a registry over plain http or with a self-signed certificate. */
  insecure?: boolean | undefined;
  /** Aborts the transfer; the iteration rejects with `signal.reason`. */
  signal?: AbortSignal | undefined;
}

/** A model creation (`/api/create`). */
export interface CreateRequest {
  /** The name of the new model. */
  model: string;
  /** The model it starts from. */
  from?: string | undefined;
  /** GGUF or safetensors files already uploaded as blobs: file name to `sha256:` digest. */
  files?: Record<string, string> | undefined;
  /** LoRA adapters already uploaded as blobs: file name to digest. */
  adapters?: Record<string, string> | undefined;
  template?: string | undefined;
  license?: string | string[] | undefined;
  system?: string | undefined;
  /** Model parameters (`num_ctx`, `temperature`, `stop`...). */
  parameters?: Record<string, unknown> | undefined;
  /** A conversation the model starts from. */
  messages?: readonly ChatMessage[] | undefined;
  /** Quantize a non-quantized model (`q4_K_M`, `q8_0`). */
  quantize?: string | undefined;
  /**
   * The name of the renderer Ollama builds the model's prompts with instead of a template
   * (Modelfile `RENDERER`, such as `qwen3-coder`).
   */
  renderer?: string | undefined;
  /** The name of the parser Ollama reads the model's output with (Modelfile `PARSER`). */
  parser?: string | undefined;
  /** The oldest Ollama version the model runs on (`0.14.0`; Modelfile `REQUIRES`). */
  requires?: string | undefined;
  /**
   * The files of a draft model for speculative decoding (Modelfile `DRAFT`), already uploaded as
   * blobs: file name to digest, as `files`.
   */
  draftFiles?: Record<string, string> | undefined;
  /** Quantize the draft model (`q8_0`); needs `draftFiles`. */
  draftQuantize?: string | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * The bytes of a blob for {@link OllamaProvider.pushBlob}: a `Uint8Array` (hashed here when no
 * digest is given), or an async iterable of `Uint8Array` chunks such as `fs.createReadStream(path)`
 * (streamed, never held in memory; its digest is required).
 */
export type BlobData = Uint8Array | AsyncIterable<Uint8Array>;

/** Options of {@link OllamaProvider.pushBlob}. */
export interface PushBlobOptions {
  /**
   * The blob's `sha256:<64 hex digits>` digest (`sha256-` is taken too). Required for a stream;
   * for a `Uint8Array`, computed when left out. The server checks it against the bytes.
   */
  digest?: string | undefined;
  /**
   * The byte length of a stream, sent as `content-length` (without it the upload goes chunked).
   * A `Uint8Array`'s own length is sent.
   */
  size?: number | undefined;
  /** Aborts the upload; the call rejects with `signal.reason`. */
  signal?: AbortSignal | undefined;
}

/** A model copy (`/api/copy`). */
export interface CopyRequest {
  source: string;
  destination: string;
  signal?: AbortSignal | undefined;
}
