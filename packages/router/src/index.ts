export type { Operation } from './deployment';
export type { DeploymentOptions } from './deployment-options';
export type { RouterErrorCode } from './errors';
export { isRouterClosedError, isRouterError, RouterClosedError, RouterError } from './errors';
export type {
  RouterCooldownEvent,
  RouterErrorEvent,
  RouterEventMap,
  RouterFallbackEvent,
  RouterRecoveredEvent,
  RouterResponseEvent,
} from './events';
export type { HealthStatus } from './health';
export type { RouterLogger, RouterLogMethod } from './log';
export type {
  CooldownOptions,
  KnownKeysOnly,
  LatencyOptions,
  RouterOptions,
  StrategyName,
} from './options';
export type { ProviderOf, RoutedChunk, RouterEmbedRequest, RouterRequest } from './router';
export { createRouter, Router } from './router';
export type {
  ActiveCooldown,
  BoundRouterState,
  CooldownReason,
  RouterState,
  StateLink,
  StateRecoveredEvent,
  StateUnavailableEvent,
} from './state';
export type { DeploymentStats, GroupStats, RouterStats } from './stats';
export type {
  AttemptError,
  ChunkOf,
  EmbedInput,
  EmbedRequestLike,
  EmbedRequestOf,
  EmbedResponseLike,
  EmbedResponseOf,
  RateLimiterLike,
  RequestFieldsLike,
  RequestOf,
  ResponseOf,
  RoutableProvider,
  RouteAttempt,
  Routed,
  RouteInfo,
  RouteRequestFields,
  ServerLimitsLike,
  SkipReason,
} from './types';
