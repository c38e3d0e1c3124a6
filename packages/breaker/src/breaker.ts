import type { BreakerOpenError, BreakerState, RejectReason } from './errors';
import { BreakerProbeTimeoutError, createOpenError } from './errors';
import {
  failureChannel,
  rejectChannel,
  stateChangeChannel,
  successChannel,
} from './internal/channels';
import { expected } from './internal/describe';
import { Listeners } from './internal/listeners';
import type { RateWindow } from './internal/window';
import { createWindow } from './internal/window';
import type { BreakerOptions, BreakerOutcome, ResolvedOptions } from './options';
import { resolveOptions } from './options';
import type { BreakerSnapshot } from './snapshot';

/** Why the breaker changed state. */
export type TransitionReason =
  /** `failureThreshold` consecutive failures while closed. */
  | 'failure-threshold'
  /** The failure rate in the window reached `failureRateThreshold`. */
  | 'failure-rate'
  /** The slow-call rate in the window reached `slowCallRateThreshold`. */
  | 'slow-call-rate'
  /** `openTimeoutMs` elapsed; the first call (or state read) after it found the breaker half-open. */
  | 'open-timeout'
  /** `successThreshold` consecutive probes succeeded. */
  | 'probe-success'
  /** A probe failed. */
  | 'probe-failure'
  /** A probe succeeded but took at least `slowCallDurationMs`. */
  | 'probe-slow'
  /** A probe did not settle within `probeTimeoutMs`. */
  | 'probe-timeout'
  /** `open()` was called. */
  | 'manual-open'
  /** `close()` was called. */
  | 'manual-close'
  /** `isolate()` was called. */
  | 'isolate'
  /** The last isolation was released. */
  | 'release';

/** Payload of `onStateChange` and `x:breaker:state-change`. */
export interface StateChangeEvent {
  /** The breaker's `name`. */
  readonly breaker: string;
  readonly from: BreakerState;
  readonly to: BreakerState;
  readonly reason: TransitionReason;
  /** `Date.now()` at the transition. */
  readonly time: number;
}

/** Payload of `onSuccess` and `x:breaker:success`. */
export interface SuccessEvent {
  readonly breaker: string;
  /** How long the call took, in milliseconds. */
  readonly durationMs: number;
  /** True for a half-open probe. */
  readonly probe: boolean;
  /** True when the call took at least `slowCallDurationMs`. */
  readonly slow: boolean;
  /** Set when the call threw and `classify` called the error a success. */
  readonly error?: unknown;
}

/** Payload of `onFailure` and `x:breaker:failure`. */
export interface FailureEvent {
  readonly breaker: string;
  /** The error (a `BreakerProbeTimeoutError` for a probe that timed out). */
  readonly error: unknown;
  readonly durationMs: number;
  readonly probe: boolean;
  readonly slow: boolean;
}

/** Payload of `onReject` and `x:breaker:reject`. */
export interface RejectEvent {
  readonly breaker: string;
  readonly state: 'open' | 'half-open';
  readonly reason: RejectReason;
  readonly retryAfterMs: number;
  /** The error the call was rejected with. */
  readonly error: BreakerOpenError;
}

/** Counts of the rate window, in `stats()`. */
export interface WindowStats {
  readonly type: 'count' | 'time';
  /** Calls in the window now. */
  readonly calls: number;
  readonly failures: number;
  readonly slow: number;
  /** failures / calls (0 for an empty window). */
  readonly failureRate: number;
  /** slow / calls (0 for an empty window). */
  readonly slowCallRate: number;
}

/** What `stats()` returns: a JSON-serialisable snapshot; counters only ever grow. */
export interface BreakerStats {
  readonly name: string;
  readonly state: BreakerState;
  /** Isolations not yet released. */
  readonly isolations: number;
  /** Calls that ran `fn` (probes included). */
  readonly calls: number;
  readonly successes: number;
  readonly failures: number;
  /** Outcomes classified `'ignore'` (including callers' own aborts by default). */
  readonly ignored: number;
  /** Calls that took at least `slowCallDurationMs`. */
  readonly slowCalls: number;
  /** Calls refused with `BreakerOpenError`. */
  readonly rejections: number;
  /** Outcomes that arrived after the state they started in had ended; they count for nothing. */
  readonly late: number;
  /** Half-open probes started. */
  readonly probes: number;
  readonly probeTimeouts: number;
  /** Probes running now. */
  readonly probesInFlight: number;
  /** Times the breaker opened. */
  readonly opened: number;
  readonly consecutiveFailures: number;
  readonly consecutiveSuccesses: number;
  /** The current open period (grows with failed probes when `maxOpenTimeoutMs` allows). */
  readonly openTimeoutMs: number;
  /** Rest of the open period; 0 unless open; `null` while isolated. */
  readonly retryAfterMs: number | null;
  readonly window: WindowStats | null;
}

/** Options of `execute()`. */
export interface ExecuteOptions {
  /**
   * Aborting it rejects the call at once with `signal.reason`, frees its probe slot, and (by the
   * default `classify`) counts for nothing. `fn` receives it (or, for a probe with
   * `probeTimeoutMs`, a signal that follows it).
   */
  readonly signal?: AbortSignal | undefined;
}

/**
 * A circuit breaker. Create one with {@link createBreaker}.
 *
 * @example
 * ```ts
 * const breaker = createBreaker({ failureThreshold: 3, openTimeoutMs: 10_000 });
 * const off = breaker.onStateChange(({ from, to, reason }) => log(from, to, reason));
 * const body = await breaker.execute((signal) => fetch(url, { signal }).then((r) => r.json()));
 * ```
 */
export interface Breaker {
  /** The breaker's `name` option. */
  readonly name: string;
  /**
   * `'closed'`, `'open'` or `'half-open'`. Reading it after the open period has elapsed performs
   * the open → half-open transition (there is no timer for it).
   */
  readonly state: BreakerState;
  /**
   * Runs `fn` through the breaker. `fn` receives an `AbortSignal` (the caller's, a probe's, or,
   * without either, a shared signal that never aborts and drops the listeners added to it, since
   * they could never run: passing it to `fetch` leaks nothing).
   *
   * @throws TypeError when `fn` is not a function or `signal` is not an AbortSignal.
   * @returns what `fn` returns; rejects with `fn`'s error, `BreakerOpenError` when refused,
   * `BreakerProbeTimeoutError` when a probe timed out, or `signal.reason` when aborted.
   */
  execute<T>(fn: (signal: AbortSignal) => T | PromiseLike<T>, options?: ExecuteOptions): Promise<T>;
  /**
   * Opens the breaker now, for the current open period; it recovers through half-open as if it
   * had tripped. Calling it while open restarts the open period (no event). No effect while
   * isolated.
   */
  open(): void;
  /** Closes the breaker now and clears its counters. No effect while isolated or closed. */
  close(): void;
  /**
   * Holds the breaker open until the returned function is called. Isolations are counted: the
   * breaker closes when the last one is released. Releasing twice is a no-op.
   */
  isolate(): () => void;
  /** Listens to state changes. Returns an unsubscribe function. */
  onStateChange(listener: (event: StateChangeEvent) => void): () => void;
  /** Listens to calls that counted as successes. Returns an unsubscribe function. */
  onSuccess(listener: (event: SuccessEvent) => void): () => void;
  /** Listens to calls that counted as failures. Returns an unsubscribe function. */
  onFailure(listener: (event: FailureEvent) => void): () => void;
  /** Listens to calls refused without running. Returns an unsubscribe function. */
  onReject(listener: (event: RejectEvent) => void): () => void;
  /** A JSON-serialisable snapshot of counters and state. Never resets anything. */
  stats(): BreakerStats;
  /** State to persist and pass back as `createBreaker({ restore })`. */
  toJSON(): BreakerSnapshot;
}

const CLOSED = 0;
const OPEN = 1;
const HALF_OPEN = 2;
type StateCode = typeof CLOSED | typeof OPEN | typeof HALF_OPEN;
const STATE_NAMES: readonly BreakerState[] = ['closed', 'open', 'half-open'];

// Given to `fn` when there is no signal to give: allocating a controller per call would cost more
// than the rest of the closed path. It is shared by every call, so a listener that `fn` (or fetch,
// or any library) adds to it would pile up and trip Node's MaxListenersExceededWarning; since it
// can never abort, such a listener could never run, and the signal simply drops it.
const NEVER_ABORTED: AbortSignal = createNeverAbortedSignal();

function createNeverAbortedSignal(): AbortSignal {
  const signal = new AbortController().signal;
  Object.defineProperties(signal, {
    addEventListener: { value: noop },
    removeEventListener: { value: noop },
  });
  return signal;
}
const NOT_ABORTED = Object.freeze({ callerAborted: false });
const CALLER_ABORTED = Object.freeze({ callerAborted: true });

type Handlers = [(value: unknown) => unknown, (error: unknown) => never];

class CircuitBreaker implements Breaker {
  readonly name: string;
  /** @internal read by Call. */
  readonly probeTimeoutMs: number | undefined;
  private readonly o: ResolvedOptions;
  private readonly w: RateWindow | undefined;
  private readonly timeWindow: boolean;
  private s: StateCode = CLOSED;
  /** Incremented on every transition; an outcome from an older generation is late. */
  private gen = 0;
  private openUntil = 0;
  private openTimeout: number;
  private isolations = 0;
  private consecutiveFailures = 0;
  private consecutiveSuccesses = 0;
  private probesInFlight = 0;
  /** True when a closed call needs no timing and no events: the allocation-free path. */
  private fast: boolean;
  private closedOk!: Handlers[0];
  private closedErr!: Handlers[1];
  private readonly messages: Record<RejectReason, string>;

  private nCalls = 0;
  private nSuccesses = 0;
  private nFailures = 0;
  private nIgnored = 0;
  private nSlow = 0;
  private nRejections = 0;
  private nLate = 0;
  private nProbes = 0;
  private nProbeTimeouts = 0;
  private nOpened = 0;

  private readonly stateListeners = new Listeners<StateChangeEvent>();
  private readonly successListeners = new Listeners<SuccessEvent>();
  private readonly failureListeners = new Listeners<FailureEvent>();
  private readonly rejectListeners = new Listeners<RejectEvent>();
  private readonly refreshFast = (): void => {
    this.fast =
      this.o.slowCallDurationMs === undefined &&
      this.successListeners.list.length === 0 &&
      this.failureListeners.list.length === 0;
  };

  constructor(options: ResolvedOptions) {
    this.o = options;
    this.name = options.name;
    this.probeTimeoutMs = options.probeTimeoutMs;
    this.w = options.window === undefined ? undefined : createWindow(options.window);
    this.timeWindow = options.window?.type === 'time';
    this.openTimeout = options.openTimeoutMs;
    this.fast = options.slowCallDurationMs === undefined;
    const name = JSON.stringify(options.name);
    this.messages = {
      open: `Breaker ${name} is open`,
      isolated: `Breaker ${name} is isolated`,
      'half-open-full': `Breaker ${name} is half-open and all ${options.halfOpenMaxProbes} probe slots are busy`,
    };
    this.bindClosedHandlers();
    if (options.restore !== undefined) this.restore(options.restore);
  }

  get state(): BreakerState {
    if (this.s === OPEN && this.isolations === 0 && performance.now() >= this.openUntil)
      this.transition(HALF_OPEN, 'open-timeout');
    return STATE_NAMES[this.s]!;
  }

  execute<T>(
    fn: (signal: AbortSignal) => T | PromiseLike<T>,
    options?: ExecuteOptions,
  ): Promise<T> {
    if (typeof fn !== 'function') throw new TypeError(expected('fn', 'a function', fn));
    const signal = options === undefined ? undefined : options.signal;
    if (
      this.s === CLOSED &&
      signal === undefined &&
      this.fast &&
      !successChannel.hasSubscribers &&
      !failureChannel.hasSubscribers
    ) {
      // The closed path: no closure, no timer, no clock read; the handlers are bound once per
      // closed period and know its generation, which is how late outcomes are told apart.
      this.nCalls++;
      let result: T | PromiseLike<T>;
      try {
        result = fn(NEVER_ABORTED);
      } catch (error) {
        this.closedError(error, 0);
        return Promise.reject(error);
      }
      return Promise.resolve(result).then(this.closedOk as (value: T) => T, this.closedErr);
    }
    return this.executeSlow(fn, signal);
  }

  private executeSlow<T>(
    fn: (signal: AbortSignal) => T | PromiseLike<T>,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    if (signal !== undefined) {
      if (
        typeof signal !== 'object' ||
        signal === null ||
        typeof signal.addEventListener !== 'function'
      )
        throw new TypeError(expected('signal', 'an AbortSignal', signal));
      if (signal.aborted) return Promise.reject(signal.reason);
    }
    let probe = false;
    if (this.s !== CLOSED) {
      if (this.s === OPEN) {
        if (this.isolations > 0) return this.reject('isolated', Number.POSITIVE_INFINITY, 'open');
        const now = performance.now();
        if (now < this.openUntil)
          return this.reject('open', Math.ceil(this.openUntil - now), 'open');
        this.transition(HALF_OPEN, 'open-timeout');
        // A state-change listener may have moved the breaker again.
        if ((this.s as StateCode) !== HALF_OPEN) return this.executeSlow(fn, signal);
      }
      if (this.probesInFlight >= this.o.halfOpenMaxProbes)
        return this.reject('half-open-full', 0, 'half-open');
      this.probesInFlight++;
      this.nProbes++;
      probe = true;
    }
    this.nCalls++;
    return new Promise<T>((resolve, reject) => {
      new Call<T>(this, this.gen, probe, signal, resolve, reject).run(fn);
    });
  }

  private reject<T>(
    reason: RejectReason,
    retryAfterMs: number,
    state: 'open' | 'half-open',
  ): Promise<T> {
    this.nRejections++;
    const error = createOpenError(this.messages[reason], this.name, state, reason, retryAfterMs);
    if (this.rejectListeners.list.length > 0 || rejectChannel.hasSubscribers) {
      const event: RejectEvent = { breaker: this.name, state, reason, retryAfterMs, error };
      this.rejectListeners.emit(event);
      if (rejectChannel.hasSubscribers) rejectChannel.publish(event);
    }
    // Rejecting a promise that has no handler yet makes Node track it as a possibly unhandled
    // rejection (~500 ns); rejecting one microtask later, once the caller's await or catch is
    // attached, skips that and is still before any timer or I/O.
    return new Promise<T>((_, rejectLater) => queueMicrotask(() => rejectLater(error)));
  }

  private bindClosedHandlers(): void {
    const gen = this.gen;
    this.closedOk = (value) => {
      if (gen === this.gen) this.closedSuccess();
      else this.nLate++;
      return value;
    };
    this.closedErr = (error) => {
      if (gen === this.gen) this.closedError(error, 0);
      else this.nLate++;
      throw error;
    };
  }

  // --- outcomes -------------------------------------------------------------------------------

  /** A closed-state success on the fast path (no timing, no events). */
  private closedSuccess(): void {
    this.nSuccesses++;
    this.consecutiveFailures = 0;
    const w = this.w;
    if (w !== undefined) {
      w.record(this.timeWindow ? performance.now() : 0, false, false);
      this.checkRates(w);
    }
  }

  /** A closed-state error on the fast path. */
  private closedError(error: unknown, durationMs: number): void {
    const outcome = this.classify(error, false);
    if (outcome === 'failure') this.failure(false, error, durationMs, false);
    else if (outcome === 'success') this.success(false, durationMs, false, error, true);
    else this.nIgnored++;
  }

  /** @internal Called by a Call when it settles. */
  settle(
    call: Call<unknown>,
    error: unknown,
    failed: boolean,
    callerAborted: boolean,
    durationMs: number,
  ): void {
    if (call.gen !== this.gen) {
      this.nLate++;
      return;
    }
    const slowMs = this.o.slowCallDurationMs;
    const slow = slowMs !== undefined && durationMs >= slowMs;
    if (call.probe) this.probesInFlight--;
    if (!failed) {
      this.success(call.probe, durationMs, slow, undefined, false);
      return;
    }
    const outcome = this.classify(error, callerAborted);
    if (outcome === 'failure') this.failure(call.probe, error, durationMs, slow);
    else if (outcome === 'success') this.success(call.probe, durationMs, slow, error, true);
    else this.nIgnored++;
  }

  /** @internal Called by a Call whose probe timed out. */
  probeTimedOut(call: Call<unknown>, error: BreakerProbeTimeoutError, durationMs: number): void {
    if (call.gen !== this.gen) {
      this.nLate++;
      return;
    }
    this.probesInFlight--;
    this.nProbeTimeouts++;
    this.nFailures++;
    this.emitFailure(error, durationMs, true, false);
    this.reopen('probe-timeout');
  }

  private classify(error: unknown, callerAborted: boolean): BreakerOutcome {
    let outcome: unknown;
    try {
      outcome = this.o.classify(error, callerAborted ? CALLER_ABORTED : NOT_ABORTED);
    } catch {
      return 'failure';
    }
    return outcome === 'success' || outcome === 'ignore' ? outcome : 'failure';
  }

  private success(
    probe: boolean,
    durationMs: number,
    slow: boolean,
    error: unknown,
    hasError: boolean,
  ): void {
    this.nSuccesses++;
    if (slow) this.nSlow++;
    if (this.successListeners.list.length > 0 || successChannel.hasSubscribers) {
      const event: SuccessEvent = hasError
        ? { breaker: this.name, durationMs, probe, slow, error }
        : { breaker: this.name, durationMs, probe, slow };
      this.successListeners.emit(event);
      if (successChannel.hasSubscribers) successChannel.publish(event);
    }
    if (probe) {
      if (slow) this.reopen('probe-slow');
      else if (++this.consecutiveSuccesses >= this.o.successThreshold)
        this.transition(CLOSED, 'probe-success');
      return;
    }
    this.consecutiveFailures = 0;
    const w = this.w;
    if (w !== undefined) {
      w.record(this.timeWindow ? performance.now() : 0, false, slow);
      this.checkRates(w);
    }
  }

  private failure(probe: boolean, error: unknown, durationMs: number, slow: boolean): void {
    this.nFailures++;
    if (slow) this.nSlow++;
    this.emitFailure(error, durationMs, probe, slow);
    if (probe) {
      this.reopen('probe-failure');
      return;
    }
    this.consecutiveFailures++;
    const w = this.w;
    if (w !== undefined) w.record(this.timeWindow ? performance.now() : 0, true, slow);
    if (this.consecutiveFailures >= this.o.failureThreshold)
      this.transition(OPEN, 'failure-threshold');
    else if (w !== undefined) this.checkRates(w);
  }

  private emitFailure(error: unknown, durationMs: number, probe: boolean, slow: boolean): void {
    if (this.failureListeners.list.length > 0 || failureChannel.hasSubscribers) {
      const event: FailureEvent = { breaker: this.name, error, durationMs, probe, slow };
      this.failureListeners.emit(event);
      if (failureChannel.hasSubscribers) failureChannel.publish(event);
    }
  }

  private checkRates(w: RateWindow): void {
    const windowOptions = this.o.window!;
    if (w.total < windowOptions.minimumCalls) return;
    if (w.failures / w.total >= windowOptions.failureRateThreshold)
      this.transition(OPEN, 'failure-rate');
    else if (
      this.o.slowCallDurationMs !== undefined &&
      w.slow / w.total >= this.o.slowCallRateThreshold
    )
      this.transition(OPEN, 'slow-call-rate');
  }

  /** A failed probe: open again, for a longer period when growth is configured. */
  private reopen(reason: TransitionReason): void {
    this.openTimeout = Math.min(
      this.o.maxOpenTimeoutMs,
      this.openTimeout * this.o.openTimeoutGrowth,
    );
    this.transition(OPEN, reason);
  }

  // --- transitions ----------------------------------------------------------------------------

  private transition(to: StateCode, reason: TransitionReason): void {
    const from = this.s;
    if (from === to) return;
    this.s = to;
    this.gen++;
    this.probesInFlight = 0;
    this.consecutiveSuccesses = 0;
    if (to === OPEN) {
      this.nOpened++;
      this.consecutiveFailures = 0;
      this.openUntil = performance.now() + this.openTimeout;
    } else if (to === CLOSED) {
      this.consecutiveFailures = 0;
      this.openTimeout = this.o.openTimeoutMs;
      this.w?.reset();
      this.bindClosedHandlers();
    }
    const listeners = this.stateListeners.list.length > 0;
    const subscribed = stateChangeChannel.hasSubscribers;
    const logger = this.o.logger;
    if (!listeners && !subscribed && logger === undefined) return;
    const event: StateChangeEvent = {
      breaker: this.name,
      from: STATE_NAMES[from]!,
      to: STATE_NAMES[to]!,
      reason,
      time: Date.now(),
    };
    if (logger !== undefined) {
      const log = (to === OPEN ? logger.warn : logger.info) ?? logger.log;
      log?.call(
        logger,
        event,
        `breaker ${JSON.stringify(this.name)} ${event.from} -> ${event.to} (${reason})`,
      );
    }
    if (listeners) this.stateListeners.emit(event);
    if (subscribed) stateChangeChannel.publish(event);
  }

  // --- manual control -------------------------------------------------------------------------

  open(): void {
    if (this.isolations > 0) return;
    if (this.s === OPEN) this.openUntil = performance.now() + this.openTimeout;
    else this.transition(OPEN, 'manual-open');
  }

  close(): void {
    if (this.isolations > 0) return;
    this.transition(CLOSED, 'manual-close');
  }

  isolate(): () => void {
    this.isolations++;
    this.transition(OPEN, 'isolate');
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.isolations === 0) this.transition(CLOSED, 'release');
    };
  }

  // --- listeners ------------------------------------------------------------------------------

  onStateChange(listener: (event: StateChangeEvent) => void): () => void {
    return this.stateListeners.add(listener, noop);
  }

  onSuccess(listener: (event: SuccessEvent) => void): () => void {
    return this.successListeners.add(listener, this.refreshFast);
  }

  onFailure(listener: (event: FailureEvent) => void): () => void {
    return this.failureListeners.add(listener, this.refreshFast);
  }

  onReject(listener: (event: RejectEvent) => void): () => void {
    return this.rejectListeners.add(listener, noop);
  }

  // --- snapshots ------------------------------------------------------------------------------

  stats(): BreakerStats {
    const state = this.state;
    const w = this.w;
    let window: WindowStats | null = null;
    if (w !== undefined) {
      w.advance(performance.now());
      window = {
        type: this.o.window!.type,
        calls: w.total,
        failures: w.failures,
        slow: w.slow,
        failureRate: w.total === 0 ? 0 : w.failures / w.total,
        slowCallRate: w.total === 0 ? 0 : w.slow / w.total,
      };
    }
    return {
      name: this.name,
      state,
      isolations: this.isolations,
      calls: this.nCalls,
      successes: this.nSuccesses,
      failures: this.nFailures,
      ignored: this.nIgnored,
      slowCalls: this.nSlow,
      rejections: this.nRejections,
      late: this.nLate,
      probes: this.nProbes,
      probeTimeouts: this.nProbeTimeouts,
      probesInFlight: this.probesInFlight,
      opened: this.nOpened,
      consecutiveFailures: this.consecutiveFailures,
      consecutiveSuccesses: this.consecutiveSuccesses,
      openTimeoutMs: this.openTimeout,
      retryAfterMs: this.retryAfter(),
      window,
    };
  }

  private retryAfter(): number | null {
    if (this.s !== OPEN) return 0;
    if (this.isolations > 0) return null;
    return Math.max(0, Math.ceil(this.openUntil - performance.now()));
  }

  toJSON(): BreakerSnapshot {
    const state = this.state;
    return {
      v: 1,
      name: this.name,
      savedAt: Date.now(),
      state,
      isolated: this.isolations > 0,
      openTimeoutMs: this.openTimeout,
      retryAfterMs: this.retryAfter() ?? this.openTimeout,
      consecutiveFailures: this.consecutiveFailures,
      consecutiveSuccesses: this.consecutiveSuccesses,
      window: this.w === undefined ? null : this.w.snapshot(performance.now()),
    };
  }

  private restore(snapshot: BreakerSnapshot): void {
    const o = this.o;
    const elapsed = Math.max(0, Date.now() - snapshot.savedAt);
    const now = performance.now();
    this.openTimeout = Math.min(
      o.maxOpenTimeoutMs,
      Math.max(o.openTimeoutMs, snapshot.openTimeoutMs),
    );
    if (snapshot.state === 'open') {
      this.s = OPEN;
      const left = snapshot.isolated ? this.openTimeout : snapshot.retryAfterMs - elapsed;
      this.openUntil = now + Math.max(0, Math.min(left, this.openTimeout));
    } else if (snapshot.state === 'half-open') {
      this.s = HALF_OPEN;
      this.consecutiveSuccesses = Math.min(snapshot.consecutiveSuccesses, o.successThreshold - 1);
    } else {
      this.consecutiveFailures = Math.min(
        snapshot.consecutiveFailures,
        Math.max(0, o.failureThreshold - 1),
      );
      if (this.w !== undefined && snapshot.window !== null)
        this.w.restore(snapshot.window, elapsed, now);
    }
    this.gen++;
    this.bindClosedHandlers();
  }
}

function noop(): void {}

/**
 * One call through the slow path (a caller's signal, a probe, timing or events): it owns the
 * probe slot, the probe timer and the abort listener, and releases all three when it settles.
 */
class Call<T> {
  private settled = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private controller: AbortController | undefined;
  private readonly start = performance.now();

  constructor(
    private readonly breaker: CircuitBreaker,
    readonly gen: number,
    readonly probe: boolean,
    private readonly signal: AbortSignal | undefined,
    private readonly resolve: (value: T) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  run(fn: (signal: AbortSignal) => T | PromiseLike<T>): void {
    let fnSignal = this.signal ?? NEVER_ABORTED;
    const timeoutMs = this.probe ? this.breaker.probeTimeoutMs : undefined;
    if (timeoutMs !== undefined) {
      this.controller = new AbortController();
      fnSignal = this.controller.signal;
      const timer = setTimeout(this.onTimeout, timeoutMs);
      timer.unref?.();
      this.timer = timer;
    }
    this.signal?.addEventListener('abort', this.onAbort, { once: true });
    let result: T | PromiseLike<T>;
    try {
      result = fn(fnSignal);
    } catch (error) {
      this.onError(error);
      return;
    }
    Promise.resolve(result).then(this.onValue, this.onError);
  }

  private finish(): number {
    this.settled = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
    return performance.now() - this.start;
  }

  private readonly onValue = (value: T): void => {
    if (this.settled) return;
    this.breaker.settle(this as Call<unknown>, undefined, false, false, this.finish());
    this.resolve(value);
  };

  private readonly onError = (error: unknown): void => {
    if (this.settled) return;
    // An error that follows the caller's abort is the abort, whatever shape fn gave it.
    const callerAborted = this.signal?.aborted === true;
    this.breaker.settle(this as Call<unknown>, error, true, callerAborted, this.finish());
    this.reject(error);
  };

  private readonly onAbort = (): void => {
    if (this.settled) return;
    const reason = this.signal!.reason;
    this.breaker.settle(this as Call<unknown>, reason, true, true, this.finish());
    this.reject(reason);
    this.controller?.abort(reason);
  };

  private readonly onTimeout = (): void => {
    this.timer = undefined;
    if (this.settled) return;
    const error = new BreakerProbeTimeoutError(this.breaker.name, this.breaker.probeTimeoutMs!);
    this.breaker.probeTimedOut(this as Call<unknown>, error, this.finish());
    this.reject(error);
    this.controller!.abort(error);
  };
}

/**
 * Creates a circuit breaker around any async function.
 *
 * @throws TypeError or RangeError when an option is invalid, with what was expected and got.
 * @example
 * ```ts
 * import { breakerPresets, createBreaker } from '@x/breaker';
 *
 * const breaker = createBreaker({ ...breakerPresets.openai, name: 'openai' });
 * const answer = await breaker.execute((signal) => fetch(url, { signal }));
 * ```
 */
export function createBreaker(options?: BreakerOptions): Breaker {
  return new CircuitBreaker(resolveOptions(options));
}
