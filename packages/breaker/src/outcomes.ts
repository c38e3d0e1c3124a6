import { expectFunction, Topic } from '@x/internal';
import type { BreakerProbeTimeoutError } from './errors';
import { isBreakerIgnore, rejectionOf } from './ignore';
import type { RateWindow } from './internal/window';
import { createWindow } from './internal/window';
import type { BreakerOutcome, ResolvedOptions } from './options';
import { CLOSED, OPEN, type StateCode } from './state-machine';
import type { FailureEvent, SuccessEvent, TransitionReason } from './types';
import { BreakerVerdicts, UNDECIDED } from './verdicts';

const NOT_ABORTED = Object.freeze({ callerAborted: false });
const CALLER_ABORTED = Object.freeze({ callerAborted: true });

/** What a settled call tells the breaker: its generation and whether it was a probe. */
export interface SettledCall {
  readonly generation: number;
  readonly probe: boolean;
}

/** A probe whose probe timer runs. */
export interface TimedProbe {
  /** Clears the probe timer: the call runs on, and is never timed out by the breaker. */
  stopProbeTimer(): void;
}

/**
 * Counting outcomes: classification, the consecutive counts and the rate window, the success and
 * failure events, and the rules that open or close the breaker. Two entry points: the closed
 * path's handlers (no timing, no events, bound once per closed period) and `settle()` /
 * `probeTimedOut()` for calls that went through the slow path.
 */
export abstract class BreakerOutcomes extends BreakerVerdicts {
  // The fields every closed call reads are `declare`d, and set in the constructor: a class field
  // is first defined as `undefined`, and V8 then types it as "anything" once the real value is
  // stored. Stored first as a boolean or a function, it keeps that type, and the optimised closed
  // path skips a generic truthiness test of `closedPathIsFree` and `then()`'s is-callable tests
  // of the handlers (counted under cachegrind: 44 of the 85 instructions the closed path added to
  // `fn().then()`).
  declare protected readonly rateWindow: RateWindow | undefined;
  /** A time window needs the clock on every outcome; a count window does not. */
  declare private readonly windowIsTimed: boolean;
  /** True when a closed call needs no timing and no per-call event: the allocation-free path. */
  declare protected closedPathIsFree: boolean;
  /** Settle a closed-path call of the current closed period; rebound on every close. */
  declare protected onClosedValue: (value: unknown) => unknown;
  declare protected onClosedError: (error: unknown) => never;

  protected calls = 0;
  protected successes = 0;
  protected failures = 0;
  protected ignored = 0;
  protected slowCalls = 0;
  protected late = 0;
  protected probes = 0;
  protected probeTimeouts = 0;

  /**
   * @internal Probes whose timer runs, kept by their Call while it does. Entering closed stops
   * them: a probe still running then (another probe closed the breaker, or `close()`) is a call
   * of a closed breaker, late unless carried, and closed calls are never timed out.
   */
  readonly timedProbes = new Set<TimedProbe>();

  protected readonly successTopic: Topic<SuccessEvent>;
  protected readonly failureTopic: Topic<FailureEvent>;

  constructor(options: ResolvedOptions) {
    super(options);
    this.rateWindow = options.window === undefined ? undefined : createWindow(options.window);
    this.windowIsTimed = options.window?.type === 'time';
    this.closedPathIsFree = options.slowCallDurationMs === undefined;
    const refresh = (): void => this.refreshClosedPath();
    this.successTopic = new Topic<SuccessEvent>('breaker', 'success', refresh);
    this.failureTopic = new Topic<FailureEvent>('breaker', 'failure', refresh);
    this.bindClosedHandlers();
  }

  /**
   * The closed path is for calls that need no timing and no per-call event, and never for a call
   * made under a verdict (from `classify` or an outcome's listener): that one must wait.
   */
  protected refreshClosedPath(): void {
    this.closedPathIsFree =
      this.options.slowCallDurationMs === undefined &&
      !this.successTopic.hasListeners &&
      !this.failureTopic.hasListeners &&
      !this.deciding;
  }

  protected enteredClosed(reason: TransitionReason): void {
    this.rateWindow?.reset();
    this.bindClosedHandlers();
    // Deleting the current entry while a Set is iterated is well defined.
    for (const probe of this.timedProbes) probe.stopProbeTimer();
    const carried = this.carried;
    if (reason !== 'probe-success' || carried === undefined) return;
    this.carried = undefined;
    for (const call of carried) call.adopt(this.generation);
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
      throw rejectionOf(error);
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
   * Returns what `execute()` rejects with.
   */
  protected closedThrow(error: unknown, onError: (error: unknown) => never): unknown {
    // The handler makes the same generation check as for a rejection, and throws what the call
    // rejects with.
    try {
      return onError(error);
    } catch (rejection) {
      return rejection;
    }
  }

  /** A closed-path error, thrown synchronously by `fn` or rejected by its promise. */
  private closedError(error: unknown): void {
    const { waiting, carried } = this;
    this.waiting = this.carried = undefined;
    this.judge(false, error, false, 0, false);
    this.resume(waiting, carried);
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
    const probe = call.probe;
    if (probe) this.probesInFlight--;
    const { waiting, carried } = this;
    this.waiting = this.carried = undefined;
    if (!failed) this.success(probe, durationMs, slow, undefined, false);
    else this.judge(probe, error, callerAborted, durationMs, slow);
    this.resume(waiting, carried);
  }

  /** An error (or a caller's abort): classified, then counted. */
  private judge(
    probe: boolean,
    error: unknown,
    callerAborted: boolean,
    durationMs: number,
    slow: boolean,
  ): void {
    const outcome = this.classify(error, callerAborted);
    if (outcome === 'late') this.late++;
    else if (outcome === 'failure') this.failure(probe, error, durationMs, slow);
    else if (outcome === 'success') this.success(probe, durationMs, slow, error, true);
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
    const { waiting, carried } = this;
    this.waiting = this.carried = undefined;
    // Either way the breaker has left the probe's generation, so `fn`'s outcome will be late.
    if (this.emitFailure(error, durationMs, true, false, OPEN)) this.reopen('probe-timeout');
    this.resume(waiting, carried);
    return true;
  }

  /** @internal Called by a Call whose timed-out probe's `fn` settled after all. */
  lateOutcome(): void {
    this.late++;
  }

  /**
   * Runs the `classify` option, under the UNDECIDED verdict: a call it makes waits until this
   * outcome has been acted on (it must not take the probe slot of the call being classified).
   * `'late'` when it moved the breaker itself (`close()`, `isolate()`): the outcome it was asked
   * about then belongs to a state that has ended, and counts for nothing. An `ignoreOutcome()`
   * is ignored whatever it answers; it is told of it as of a caller's abort.
   */
  private classify(error: unknown, callerAborted: boolean): BreakerOutcome | 'late' {
    const ignored = isBreakerIgnore(error);
    const generation = this.generation;
    const { verdict: outer, verdictGeneration: outerGeneration } = this;
    this.setVerdict(UNDECIDED, generation);
    let outcome: unknown;
    try {
      outcome = this.options.classify(
        ignored ? error.reason : error,
        ignored || callerAborted ? CALLER_ABORTED : NOT_ABORTED,
      );
    } catch {
      outcome = 'failure';
    } finally {
      this.setVerdict(outer, outerGeneration);
    }
    if (generation !== this.generation) return 'late';
    if (ignored) return 'ignore';
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
    // A closed call is counted before its event, as in failure().
    const trip = probe ? undefined : this.recordClosed(false, slow);
    if (this.successTopic.active) {
      const generation = this.generation;
      const event: SuccessEvent = hasError
        ? { breaker: this.name, durationMs, probe, slow, error }
        : { breaker: this.name, durationMs, probe, slow };
      // A probe's success reopens (slow) or closes (the last one needed) the breaker, or neither;
      // a closed call's may open it (a rate).
      const verdict = !probe
        ? trip === undefined
          ? undefined
          : OPEN
        : slow
          ? OPEN
          : this.consecutiveSuccesses + 1 >= this.options.successThreshold
            ? CLOSED
            : undefined;
      if (verdict === undefined) this.successTopic.emit(event);
      else this.emitUnder(this.successTopic, event, verdict);
      // A listener that moved the breaker wins, as in emitFailure().
      if (generation !== this.generation) return;
    }
    if (!probe) {
      if (trip !== undefined) this.transition(OPEN, trip);
    } else if (slow) this.reopen('probe-slow');
    else if (++this.consecutiveSuccesses >= this.options.successThreshold)
      this.transition(CLOSED, 'probe-success');
  }

  private failure(probe: boolean, error: unknown, durationMs: number, slow: boolean): void {
    this.failures++;
    if (slow) this.slowCalls++;
    if (probe) {
      // A failed probe reopens the breaker.
      if (this.emitFailure(error, durationMs, true, slow, OPEN)) this.reopen('probe-failure');
      return;
    }
    // Counted before the event, so that the event knows whether this failure trips the breaker:
    // a call its listener makes is then judged by the open breaker, not run closed just before.
    const trip = this.recordClosed(true, slow);
    const verdict = trip === undefined ? undefined : OPEN;
    if (this.emitFailure(error, durationMs, false, slow, verdict) && trip !== undefined)
      this.transition(OPEN, trip);
  }

  /**
   * A closed call's outcome into the rules' counts (the consecutive failures and the window).
   * Returns the transition it causes, made by the caller once the outcome has been reported.
   */
  private recordClosed(failed: boolean, slow: boolean): TransitionReason | undefined {
    if (failed) this.consecutiveFailures++;
    else this.consecutiveFailures = 0;
    const rateWindow = this.rateWindow;
    if (rateWindow !== undefined)
      rateWindow.record(this.windowIsTimed ? performance.now() : 0, failed, slow);
    if (failed && this.consecutiveFailures >= this.options.failureThreshold)
      return 'failure-threshold';
    return rateWindow === undefined ? undefined : this.rateTrip(rateWindow);
  }

  /**
   * Emits a failure, under `verdict` when it causes a transition; returns false when a listener
   * moved the breaker meanwhile (`isolate()`, `open()`, `close()`, or a call of its own that
   * settled at once). The listener's move wins: the outcome has been counted and reported, and
   * decides nothing more.
   */
  private emitFailure(
    error: unknown,
    durationMs: number,
    probe: boolean,
    slow: boolean,
    verdict: StateCode | undefined,
  ): boolean {
    if (!this.failureTopic.active) return true;
    const generation = this.generation;
    const event: FailureEvent = { breaker: this.name, error, durationMs, probe, slow };
    if (verdict === undefined) this.failureTopic.emit(event);
    else this.emitUnder(this.failureTopic, event, verdict);
    return generation === this.generation;
  }

  private checkRates(rateWindow: RateWindow): void {
    const reason = this.rateTrip(rateWindow);
    if (reason !== undefined) this.transition(OPEN, reason);
  }

  /** The rate of the window that opens the breaker now, if any. */
  private rateTrip(rateWindow: RateWindow): TransitionReason | undefined {
    const windowOptions = this.options.window!;
    if (rateWindow.total < windowOptions.minimumCalls) return undefined;
    if (rateWindow.failures / rateWindow.total >= windowOptions.failureRateThreshold)
      return 'failure-rate';
    if (
      this.options.slowCallDurationMs !== undefined &&
      rateWindow.slow / rateWindow.total >= this.options.slowCallRateThreshold
    )
      return 'slow-call-rate';
    return undefined;
  }

  onSuccess(listener: (event: SuccessEvent) => void): () => void {
    return this.successTopic.on(expectFunction('listener', listener));
  }

  onFailure(listener: (event: FailureEvent) => void): () => void {
    return this.failureTopic.on(expectFunction('listener', listener));
  }
}
