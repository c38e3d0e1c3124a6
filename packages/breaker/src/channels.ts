/**
 * Names of the `node:diagnostics_channel` channels every breaker publishes on. Messages are the
 * same objects the `onStateChange`, `onSuccess`, `onFailure` and `onReject` listeners receive, with
 * the breaker's `name` in `breaker`. Subscribing to `success` or `failure` moves closed calls off
 * the allocation-free path (they must be timed); the other two cost nothing per call.
 *
 * @example
 * ```ts
 * import { subscribe } from 'node:diagnostics_channel';
 * subscribe(breakerChannels.stateChange, (event) => metrics.transitions.inc(event));
 * ```
 */
export const CHANNEL_NAMES = {
  stateChange: 'x:breaker:state-change',
  success: 'x:breaker:success',
  failure: 'x:breaker:failure',
  reject: 'x:breaker:reject',
} as const;
