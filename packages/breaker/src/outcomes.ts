import { expectFunction, Topic } from '@x/internal';
import type { BreakerProbeTimeoutError } from './errors';
import type { RateWindow } from './internal/window';
import { createWindow } from './internal/window';
import type { BreakerOutcome, ResolvedOptions } from './options';
import { BreakerStateMachine, CLOSED, HALF_OPEN, OPEN, type StateCode } from './state-machine';
import type { FailureEvent, SuccessEvent, TransitionReason } from './types';

const NOT_ABORTED = Object.freeze({ callerAborted: false });
const CALLER_ABORTED = Object.freeze({ callerAborted: true });

/** What a settled call tells the breaker: its generation and whether it was a probe. */
export interface SettledCall {
  readonly generation: number;
  readonly probe: boolean;
}

/** A probe started while a closing probe's success was reported: see `carried`. */
export interface CarriedCall {
  /** Makes the call one of the closed period `generation`: no probe, no probe timeout. */
  adopt(generation: number): void;
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

  /**
   * A probe's outcome event comes before the transition it causes, so that a listener can still
   * move the breaker itself. Meanwhile `verdict` holds the state that transition leads to (OPEN or
   * CLOSED), valid while `generation` is `verdictGeneration` (a listener's own move ends it), and
   * `execute()` judges a listener's call by it: the half-open state is about to end, so the call
   * must not become a probe of it (a wasted one after a failure, one beyond `halfOpenMaxProbes`
   * when the timed-out probe still runs).
   */
  protected verdict: StateCode = HALF_OPEN;
  protected verdictGeneration = -1;
  /** Calls made under a verdict that wait for its transition, run once the outcome is handled. */
  protected waiting: (() => void)[] | undefined;
  /**
   * Probes a free slot admitted under a closing verdict (they run at once: one that fails at once
   * still reopens the breaker, as any listener's move wins). The `probe-success` transition makes
   * the ones still running calls of the closed period, instead of late probes of a state that
   * ended, killed by a probe timeout in a closed breaker.
   */
  protected carried: CarriedCall[] | undefined;

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

  protected enteredClosed(reason: TransitionReason): void {
    this.rateWindow?.reset();
    this.bindClosedHandlers();
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
    if (!call.probe) {
      this.countOutcome(false, error, failed, callerAborted, durationMs, slow);
      return;
    }
    this.probesInFlight--;
    const { waiting, carried } = this;
    this.waiting = this.carried = undefined;
    this.countOutcome(true, error, failed, callerAborted, durationMs, slow);
    this.resume(waiting, carried);
  }

  private countOutcome(
    probe: boolean,
    error: unknown,
    failed: boolean,
    callerAborted: boolean,
    durationMs: number,
    slow: boolean,
  ): void {
    if (!failed) {
      this.success(probe, durationMs, slow, undefined, false);
      return;
    }
    const outcome = this.classify(error, callerAborted);
    if (outcome === 'late') this.late++;
    else if (outcome === 'failure') this.failure(probe, error, durationMs, slow);
    else if (outcome === 'success') this.success(probe, durationMs, slow, error, true);
    else this.ignored++;
  }

  /**
   * A probe's outcome has been acted on: puts back the lists of the outcome being handled around
   * it (a listener's probe that failed at once) and runs the calls that waited for the transition.
   */
  private resume(waiting: (() => void)[] | undefined, carried: CarriedCall[] | undefined): void {
    const ready = this.waiting;
    this.waiting = waiting;
    this.carried = carried;
    if (ready !== undefined) for (const run of ready) run();
  }

  /** Emits a probe's outcome event under `verdict` (see there). */
  private reportProbe<E>(topic: Topic<E>, event: E, verdict: StateCode): void {
    const { verdict: outer, verdictGeneration: outerGeneration } = this;
    this.verdict = verdict;
    this.verdictGeneration = this.generation;
    // emit() never throws; `finally` only makes sure a verdict can never outlive its event.
    try {
      topic.emit(event);
    } finally {
      this.verdict = outer;
      this.verdictGeneration = outerGeneration;
    }
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
    if (this.emitFailure(error, durationMs, true, false)) this.reopen('probe-timeout');
    this.resume(waiting, carried);
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
      const event: SuccessEvent = hasError
        ? { breaker: this.name, durationMs, probe, slow, error }
        : { breaker: this.name, durationMs, probe, slow };
      // A probe's success reopens (slow) or closes (the last one needed) the breaker, or neither.
      const verdict = !probe
        ? HALF_OPEN
        : slow
          ? OPEN
          : this.consecutiveSuccesses + 1 >= this.options.successThreshold
            ? CLOSED
            : HALF_OPEN;
      if (verdict === HALF_OPEN) this.successTopic.emit(event);
      else this.reportProbe(this.successTopic, event, verdict);
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
    const event: FailureEvent = { breaker: this.name, error, durationMs, probe, slow };
    // A failed (or timed-out) probe reopens the breaker.
    if (probe) this.reportProbe(this.failureTopic, event, OPEN);
    else this.failureTopic.emit(event);
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
