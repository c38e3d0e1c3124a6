import type { BreakerOpenError, BreakerState, RejectReason } from './errors';
import type { BreakerSnapshot } from './snapshot';

// The public types of a breaker: the Breaker interface, the options of `execute()`, the event
// payloads and the `stats()` snapshot.

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
  /**
   * Outcomes classified `'ignore'` (including callers' own aborts by default) and calls `fn` ended
   * with `ignoreOutcome()`.
   */
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
 * const body = await breaker.execute(async (signal) => {
 *   const res = await fetch(url, { signal });
 *   // fetch resolves on an HTTP error: throw, so that a 500 counts as a failure.
 *   if (!res.ok) throw new Error(`HTTP ${res.status}`);
 *   return res.json();
 * });
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
   * @returns what `fn` returns; rejects with `fn`'s error (the `reason` of an `ignoreOutcome()`),
   * `BreakerOpenError` when refused, `BreakerProbeTimeoutError` when a probe timed out, or
   * `signal.reason` when aborted.
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
  /**
   * Listens to state changes. Returns an unsubscribe function. A listener that throws never fails
   * a call or crashes the process: it is reported with `process.emitWarning` (`XListenerError`),
   * as for every `onX()` of the breaker.
   *
   * A listener may move the breaker (`open()`, `close()`, `isolate()`): the move happens at once,
   * and its event is delivered after the current one has reached every listener and the channel,
   * so all of them see transitions in the order they happened. The state read inside a listener is
   * the live state, which may already be past the event's `to`.
   */
  onStateChange(listener: (event: StateChangeEvent) => void): () => void;
  /**
   * Listens to calls that counted as successes. Returns an unsubscribe function. The event comes
   * before the transition it causes; an `execute()` made by the listener of a probe's success is
   * judged by the state that success leads to (closed, or open for a slow one), never run as a
   * new probe of a half-open state about to end. A closed success that completes a failure rate
   * of the window opens the breaker: a call its listener makes waits for that and is refused.
   */
  onSuccess(listener: (event: SuccessEvent) => void): () => void;
  /**
   * Listens to calls that counted as failures. Returns an unsubscribe function. The event comes
   * before the transition it causes; an `execute()` made by the listener of a failed or timed-out
   * probe, or of the closed failure that trips the breaker, waits for the opening and is refused
   * with `BreakerOpenError`, without running `fn`.
   */
  onFailure(listener: (event: FailureEvent) => void): () => void;
  /** Listens to calls refused without running. Returns an unsubscribe function. */
  onReject(listener: (event: RejectEvent) => void): () => void;
  /** A JSON-serialisable snapshot of counters and state. Never resets anything. */
  stats(): BreakerStats;
  /** State to persist and pass back as `createBreaker({ restore })`. */
  toJSON(): BreakerSnapshot;
}
