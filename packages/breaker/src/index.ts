export type {
  Breaker,
  BreakerStats,
  ExecuteOptions,
  FailureEvent,
  RejectEvent,
  StateChangeEvent,
  SuccessEvent,
  TransitionReason,
  WindowStats,
} from './breaker';
export { createBreaker } from './breaker';
export type { BreakerState, RejectReason } from './errors';
export {
  BreakerOpenError,
  BreakerProbeTimeoutError,
  isBreakerError,
  isBreakerOpenError,
  isBreakerProbeTimeoutError,
} from './errors';
export { CHANNEL_NAMES as breakerChannels } from './internal/channels';
export type {
  BreakerClassifier,
  BreakerLogger,
  BreakerOptions,
  BreakerOutcome,
  BreakerWindowOptions,
  ClassifyContext,
  CountWindowOptions,
  TimeWindowOptions,
} from './options';
export type { BreakerPreset } from './presets';
export { breakerPresets } from './presets';
export type { BreakerSnapshot, WindowSnapshot } from './snapshot';
