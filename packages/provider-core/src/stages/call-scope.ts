import { onAbort } from '@x/internal';
import type { ErrorKit } from '../errors';
import { OneShot } from '../http/shared-timer';
import { lightSignal } from '../light-signal';
import type { StatsRecorder } from '../observe/stats';
import type { RetryBudget } from '../retry-policy';

/** The bookkeeping of one logical call: the prologue and the epilogue every entry point shares. */
export interface CallScope {
  readonly started: number;
  /**
   * The caller's signal joined with the total deadline (undefined when neither exists): a light
   * signal when there is a deadline, made real by `realSignal()` for code outside the project.
   */
  readonly signal: AbortSignal | undefined;
  /** Ends the call: clears the deadline, releases the in-flight slot. Idempotent. */
  end(): void;
  /**
   * Gives `release` back when the call ends (at once if it already ended): a stream's
   * concurrency slot, held until its last chunk, its cancellation or its abandonment.
   */
  hold(release: () => void): void;
}

/**
 * The call prologue, the only one: counts the call, takes an in-flight slot, deposits into the
 * retry budget, and starts the total deadline (`timeouts.totalMs`) as a signal joined with the
 * caller's. Nothing here allocates when there is no deadline and no caller signal.
 */
export function beginCall(init: {
  stats: StatsRecorder;
  /** The request's model: the call is counted under it. */
  model: string;
  budget: RetryBudget | undefined;
  kit: ErrorKit;
  totalMs: number | undefined;
  callerSignal: AbortSignal | undefined;
}): CallScope {
  const { stats } = init;
  const started = performance.now();
  const record = stats.started(init.model);
  init.budget?.deposit();
  let ended = false;
  let held: (() => void) | undefined;
  const hold = (release: () => void): void => {
    if (ended) release();
    else held = release;
  };
  if (init.totalMs === undefined) {
    return {
      started,
      signal: init.callerSignal,
      end: () => {
        if (ended) return;
        ended = true;
        stats.ended(record);
        held?.();
      },
      hold,
    };
  }
  const totalMs = init.totalMs;
  // A light signal: the deadline is on every call and rarely fires (see light-signal.ts).
  const deadline = lightSignal();
  // On the shared timer, as the attempts' deadlines: no Node timer per call.
  const timer = new OneShot(totalMs, () => {
    deadline.abort(init.kit.timeout({ timeout: 'total', timeoutMs: totalMs, retryable: false }));
  });
  const caller = init.callerSignal;
  let stopCaller: (() => void) | undefined;
  if (caller?.aborted) deadline.abort(caller.reason);
  else if (caller !== undefined) stopCaller = onAbort(caller, () => deadline.abort(caller.reason));
  return {
    started,
    signal: deadline,
    end: () => {
      if (ended) return;
      ended = true;
      timer.cancel();
      stopCaller?.();
      stats.ended(record);
      held?.();
    },
    hold,
  };
}
