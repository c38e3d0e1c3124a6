export { createBreaker } from './breaker';
export { CHANNEL_NAMES as breakerChannels } from './channels';
export type { BreakerState, RejectReason } from './errors';
export {
  BreakerOpenError,
  BreakerProbeTimeoutError,
  isBreakerError,
  isBreakerOpenError,
  isBreakerProbeTimeoutError,
} from './errors';
export { BreakerIgnore, ignoreOutcome, isBreakerIgnore } from './ignore';
export type {
  BreakerClassifier,
  BreakerLogger,
  BreakerLogMethod,
  BreakerOptions,
  BreakerOutcome,
  BreakerWindowOptions,
  ClassifyContext,
  CountWindowOptions,
  TimeWindowOptions,
} from './options';
export type { BreakerPreset } from './presets';
export { breakerPresets } from './presets';
export { releaseSharedBreaker, sharedBreaker } from './shared';
export type { BreakerSnapshot, WindowSnapshot } from './snapshot';
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
} from './types';
