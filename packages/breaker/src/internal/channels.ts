import { channel } from 'node:diagnostics_channel';

// Created once per process; `hasSubscribers` on each is a cheap check on the hot path.
export const stateChangeChannel = channel('x:breaker:state-change');
export const successChannel = channel('x:breaker:success');
export const failureChannel = channel('x:breaker:failure');
export const rejectChannel = channel('x:breaker:reject');

/** Names of the diagnostics channels, for subscribers. */
export const CHANNEL_NAMES = {
  stateChange: 'x:breaker:state-change',
  success: 'x:breaker:success',
  failure: 'x:breaker:failure',
  reject: 'x:breaker:reject',
} as const;
