export { classifyForBreaker } from './compose/classify';
export type { ProviderRateLimitOptions, ResolvedTokens, TokenOptions } from './compose/pieces';
export type { AuthHeaders, GetApiKey } from './credentials';
export type { Accumulator } from './decode/accumulator';
export type { Framing, StreamDecoder, WireMessage } from './decode/decoder';
export { LineSplitter, LineTooLongError } from './decode/lines';
export { NdjsonDecoder } from './decode/ndjson';
export { SseDecoder } from './decode/sse';
export type {
  ApiErrorInit,
  ContextOverflowInit,
  ErrorKit,
  ErrorOrigin,
  ProviderErrorKind,
  StreamErrorInit,
  StreamFailure,
  TimeoutErrorInit,
  TimeoutKind,
} from './errors';
export {
  CircuitOpenError,
  ContextOverflowError,
  createErrorKit,
  errorCode,
  IncompleteStreamError,
  isProviderError,
  isProviderErrorOfKind,
  LocalLimitError,
  ProviderApiError,
  ProviderClosedError,
  ProviderConnectionError,
  ProviderError,
  ProviderStreamError,
  ProviderTimeoutError,
  partialOf,
} from './errors';
export type {
  ExchangeAnswered,
  ExchangeObserver,
  HttpErrorMapper,
  HttpFailure,
} from './http/failures';
export { mapHttpStatus, parseRetryAfter, serverMessage } from './http/failures';
export type {
  Transport,
  TransportRequestOptions,
  TransportResponse,
} from './http/transport';
export type {
  CacheHitEvent,
  ContextRaisedEvent,
  ErrorEvent,
  ProviderEventMap,
  ResponseEvent,
  RetryEvent,
  TruncatedEvent,
} from './observe/events';
export type { HistogramSnapshot } from './observe/histogram';
export type { ProviderStats } from './observe/stats';
export type { CoreRequest, CoreResponse, Operation, StreamFormat } from './operation';
export type {
  ResolvedRetry,
  ResolvedTimeouts,
  RetryOptions,
  TimeoutOptions,
} from './options';
export { SECRET_HEADER, validateHeaders } from './options';
export type { MessagesInit } from './pipeline/messages';
export { ProviderCore } from './provider-core';
export type { RetryPolicy, RetryPolicyStats } from './retry-policy';
export { createRetryPolicy } from './retry-policy';
export type { CoreConfig, CoreOptions, ProviderIdentity } from './runtime';
export { CORE_OPTION_KEYS } from './runtime';
export type { ContextPlanner, Prepared, PromptInput, WindowPlan } from './stages/context';
export type {
  AssistantMessage,
  BaseChatRequest,
  BaseChatResponse,
  CacheMode,
  ChatMessage,
  ChatRole,
  FinishReason,
  HealthStatus,
  PartialResponse,
  StreamChunk,
  Timings,
  TokenLogprob,
  ToolCall,
  ToolDefinition,
  Usage,
} from './types';
export { chatResponse, EMPTY_PARTIAL } from './types';
