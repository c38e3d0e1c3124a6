/**
 * The request and answer shapes every provider shares, in camelCase. A provider maps them to its
 * wire format and extends them with what only it has (Ollama's `numCtx`, OpenAI's `logprobs`...),
 * so code written against these types (a router, a test double) works with any provider.
 */

/** A tool call made by the model. `arguments` is an object (providers that send a JSON string have it parsed). */
export interface ToolCall {
  /**
   * Call id. In an answer: the server's; for a call the server sent without one,
   * `@x/provider-ollama` gives one in the form newer Ollama servers give (`call_` and 8 of
   * [a-z0-9]), so its calls always have one, while `@x/provider-openai` leaves it unset. In a
   * request (an assistant message's `toolCalls`): sent as given.
   */
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
    description?: string | undefined;
    /** JSON Schema of the arguments. */
    parameters?: Record<string, unknown> | undefined;
    /**
     * OpenAI's structured outputs: the arguments follow `parameters` exactly. Sent to the
     * OpenAI-compatible APIs; Ollama's API has no such field and does not receive it.
     */
    strict?: boolean | undefined;
  };
}

/**
 * The roles of a conversation. `developer` is OpenAI's name for the instructions of newer models
 * (its `ChatCompletionRole`); a provider whose API lacks it sends it as `system`, what OpenAI
 * itself does for older models.
 */
export type ChatRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

/** One chat message. */
export interface ChatMessage {
  /**
   * `system`, `developer`, `user`, `assistant` or `tool`. Typed to also accept a plain `string`, so messages
   * parsed from JSON need no `as const`: the role is checked when the request is validated.
   */
  role: ChatRole | (string & {});
  content: string;
  /** Name of the author (counted by token estimates; sent only where the API has the field). */
  name?: string | undefined;
  /** Images as base64 strings, `data:...;base64,` URLs or raw bytes (vision models). */
  images?: readonly (string | Uint8Array)[] | undefined;
  /** The thinking text of an earlier assistant turn. */
  thinking?: string | undefined;
  /** Tool calls of an earlier assistant turn. */
  toolCalls?: readonly ToolCall[] | undefined;
  /** For `role: 'tool'`: the name of the function whose result this is. */
  toolName?: string | undefined;
  /** For `role: 'tool'`: the id of the call answered. */
  toolCallId?: string | undefined;
}

/** How the cache treats one request. */
export type CacheMode = 'default' | 'bypass' | 'refresh';

/** What every chat request has, whatever the provider. */
export interface BaseChatRequest {
  /** Model name. */
  model: string;
  /** The conversation. */
  messages: readonly ChatMessage[];
  /** Sampling temperature. */
  temperature?: number | undefined;
  /** Nucleus sampling. */
  topP?: number | undefined;
  /** Seed for reproducible answers, where the server supports it. */
  seed?: number | undefined;
  /** Maximum tokens to generate. */
  maxTokens?: number | undefined;
  /** Stop sequences. */
  stop?: string | readonly string[] | undefined;
  /** Functions the model may call. */
  tools?: readonly ToolDefinition[] | undefined;
  /** Aborts the request. The promise rejects with `signal.reason`. */
  signal?: AbortSignal | undefined;
  /** `'bypass'` neither reads nor writes the cache; `'refresh'` skips the read and stores. */
  cache?: CacheMode | undefined;
}

/** Why generation ended. */
export type FinishReason =
  | 'stop'
  | 'length'
  | 'tool_calls'
  | 'content_filter'
  | 'load'
  | 'unload'
  | (string & {});

/**
 * Token counts from the server. A counter the server did not give is absent (unknown), never 0:
 * the object holds only the counts that have values, so it prints and compares as what was said.
 */
export interface Usage {
  promptTokens?: number | undefined;
  completionTokens?: number | undefined;
  totalTokens?: number | undefined;
}

/** Durations in ms. Server durations are those the API reports (Ollama's), else `undefined`. */
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
  /** Generated tokens per second, when the server reports what it takes. */
  tokensPerSecond: number | undefined;
}

/** The log probability of one generated token, with the likeliest alternatives when asked. */
export interface TokenLogprob {
  token: string;
  logprob: number;
  /** The token's UTF-8 bytes, when the server sends them. */
  bytes?: number[] | undefined;
  /** The most likely tokens at this position (`topLogprobs` of the request). */
  topLogprobs?: Array<{ token: string; logprob: number; bytes?: number[] | undefined }> | undefined;
}

/** The assistant message of a response. */
export interface AssistantMessage {
  role: 'assistant';
  content: string;
  thinking?: string | undefined;
  toolCalls?: ToolCall[] | undefined;
}

/** What every chat answer has, whatever the provider. */
export interface BaseChatResponse {
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
  /** Why generation ended; `'tool_calls'` when the model called tools. */
  finishReason: FinishReason | undefined;
  /** Token counts. */
  usage: Usage;
  /** Durations. */
  timings: Timings;
  /** True when served from the cache. */
  cached: boolean;
  /** Cost in USD from `@x/tokens` (an explicit 0 for a local server), `undefined` when unknown. */
  costUsd: number | undefined;
  /**
   * True when the server counted far fewer prompt tokens than estimated for a prompt near the
   * context window: the server most likely cut the prompt silently.
   */
  truncated: boolean;
  /** The provider's prompt token estimate, when token accounting is on. */
  estimatedPromptTokens: number | undefined;
  /** HTTP attempts made (1 + retries); 0 when cached. */
  attempts: number;
  /** Log probabilities of the generated tokens, when the request asked for them. */
  logprobs?: TokenLogprob[] | undefined;
}

/**
 * One item of a stream. The last item has `done: true` and the complete `response`: after
 * `if (chunk.done)`, `chunk.response` is the response, with no check for `undefined`.
 */
export type StreamChunk<R = BaseChatResponse> = StreamChunkText<ToolCallOf<R>, LogprobOf<R>> &
  ({ done: false; response: undefined } | { done: true; response: R });

/**
 * The tool call type of a response: a chunk's `toolCalls` have the type of its answer's (OpenAI's
 * custom calls included), so no cast is needed between the two.
 */
export type ToolCallOf<R> = R extends { toolCalls: readonly (infer C)[] } ? C : ToolCall;

/** The log probability type of a response's `logprobs`, for its chunks. */
export type LogprobOf<R> = R extends { logprobs?: readonly (infer L)[] | undefined }
  ? L
  : TokenLogprob;

/** What every item of a stream carries. */
export interface StreamChunkText<C = ToolCall, L = TokenLogprob> {
  /** Text added by this chunk. */
  content: string;
  /** Thinking text added by this chunk. */
  thinking: string | undefined;
  /** Tool calls completed in this chunk. */
  toolCalls: C[] | undefined;
  /** Log probabilities of this chunk's tokens, when the request asked for them. */
  logprobs?: L[] | undefined;
}

/** What a stream had produced before it failed. */
export interface PartialResponse {
  /** Text content received so far. */
  readonly content: string;
  /** Thinking text received so far. */
  readonly thinking: string;
  /** Tool calls received so far. */
  readonly toolCalls: readonly ToolCall[];
  /** Number of chunks received. */
  readonly chunks: number;
}

/** An empty {@link PartialResponse}: nothing had arrived. */
export const EMPTY_PARTIAL: PartialResponse = Object.freeze({
  content: '',
  thinking: '',
  toolCalls: Object.freeze([]) as readonly ToolCall[],
  chunks: 0,
});

/** Overall health. */
export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

/**
 * The usage of an answer: `totalTokens` is the sum when both counts are known. A count that is
 * not known is left out (no key holding `undefined`); the usual answer, with both, is one literal.
 */
export function usageOf(
  promptTokens: number | undefined,
  completionTokens: number | undefined,
): Usage {
  if (promptTokens !== undefined && completionTokens !== undefined) {
    return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
  }
  if (promptTokens !== undefined) return { promptTokens };
  return completionTokens === undefined ? {} : { completionTokens };
}

/**
 * A complete {@link BaseChatResponse} from what a provider's answer says; every field the shared
 * stages fill later (attempts, latency, estimate, cost) starts empty.
 */
export function chatResponse(init: {
  content: string;
  model: string;
  thinking?: string | undefined;
  toolCalls?: ToolCall[] | undefined;
  finishReason?: FinishReason | undefined;
  promptTokens?: number | undefined;
  completionTokens?: number | undefined;
}): BaseChatResponse {
  const toolCalls = init.toolCalls ?? [];
  const message: AssistantMessage = { role: 'assistant', content: init.content };
  if (init.thinking !== undefined) message.thinking = init.thinking;
  if (toolCalls.length > 0) message.toolCalls = toolCalls;
  const { promptTokens, completionTokens } = init;
  return {
    content: init.content,
    message,
    toolCalls,
    thinking: init.thinking,
    model: init.model,
    finishReason: init.finishReason,
    usage: usageOf(promptTokens, completionTokens),
    timings: {
      totalMs: undefined,
      loadMs: undefined,
      promptEvalMs: undefined,
      evalMs: undefined,
      queueWaitMs: undefined,
      firstTokenMs: undefined,
      latencyMs: undefined,
      tokensPerSecond: undefined,
    },
    cached: false,
    costUsd: undefined,
    truncated: false,
    estimatedPromptTokens: undefined,
    attempts: 0,
  };
}
