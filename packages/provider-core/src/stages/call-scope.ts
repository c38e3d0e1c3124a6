import type { ErrorKit } from '../error-kit';
import { OneShot } from '../http/shared-timer';
import { CallSignal, type LightSignal } from '../light-signal';
import type { StatsRecorder } from '../observe/stats';
import type { RetryBudget } from '../retry-policy';

/** The bookkeeping of one logical call: the prologue and the epilogue every entry point shares. */
export interface CallScope {
  readonly started: number;
  /**
   * The caller's signal joined with the total deadline and the provider's `ending` signal
   * (`destroy()`): `ending` itself when there is neither, a light signal otherwise, made real by
   * `realSignal()` for code outside the project.
   */
  readonly signal: AbortSignal;
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
 * caller's. Every stage of the call runs under that signal, which follows the provider's `ending`
 * (aborted by `destroy()`): with neither a deadline nor a caller signal it is `ending` itself, and
 * no signal is allocated, unless the call asks for one of its `own`.
 */
export function beginCall(init: {
  stats: StatsRecorder;
  /** The request's model: the call is counted under it. */
  model: string;
  budget: RetryBudget | undefined;
  kit: ErrorKit;
  totalMs: number | undefined;
  callerSignal: AbortSignal | undefined;
  /** The provider's signal that `destroy()` aborts. */
  ending: LightSignal;
  /**
   * A signal of the call's own even with neither a deadline nor a caller signal: a stream's,
   * which its caller may leave while a read is pending (`return()` aborts it, never `ending`).
   */
  own?: boolean | undefined;
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
  const caller = init.callerSignal;
  const totalMs = init.totalMs;
  if (totalMs === undefined && caller === undefined && init.own !== true) {
    return {
      started,
      signal: init.ending as unknown as AbortSignal,
      end: () => {
        if (ended) return;
        ended = true;
        stats.ended(record);
        held?.();
      },
      hold,
    };
  }
  // A light signal: a call's own signal rarely aborts, and costs little (see light-signal.ts).
  const signal = new CallSignal(init.ending, caller);
  // On the shared timer, as the attempts' deadlines: no Node timer per call.
  const timer =
    totalMs === undefined
      ? undefined
      : new OneShot(totalMs, () => {
          signal.abort(
            init.kit.timeout({ timeout: 'total', timeoutMs: totalMs, retryable: false }),
          );
        });
  return {
    started,
    signal: signal as unknown as AbortSignal,
    end: () => {
      if (ended) return;
      ended = true;
      timer?.cancel();
      signal.release();
      stats.ended(record);
      held?.();
    },
    hold,
  };
}
