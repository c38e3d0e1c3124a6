// What the getters of a provider hand out (`breaker`, `rateLimiter`, `concurrencyLimiter`, `cache`,
// `pool`), what their methods return, and what `health()` reports of them: re-exported so that a
// user's declarations can name them. Under pnpm the leaves are not the user's own dependencies, and
// a library exporting `provider.breaker` would fail with TS2742 (scripts/check-dist-names.mjs).
export type {
  Breaker,
  BreakerSnapshot,
  BreakerState,
  BreakerStats,
  WindowStats,
} from '@x/breaker';
export type {
  Cache,
  CacheDecision,
  CacheLoadResult,
  CacheStats,
  CacheStoreStats,
} from '@x/cache';
export type { DnsStats, OriginStats, Pool, PoolStats } from '@x/pool';
export type {
  ConcurrencyLimiter,
  ConcurrencyLimiterStats,
  RateLimiter,
  RateLimiterStats,
  ResolvedLimit,
} from '@x/rate-limit';
export type { ApiErrorInit, ApiErrorKind } from './api-error';
export { ProviderApiError } from './api-error';
export { classifyForBreaker } from './compose/classify';
export type {
  PieceDefaults,
  ProviderRateLimitOptions,
  ResolvedTokens,
  TokenOptions,
} from './compose/pieces';
export type { ShareOptions } from './compose/share';
export { type ConnectionAdvice, ProviderConnectionError } from './connection-error';
export type { ContextOverflowCounts } from './context-overflow-counts';
export { contextOverflowCounts } from './context-overflow-counts';
export type { ContextOverflowInit } from './context-overflow-error';
export { ContextOverflowError } from './context-overflow-error';
export type { CoreOptions } from './core-options';
export { CORE_OPTION_ALIASES, CORE_OPTION_KEYS } from './core-options';
export type {
  AuthHeaders,
  CredentialOutcome,
  CredentialSource,
  GetApiKey,
} from './credentials';
export type { Accumulator } from './decode/accumulator';
export type { Framing, StreamDecoder, WireMessage } from './decode/decoder';
export { embeddingsMismatch } from './decode/embeddings';
export { type Json, JsonAnswerAccumulator, type JsonAnswerInit } from './decode/json-answer';
export { JSON_PLAIN, JSON_TEXT, jsonText, MAX_SHAPED_LINE } from './decode/json-text';
export { type LineEndings, LineSplitter, LineTooLongError } from './decode/lines';
export { NdjsonDecoder } from './decode/ndjson';
export { SseDecoder } from './decode/sse';
export {
  jsonChatMessage,
  jsonMessage,
  jsonObject,
  jsonQuote,
  jsonValue,
} from './encode/json-write';
export { createErrorKit, type ErrorKit } from './error-kit';
export type {
  AnyProviderError,
  GatheredProviderError,
  ProviderErrorByKind,
  ProviderErrorOfKind,
} from './error-union';
export type { ErrorOrigin, ProviderErrorKind } from './errors';
export {
  errorCode,
  isProviderError,
  isProviderErrorOfKind,
  ProviderError,
  partialOf,
} from './errors';
export { ProviderFacade } from './facade';
export {
  type HealthDeadline,
  healthDeadline,
  healthStatus,
  type PiecesHealth,
  piecesHealth,
} from './health';
export type { AttemptInit } from './http/exchange';
export type {
  ErrorBodyLost,
  ExchangeAnswered,
  ExchangeObserver,
  HttpErrorMapper,
  HttpFailure,
} from './http/failures';
export {
  answeredText,
  describeWebPage,
  isWebPageFailure,
  mapHttpStatus,
  notServedMessage,
  parseRetryAfter,
  serverMessage,
} from './http/failures';
export { redirectMessage } from './http/redirect-advice';
export type {
  RequestBody,
  Transport,
  TransportBody,
  TransportRequestOptions,
  TransportResponse,
} from './http/transport';
export { endUnsentBody, thisRealm } from './http/upload';
export { LightSignal, lightSignal } from './light-signal';
export type {
  AuditBase,
  AuditEvent,
  AuthRejectedAudit,
  BreakerManualAudit,
  CredentialFetchedAudit,
  SecretScrubbedAudit,
} from './observe/audit';
export {
  SECONDS_BUCKETS,
  TOKEN_BUCKETS,
  TOKENS_PER_SECOND_BUCKETS,
} from './observe/buckets';
export { type CallCounts, callCounts } from './observe/call-counts';
export type {
  CacheHitEvent,
  ContextRaisedEvent,
  ErrorEvent,
  ProviderEventMap,
  ResponseEvent,
  RetryEvent,
  TruncatedEvent,
} from './observe/events';
export type { MetricFamily, MetricSample, MetricsSource } from './observe/families';
export type { HistogramSnapshot } from './observe/histogram';
export type { Logger, LogMethod } from './observe/log';
export { MAX_MODEL_NAME, MAX_MODELS, OVERFLOW_MODEL } from './observe/model-labels';
export type { ModelStats } from './observe/model-stats';
export type {
  Attributes,
  HistogramLike,
  MeterLike,
  MeterProviderLike,
  SpanLike,
  TracerLike,
  TracerProviderLike,
} from './observe/otel-api';
export { type PromClientRegistry, registerPromClient } from './observe/prom-client';
export { prometheusText } from './observe/prometheus';
export type { ProviderStats } from './observe/stats';
export type { TelemetryOptions } from './observe/telemetry-option';
export type { CoreRequest, CoreResponse, Operation, StreamFormat } from './operation';
export type {
  ResolvedRetry,
  ResolvedTimeouts,
  RetryOptions,
  TimeoutOptions,
} from './options';
export { isFieldValue, SECRET_HEADER, validateHeaders } from './options';
export type { MessagesInit } from './pipeline/messages';
export type { PlainCallInit, RawBody } from './pipeline/plain-call';
export { isWebPageAnswer } from './pipeline/web-page';
export { expectPlainArgument } from './plain-argument';
export { type ProtocolErrorInit, ProviderProtocolError } from './protocol-error';
export { ProviderCore } from './provider-core';
export {
  CircuitOpenError,
  type ClosedInit,
  CredentialsError,
  LocalLimitError,
  ProviderClosedError,
} from './refusals';
export type { RetryPolicy, RetryPolicyStats } from './retry-policy';
export { createRetryPolicy } from './retry-policy';
export type { CoreConfig, ProviderIdentity } from './runtime';
export { redactOnce } from './secrets';
export { cutServerText, redactedServerText, serverExcerpt } from './server-text';
export type { CacheInput } from './stages/cache';
export type {
  ContextInput,
  ContextPlanner,
  Prepared,
  PromptInput,
  WindowPlan,
} from './stages/context';
export { type PricedUsage, usageCost } from './stages/usage-cost';
export type { StreamErrorInit, StreamFailure } from './stream-errors';
export { IncompleteStreamError, ProviderStreamError } from './stream-errors';
export type { TimeoutErrorInit, TimeoutKind } from './timeout-error';
export { ProviderTimeoutError } from './timeout-error';
export type {
  AssistantMessage,
  BaseChatRequest,
  BaseChatResponse,
  CacheMode,
  ChatMessage,
  ChatRole,
  FinishReason,
  HealthStatus,
  LogprobOf,
  PartialResponse,
  StreamChunk,
  StreamChunkText,
  Timings,
  TokenLogprob,
  ToolCall,
  ToolCallOf,
  ToolDefinition,
  Usage,
} from './types';
export { chatResponse, EMPTY_PARTIAL, usageOf } from './types';
export {
  CHAT_REQUEST_ALIASES,
  expectChatMessage,
  expectModelName,
  isPlainChatMessage,
  optionalCacheMode,
  optionalImages,
  optionalNumberIn,
  optionalStop,
  optionalToolCalls,
  optionalTools,
  refuseStreamFlag,
} from './validate';
