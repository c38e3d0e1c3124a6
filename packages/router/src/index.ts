export type {
  AnyProviderError,
  ProviderErrorKind,
  ProviderErrorOfKind,
} from '@x/provider-core';
// The guards (and base class) the README's Errors section uses: re-exported so that a user who
// installed only @x/router and a provider can import them (under pnpm an app cannot import a
// dependency's own dependency). A class goes out as a value: tsup's declarations would declare
// a type-only one as a value anyway (scripts/check-dist.mjs).
export { isProviderError, isProviderErrorOfKind, ProviderError } from '@x/provider-core';
export type { Operation } from './deployment';
export type { DeploymentOptions } from './deployment-options';
export type { RouterErrorCode } from './errors';
export {
  isRouterClosedError,
  isRouterCloseTimeoutError,
  isRouterError,
  RouterClosedError,
  RouterCloseTimeoutError,
  RouterError,
} from './errors';
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
  GroupMap,
  KnownKeysOnly,
  LatencyOptions,
  RouterOptions,
  StrategyName,
} from './options';
export type {
  EmbedGroupOf,
  GroupOf,
  ProviderOf,
  RoutedChunk,
  RouterEmbedRequest,
  RouterRequest,
} from './router';
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
