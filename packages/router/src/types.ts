/**
 * What the router needs of a provider, typed structurally over `@x/provider-core`'s shared shapes,
 * so `@x/provider-ollama`, `@x/provider-openai` and any object with the same methods fit without
 * the router depending on them.
 */
import type {
  BaseChatRequest,
  BaseChatResponse,
  CacheMode,
  ProviderErrorKind,
  StreamChunk,
} from '@x/provider-core';

/**
 * What an embedding request's `input` may hold: one text or several, or token ids, one input's
 * (`number[]`) or several inputs' (`number[][]`). Token ids are the ids of one model's tokenizer:
 * the router sends them only to deployments that take them (`embedTokenIds`).
 */
export type EmbedInput =
  | string
  | readonly string[]
  | readonly number[]
  | readonly (readonly number[])[];

/**
 * An embedding request, as the router reads it: the fields every provider's request may have.
 * Each provider's own fields (Ollama's `truncate`, `keepAlive`, `options`; OpenAI's
 * `encodingFormat`, `user`) come from the deployments' providers, as a router infers them.
 */
export interface EmbedRequestLike {
  model: string;
  input: EmbedInput;
  /** Shorter vectors, on models that can cut them (both built-in providers send it). */
  dimensions?: number | undefined;
  signal?: AbortSignal | undefined;
  /** `'bypass'` neither reads nor writes the provider's cache; `'refresh'` skips the read and stores. */
  cache?: CacheMode | undefined;
}

/** An embedding answer, as every provider returns it. */
export interface EmbedResponseLike {
  model: string;
  embeddings: number[][];
}

/** The part of `@x/rate-limit`'s `RateLimiter` the `most-quota-left` strategy reads. */
export interface RateLimiterLike {
  readonly limits: readonly { name: string; ratePerSecond: number; capacity: number }[];
  stats(): { admitted: number; queued: number };
}

/**
 * What an OpenAI-compatible server said in its last rate-limit headers
 * (`@x/provider-openai`'s `serverLimits()`); every field may be unknown.
 */
export interface ServerLimitsLike {
  limitRequests?: number | undefined;
  remainingRequests?: number | undefined;
  /** Epoch ms. */
  resetRequestsAt?: number | undefined;
  limitTokens?: number | undefined;
  remainingTokens?: number | undefined;
  /** Epoch ms. */
  resetTokensAt?: number | undefined;
  /** Epoch ms until which the provider holds requests back. */
  pausedUntil?: number | undefined;
}

/**
 * The top-level request fields a provider's calls take (`@x/provider-ollama`'s and
 * `@x/provider-openai`'s `requestFields`): `chat` for `complete()` and `stream()`, `embed` for
 * `embed()`. Read by `dropUnknownFields`.
 */
export interface RequestFieldsLike {
  readonly chat?: ReadonlySet<string> | undefined;
  readonly embed?: ReadonlySet<string> | undefined;
}

/**
 * Any provider the router can route to: the methods it has (at least one of `complete`, `stream`,
 * `embed`), and what it exposes of its resilience pieces. Every member is optional; the router
 * uses what is there.
 */
export interface RoutableProvider {
  /**
   * Answers a chat request: called by the router's `complete()`. The request is the caller's,
   * with `model` set to the deployment's, the router's `tags` removed (and, with
   * `dropUnknownFields`, the fields this provider does not take), its `signal` kept. A rejection
   * is classified by its `kind` and `retryable` (`isProviderError`), another error by its shape
   * (an HTTP `status`, a socket error `code`, its `cause` chain: see the README): the call falls
   * back to the next deployment, or ends with it when it never falls back. A deployment without
   * it is passed over by `complete()` calls.
   */
  complete?(request: BaseChatRequest): Promise<BaseChatResponse>;
  /**
   * Streams a chat answer: called by the router's `stream()`, with the request as for
   * {@link complete}. A failure before the first chunk falls back to the next deployment; after
   * it, the stream ends with the error (chunks already delivered cannot be taken back). The router
   * calls the iterator's `return()` when its caller leaves early, or on `destroy()`. A deployment
   * without it is passed over by `stream()` calls.
   */
  stream?(request: BaseChatRequest): AsyncIterable<StreamChunk<BaseChatResponse>>;
  /**
   * Embeds `input`: called by the router's `embed()`, with the request as for {@link complete}
   * (`embed` fields for `dropUnknownFields`). A request of token ids goes only to deployments
   * that take them (`embedTokenIds`). A deployment without it is passed over by `embed()` calls.
   */
  embed?(request: EmbedRequestLike): Promise<EmbedResponseLike>;
  /**
   * Its circuit breaker: an `open` one is skipped without a call, and its `stats().retryAfterMs`
   * (the time left open, `null` when it cannot tell) bounds a `RouterError`'s `retryAfterMs`.
   */
  readonly breaker?:
    | {
        readonly state: string;
        stats?(): { readonly retryAfterMs?: number | null | undefined };
      }
    | undefined;
  /** Its rate limiter: read by `most-quota-left`. */
  readonly rateLimiter?: RateLimiterLike | undefined;
  /** The server's rate-limit headers (OpenAI-compatible providers): read by `most-quota-left`. */
  serverLimits?(): ServerLimitsLike | undefined;
  /**
   * Model metadata (Ollama's `/api/show`): its `contextLength` is the model's trained maximum, an
   * upper bound of its window for context-window fallbacks (the window in use comes from `ps()`).
   */
  modelInfo?(
    model: string,
    options?: { signal?: AbortSignal | undefined },
  ): Promise<{ contextLength?: number | undefined }>;
  /**
   * The models its server has loaded (Ollama's `/api/ps`), with the window each runs with now
   * (`contextLength`): preferred to `modelInfo()`'s trained maximum for context-window fallbacks.
   */
  ps?(options?: { signal?: AbortSignal | undefined }): Promise<
    ReadonlyArray<{
      readonly name?: string | undefined;
      readonly model?: string | undefined;
      readonly contextLength?: number | undefined;
    }>
  >;
  /** Called by the router's `close()` only with `closeProviders: true`. */
  close?(): Promise<void>;
  /** Called by the router's `destroy()` only with `closeProviders: true` (else `close()`). */
  destroy?(): Promise<void>;
  /**
   * `@x/provider-openai`'s preset: such a provider takes token ids as embedding input (unless
   * `'ollama'`), the default of its deployments' `embedTokenIds` when it has no `embeddingInput`.
   */
  readonly preset?: string | undefined;
  /**
   * What its `embed()` takes as `input`, as the provider says of itself (shaped as
   * `@x/provider-openai`'s `EmbeddingInputRules`, the rules of its resolved preset, for a provider
   * that exposes them): `tokenIds` is the default of its deployments' `embedTokenIds`, and wins
   * over what `preset` suggests.
   */
  readonly embeddingInput?: { readonly tokenIds?: boolean | undefined } | undefined;
  /**
   * The top-level request fields its calls take. With `dropUnknownFields`, a field it lacks that
   * another provider of the call's group takes is removed from the request sent to it; a
   * provider without it is sent the request unchanged.
   */
  readonly requestFields?: RequestFieldsLike | undefined;
}

/** The request type of a provider's `complete` (the base chat request for any provider). */
export type RequestOf<P> = P extends { complete?(request: infer R): unknown } ? R : never;
/** The answer type of a provider's `complete`. */
export type ResponseOf<P> = P extends { complete?(request: never): Promise<infer R> } ? R : never;
/** The request type of a provider's `embed`. */
export type EmbedRequestOf<P> = P extends { embed?(request: infer R): unknown } ? R : never;
/** The answer type of a provider's `embed`. */
export type EmbedResponseOf<P> = P extends { embed?(request: never): Promise<infer R> } ? R : never;
/** The chunk type of a provider's `stream`. */
export type ChunkOf<P> = P extends { stream?(request: never): AsyncIterable<infer C> } ? C : never;

/** What the router adds to a provider's request. */
export interface RouteRequestFields {
  /**
   * Only deployments carrying every one of these tags serve the call (fallback groups included).
   * Removed before the request reaches a provider.
   */
  tags?: readonly string[] | undefined;
}

/** One error, as an answer or a `RouterError` reports it (JSON-serialisable, secrets scrubbed). */
export interface AttemptError {
  /** The error's class name. */
  name: string;
  /** Its `code` (`X_PROVIDER_OLLAMA_CONNECTION`, `X_ROUTER_COOLDOWN`...), or its name. */
  code: string;
  /** The provider error family, the same for every provider; `undefined` for other errors. */
  kind: ProviderErrorKind | undefined;
  /**
   * Its message, scrubbed of what looks like a credential (a URL's userinfo, an `Authorization`
   * value, a header or query parameter named for a key, a generated token); the error object
   * itself is the provider's, unchanged.
   */
  message: string;
  /** The HTTP status, for an error answer of the server. */
  statusCode?: number | undefined;
}

/** Why a deployment was passed over without a call. */
export type SkipReason =
  /** Cooling down after failures (or a 429 with Retry-After), here or on another instance. */
  | 'cooldown'
  /** Its provider's circuit breaker is open. */
  | 'breaker-open'
  /** After its cooldown, another call (here or on another instance) is probing it. */
  | 'probing'
  /** It has `maxConcurrent` calls of this router in flight. */
  | 'busy'
  /**
   * After a context overflow: its window does not hold the prompt, or is not larger than the one
   * that overflowed (its own, else one an overflow stated on another deployment of its model in
   * its group; unknown, when another of them overflowed with no window known).
   */
  | 'window-too-small'
  /**
   * Its provider has no method for this call (`stream`, `embed`), or the call's embedding input
   * is token ids and the deployment does not take them (`embedTokenIds`).
   */
  | 'unsupported';

/** One deployment the router tried, or passed over, before the answer (or the final error). */
export interface RouteAttempt {
  /** The deployment's `id`. */
  deployment: string;
  /** Its model group. */
  group: string;
  /** The model name its provider was called with. */
  model: string;
  /** The failure that moved the call on. */
  error: AttemptError;
  /** Set when the deployment was passed over without a call. */
  skipped?: SkipReason | undefined;
  /** How long the attempt took, in ms (0 when skipped). */
  durationMs: number;
}

/** Which deployment served an answer, and what was tried first. */
export interface RouteInfo {
  /** The model group the request named. */
  group: string;
  /** The `id` of the deployment that served it. */
  deployment: string;
  /** The group of that deployment: another group after a cross-group fallback. */
  servedBy: string;
  /** The model name its provider was called with. */
  model: string;
  /** The calls that failed before, in order (empty when the first choice served it). */
  attempts: RouteAttempt[];
  /**
   * The request's top-level fields removed before it reached the deployment that served it
   * (`dropUnknownFields`): fields its provider does not take and another provider of the group
   * does. Set only when one was.
   */
  droppedFields?: string[] | undefined;
}

/** An answer of the router: the provider's answer plus `route`. */
export type Routed<T> = T & { route: RouteInfo };
