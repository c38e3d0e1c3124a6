import { expectFunction, Topic } from '@x/internal';
import type { BreakerProbeTimeoutError } from './errors';
import type { RateWindow } from './internal/window';
import { createWindow } from './internal/window';
import type { BreakerOutcome, ResolvedOptions } from './options';
import { BreakerStateMachine, CLOSED, OPEN } from './state-machine';
import type { FailureEvent, SuccessEvent, TransitionReason } from './types';

const NOT_ABORTED = Object.freeze({ callerAborted: false });
const CALLER_ABORTED = Object.freeze({ callerAborted: true });

/** What a settled call tells the breaker: its generation and whether it was a probe. */
export interface SettledCall {
  readonly generation: number;
  readonly probe: boolean;
}

/**
 * Counting outcomes: classification, the consecutive counts and the rate window, the success and
 * failure events, and the rules that open or close the breaker. Two entry points: the closed
 * path's handlers (no timing, no events, bound once per closed period) and `settle()` /
 * `probeTimedOut()` for calls that went through the slow path.
 */
export abstract class BreakerOutcomes extends BreakerStateMachine {
  protected readonly rateWindow: RateWindow | undefined;
  /** A time window needs the clock on every outcome; a count window does not. */
  private readonly windowIsTimed: boolean;
  /** True when a closed call needs no timing and no per-call event: the allocation-free path. */
  protected closedPathIsFree: boolean;
  /** Settle a closed-path call of the current closed period; rebound on every close. */
  protected onClosedValue!: (value: unknown) => unknown;
  protected onClosedError!: (error: unknown) => never;

  protected calls = 0;
  protected successes = 0;
  protected failures = 0;
  protected ignored = 0;
  protected slowCalls = 0;
  protected late = 0;
  protected probes = 0;
  protected probeTimeouts = 0;

  protected readonly successTopic: Topic<SuccessEvent>;
  protected readonly failureTopic: Topic<FailureEvent>;

  constructor(options: ResolvedOptions) {
    super(options);
    this.rateWindow = options.window === undefined ? undefined : createWindow(options.window);
    this.windowIsTimed = options.window?.type === 'time';
    this.closedPathIsFree = options.slowCallDurationMs === undefined;
    const refresh = (): void => {
      this.closedPathIsFree =
        this.options.slowCallDurationMs === undefined &&
        !this.successTopic.hasListeners &&
        !this.failureTopic.hasListeners;
    };
    this.successTopic = new Topic<SuccessEvent>('breaker', 'success', refresh);
    this.failureTopic = new Topic<FailureEvent>('breaker', 'failure', refresh);
    this.bindClosedHandlers();
  }

  protected enteredClosed(): void {
    this.rateWindow?.reset();
    this.bindClosedHandlers();
  }

  /**
   * The closed path's handlers know the generation they were bound in, which is how a late
   * outcome is told apart without a closure per call.
   */
  protected bindClosedHandlers(): void {
    const generation = this.generation;
    this.onClosedValue = (value) => {
      if (generation === this.generation) this.closedSuccess();
      else this.late++;
      return value;
    };
    this.onClosedError = (error) => {
      if (generation === this.generation) this.closedError(error);
      else this.late++;
      throw error;
    };
  }

  /** A closed-path success (no timing, no events). */
  private closedSuccess(): void {
    this.successes++;
    this.consecutiveFailures = 0;
    const rateWindow = this.rateWindow;
    if (rateWindow !== undefined) {
      rateWindow.record(this.windowIsTimed ? performance.now() : 0, false, false);
      this.checkRates(rateWindow);
    }
  }

  /**
   * A closed-path error thrown synchronously by `fn`, with the `onClosedError` read before `fn`
   * ran. `fn` may have moved the breaker first (`breaker.open()`, then throw; or `open()` and
   * `close()`, which binds new handlers): judged like a rejection by that handler, it is then late.
   */
  protected closedThrow(error: unknown, onError: (error: unknown) => never): void {
    // The handler makes the same generation check as for a rejection; it rethrows `error`, which
    // the caller rejects with itself.
    try {
      onError(error);
    } catch {
      // `error`, rethrown by the handler.
    }
  }

  /** A closed-path error, thrown synchronously by `fn` or rejected by its promise. */
  private closedError(error: unknown): void {
    const outcome = this.classify(error, false);
    if (outcome === 'late') this.late++;
    else if (outcome === 'failure') this.failure(false, error, 0, false);
    else if (outcome === 'success') this.success(false, 0, false, error, true);
    else this.ignored++;
  }

  /** @internal Called by a Call when it settles. */
  settle(
    call: SettledCall,
    error: unknown,
    failed: boolean,
    callerAborted: boolean,
    durationMs: number,
  ): void {
    if (call.generation !== this.generation) {
      this.late++;
      return;
    }
    const slowMs = this.options.slowCallDurationMs;
    const slow = slowMs !== undefined && durationMs >= slowMs;
    if (call.probe) this.probesInFlight--;
    if (!failed) {
      this.success(call.probe, durationMs, slow, undefined, false);
      return;
    }
    const outcome = this.classify(error, callerAborted);
    if (outcome === 'late') this.late++;
    else if (outcome === 'failure') this.failure(call.probe, error, durationMs, slow);
    else if (outcome === 'success') this.success(call.probe, durationMs, slow, error, true);
    else this.ignored++;
  }

  /**
   * @internal Called by a Call whose probe timed out. Returns whether the timeout counted (it
   * reopened the breaker); a timeout that was itself late has already made its call late.
   */
  probeTimedOut(call: SettledCall, error: BreakerProbeTimeoutError, durationMs: number): boolean {
    if (call.generation !== this.generation) {
      this.late++;
      return false;
    }
    this.probesInFlight--;
    this.probeTimeouts++;
    this.failures++;
    // Either way the breaker has left the probe's generation, so `fn`'s outcome will be late.
    if (this.emitFailure(error, durationMs, true, false)) this.reopen('probe-timeout');
    return true;
  }

  /** @internal Called by a Call whose timed-out probe's `fn` settled after all. */
  lateOutcome(): void {
    this.late++;
  }

  /**
   * Runs the `classify` option. `'late'` when it moved the breaker itself (`close()`, `isolate()`):
   * the outcome it was asked about then belongs to a state that has ended, and counts for nothing.
   */
  private classify(error: unknown, callerAborted: boolean): BreakerOutcome | 'late' {
    const generation = this.generation;
    let outcome: unknown;
    try {
      outcome = this.options.classify(error, callerAborted ? CALLER_ABORTED : NOT_ABORTED);
    } catch {
      outcome = 'failure';
    }
    if (generation !== this.generation) return 'late';
    return outcome === 'success' || outcome === 'ignore' ? outcome : 'failure';
  }

  private success(
    probe: boolean,
    durationMs: number,
    slow: boolean,
    error: unknown,
    hasError: boolean,
  ): void {
    this.successes++;
    if (slow) this.slowCalls++;
    if (this.successTopic.active) {
      const generation = this.generation;
      this.successTopic.emit(
        hasError
          ? { breaker: this.name, durationMs, probe, slow, error }
          : { breaker: this.name, durationMs, probe, slow },
      );
      // A listener that moved the breaker wins, as in emitFailure().
      if (generation !== this.generation) return;
    }
    if (probe) {
      if (slow) this.reopen('probe-slow');
      else if (++this.consecutiveSuccesses >= this.options.successThreshold)
        this.transition(CLOSED, 'probe-success');
      return;
    }
    this.consecutiveFailures = 0;
    const rateWindow = this.rateWindow;
    if (rateWindow !== undefined) {
      rateWindow.record(this.windowIsTimed ? performance.now() : 0, false, slow);
      this.checkRates(rateWindow);
    }
  }

  private failure(probe: boolean, error: unknown, durationMs: number, slow: boolean): void {
    this.failures++;
    if (slow) this.slowCalls++;
    if (!this.emitFailure(error, durationMs, probe, slow)) return;
    if (probe) {
      this.reopen('probe-failure');
      return;
    }
    this.consecutiveFailures++;
    const rateWindow = this.rateWindow;
    if (rateWindow !== undefined)
      rateWindow.record(this.windowIsTimed ? performance.now() : 0, true, slow);
    if (this.consecutiveFailures >= this.options.failureThreshold)
      this.transition(OPEN, 'failure-threshold');
    else if (rateWindow !== undefined) this.checkRates(rateWindow);
  }

  /**
   * Emits a failure; returns false when a listener moved the breaker meanwhile (`isolate()`,
   * `open()`, `close()`, or a call of its own that settled at once). The listener's move wins:
   * the outcome has been counted and reported, and decides nothing more.
   */
  private emitFailure(error: unknown, durationMs: number, probe: boolean, slow: boolean): boolean {
    if (!this.failureTopic.active) return true;
    const generation = this.generation;
    this.failureTopic.emit({ breaker: this.name, error, durationMs, probe, slow });
    return generation === this.generation;
  }

  private checkRates(rateWindow: RateWindow): void {
    const windowOptions = this.options.window!;
    if (rateWindow.total < windowOptions.minimumCalls) return;
    let reason: TransitionReason | undefined;
    if (rateWindow.failures / rateWindow.total >= windowOptions.failureRateThreshold)
      reason = 'failure-rate';
    else if (
      this.options.slowCallDurationMs !== undefined &&
      rateWindow.slow / rateWindow.total >= this.options.slowCallRateThreshold
    )
      reason = 'slow-call-rate';
    if (reason !== undefined) this.transition(OPEN, reason);
  }

  onSuccess(listener: (event: SuccessEvent) => void): () => void {
    return this.successTopic.on(expectFunction('listener', listener));
  }

  onFailure(listener: (event: FailureEvent) => void): () => void {
    return this.failureTopic.on(expectFunction('listener', listener));
  }
}
