export type { OllamaErrorCode, PartialResponse, TimeoutKind } from './errors';
export {
  ContextOverflowError,
  IncompleteStreamError,
  isContextOverflowError,
  isIncompleteStreamError,
  isModelNotFoundError,
  isOllamaApiError,
  isOllamaConnectionError,
  isOllamaError,
  isOllamaStreamError,
  isOllamaTimeoutError,
  isProviderClosedError,
  isServerBusyError,
  ModelNotFoundError,
  OllamaApiError,
  OllamaConnectionError,
  OllamaError,
  OllamaStreamError,
  OllamaTimeoutError,
  ProviderClosedError,
  ServerBusyError,
} from './errors';
export type { Transport, TransportRequestOptions, TransportResponse } from './internal/exchange';
export type { HistogramSnapshot } from './internal/histogram';
export type { ProviderRateLimitOptions, TokenOptions } from './internal/pieces';
export type { ProviderStats } from './internal/stats';
export type { RetryOptions, TimeoutOptions } from './options';
export type {
  ContextRaisedEvent,
  ErrorEvent,
  InitializeResult,
  OllamaProviderOptions,
  ResponseEvent,
  RetryEvent,
  TruncatedEvent,
} from './provider';
export { createOllamaProvider, OllamaProvider } from './provider';
export type { RetryPolicy, RetryPolicyStats } from './retry-policy';
export { createRetryPolicy } from './retry-policy';
export type {
  AssistantMessage,
  CacheMode,
  ChatMessage,
  ChatRequest,
  ChatResponse,
  EmbedRequest,
  EmbedResponse,
  FinishReason,
  HealthReport,
  HealthStatus,
  LoadedModel,
  ModelInfo,
  ModelSummary,
  StreamChunk,
  Timings,
  ToolCall,
  ToolDefinition,
  Usage,
} from './types';
