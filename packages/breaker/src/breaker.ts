import {
  expected,
  expectFunction,
  expectKnownKeys,
  fail,
  type InspectArgs,
  inspectStats,
  isPlainObject,
  optionalSignal,
  Topic,
} from '@x/internal';
import { Call, NEVER_ABORTED } from './call';
import type { RejectReason } from './errors';
import { createOpenError } from './errors';
import type { BreakerOptions, ResolvedOptions } from './options';
import { resolveOptions } from './options';
import { BreakerOutcomes } from './outcomes';
import type { BreakerSnapshot } from './snapshot';
import { CLOSED, HALF_OPEN, OPEN } from './state-machine';
import type { Breaker, BreakerStats, ExecuteOptions, RejectEvent, WindowStats } from './types';

const EXECUTE_OPTION_KEYS = ['signal'] as const;

/** Times one call re-reads a state that state-change listeners keep moving, before it gives up. */
const MAX_TURNS = 10;

/** The `signal` of `execute()`'s options, after checking the options object. */
function executeSignal(options: ExecuteOptions): AbortSignal | undefined {
  // Only reached when options are given: `execute(fn)` pays for none of these checks. An array
  // or a class instance would be read as options without a signal.
  if (!isPlainObject(options)) fail('options', 'an object like { signal }', options);
  // A for-in over a one-key literal allocates nothing; the full check runs only on a stray key.
  for (const key in options)
    if (key !== 'signal') expectKnownKeys(undefined, options, EXECUTE_OPTION_KEYS);
  return optionalSignal('signal', options.signal);
}

/**
 * The breaker: `execute()` (the closed path and the slow path), rejections, `stats()` and
 * snapshots. States and transitions live in `state-machine.ts`, outcome counting in
 * `outcomes.ts`, a slow-path call (probe timer, abort listener) in `call.ts`.
 */
class CircuitBreaker extends BreakerOutcomes implements Breaker {
  /** @internal read by Call. */
  readonly probeTimeoutMs: number | undefined;
  private rejections = 0;
  private readonly rejectTopic = new Topic<RejectEvent>('breaker', 'reject');
  private readonly rejectMessages: Record<RejectReason, string>;
  /** The refusal of an open breaker whose open time is over (see executeSlow's MAX_TURNS). */
  private readonly reopenedText: string;
  // The channels of the per-call events, read on every closed call: a subscriber moves closed
  // calls to the slow path (they must be timed).
  private readonly successChannel = this.successTopic.channel;
  private readonly failureChannel = this.failureTopic.channel;

  constructor(options: ResolvedOptions) {
    super(options);
    this.probeTimeoutMs = options.probeTimeoutMs;
    const name = JSON.stringify(options.name);
    // Each ends with what the caller can do; an open breaker's adds the time left (see reject()).
    this.rejectMessages = {
      open: `Breaker ${name} is open: retry after `,
      isolated: `Breaker ${name} is isolated: call the release function isolate() returned to resume`,
      'half-open-full': `Breaker ${name} is half-open and all ${options.halfOpenMaxProbes} probe slots are busy: retry when a probe settles, or raise \`halfOpenMaxProbes\``,
    };
    this.reopenedText = `Breaker ${name} is open: its open time is over, but a state-change listener reopened it ${MAX_TURNS} times in a row; retry now, or stop the listener reopening it`;
    if (options.restore !== undefined) this.restore(options.restore);
  }

  execute<T>(
    fn: (signal: AbortSignal) => T | PromiseLike<T>,
    options?: ExecuteOptions,
  ): Promise<T> {
    if (typeof fn !== 'function') expectFunction('fn', fn);
    const signal = options === undefined ? undefined : executeSignal(options);
    if (
      this.stateCode === CLOSED &&
      signal === undefined &&
      this.closedPathIsFree &&
      !this.successChannel.hasSubscribers &&
      !this.failureChannel.hasSubscribers
    ) {
      // The closed path: no closure, no timer, no clock read; the handlers are bound once per
      // closed period and know its generation, which is how late outcomes are told apart.
      this.calls++;
      // Read before `fn` runs: `fn` may move the breaker through a new closed period, which binds
      // new handlers, and its outcome belongs to the period it started in (late, as on the slow
      // path).
      const onValue = this.onClosedValue as (value: T) => T;
      const onError = this.onClosedError;
      try {
        const result = fn(NEVER_ABORTED);
        // `Promise.resolve()` would return a native promise as it is, after a call to its builtin
        // (counted under callgrind, the closed path added 85 instructions to `fn().then()`, 58
        // without that call); the same test, inlined, skips it. Anything else (a value, a
        // thenable, a Promise subclass) still goes through `Promise.resolve()`.
        const promise =
          result instanceof Promise && result.constructor === Promise
            ? (result as Promise<T>)
            : Promise.resolve(result);
        // Inside the `try`, with `fn`: a promise whose `constructor` getter throws, or a Proxy of
        // one (`then` refuses it), is a failure of `fn` as on the slow path, not a synchronous
        // throw out of `execute()`.
        return promise.then(onValue, onError);
      } catch (error) {
        return Promise.reject(this.closedThrow(error, onError));
      }
    }
    return this.executeSlow(fn, signal);
  }

  private executeSlow<T>(
    fn: (signal: AbortSignal) => T | PromiseLike<T>,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    let probe = false;
    let carry = false;
    // A state-change listener may move the breaker again on open -> half-open, or abort `signal`,
    // so both are read anew. With `openTimeoutMs: 0` a listener that reopens every time would loop
    // forever (it once recursed until the stack overflowed): after MAX_TURNS the call is refused
    // as open.
    for (let turn = 0; ; turn++) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (this.stateCode === CLOSED) {
        // Called by `classify`, or by a listener of an outcome that trips the breaker (see
        // `BreakerVerdicts`): judged once that outcome has been acted on.
        if (this.deciding) return this.afterOutcome(fn, signal);
        break;
      }
      if (this.stateCode === OPEN) {
        if (this.isolations > 0) return this.reject('isolated', Number.POSITIVE_INFINITY, 'open');
        const now = performance.now();
        if (now < this.openUntil || turn === MAX_TURNS)
          return this.reject('open', Math.max(0, Math.ceil(this.openUntil - now)), 'open');
        this.transition(HALF_OPEN, 'open-timeout');
        continue;
      }
      const full = this.probesInFlight >= this.options.halfOpenMaxProbes;
      if (this.deciding) {
        // Called by `classify` of a probe's outcome, or by a listener of it before the transition
        // it causes (see `BreakerVerdicts`): the call waits for the outcome to be acted on, unless
        // a free slot admits it beside a closing one. It never takes the slot of the call whose
        // outcome is being classified.
        if (this.verdict !== CLOSED || full) return this.afterOutcome(fn, signal);
        carry = true;
      }
      if (full) return this.reject('half-open-full', 0, 'half-open');
      this.probesInFlight++;
      this.probes++;
      probe = true;
      break;
    }
    this.calls++;
    return new Promise<T>((resolve, reject) => {
      const call = new Call<T>(this, this.generation, probe, signal, resolve, reject);
      if (carry) (this.carried ??= []).push(call);
      call.run(fn);
    });
  }

  /** A call judged once the outcome being classified or reported has been acted on. */
  private afterOutcome<T>(
    fn: (signal: AbortSignal) => T | PromiseLike<T>,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      (this.waiting ??= []).push(() => {
        this.executeSlow(fn, signal).then(resolve, reject);
      });
    });
  }

  private reject<T>(
    reason: RejectReason,
    retryAfterMs: number,
    state: 'open' | 'half-open',
  ): Promise<T> {
    this.rejections++;
    const head = this.rejectMessages[reason];
    // An open time already over (0 left) is refused only on the last turn of a listener that
    // reopens the breaker each time it goes half-open: "retry after 0 ms" would read as a wait.
    const message =
      reason !== 'open' ? head : retryAfterMs > 0 ? `${head}${retryAfterMs} ms` : this.reopenedText;

    const error = createOpenError(message, this.name, state, reason, retryAfterMs);
    if (this.rejectTopic.active)
      this.rejectTopic.emit({ breaker: this.name, state, reason, retryAfterMs, error });
    // Rejecting a promise that has no handler yet makes Node track it as a possibly unhandled
    // rejection (~500 ns); rejecting one microtask later, once the caller's await or catch is
    // attached, skips that and is still before any timer or I/O.
    return new Promise<T>((_, rejectLater) => queueMicrotask(() => rejectLater(error)));
  }

  onReject(listener: (event: RejectEvent) => void): () => void {
    return this.rejectTopic.on(expectFunction('listener', listener));
  }

  // --- snapshots ------------------------------------------------------------------------------

  stats(): BreakerStats {
    const state = this.state;
    const rateWindow = this.rateWindow;
    let window: WindowStats | null = null;
    if (rateWindow !== undefined) {
      rateWindow.advance(performance.now());
      const { total, failures, slow } = rateWindow;
      window = {
        type: this.options.window!.type,
        calls: total,
        failures,
        slow,
        failureRate: total === 0 ? 0 : failures / total,
        slowCallRate: total === 0 ? 0 : slow / total,
      };
    }
    return {
      name: this.name,
      state,
      isolations: this.isolations,
      calls: this.calls,
      successes: this.successes,
      failures: this.failures,
      ignored: this.ignored,
      slowCalls: this.slowCalls,
      rejections: this.rejections,
      late: this.late,
      probes: this.probes,
      probeTimeouts: this.probeTimeouts,
      probesInFlight: this.probesInFlight,
      opened: this.timesOpened,
      consecutiveFailures: this.consecutiveFailures,
      consecutiveSuccesses: this.consecutiveSuccesses,
      openTimeoutMs: this.openPeriodMs,
      retryAfterMs: this.retryAfter(),
      window,
    };
  }

  /**
   * `console.log(breaker)`: `Breaker { name: ..., state: 'closed', ... }`, the `stats()` snapshot.
   * Like reading `state`, it moves an open breaker whose open period is over to half-open.
   */
  [Symbol.for('nodejs.util.inspect.custom')](...args: InspectArgs): string {
    return inspectStats('Breaker', this, ...args);
  }

  toJSON(): BreakerSnapshot {
    const state = this.state;
    return {
      v: 1,
      name: this.name,
      savedAt: Date.now(),
      state,
      isolated: this.isolations > 0,
      openTimeoutMs: this.openPeriodMs,
      retryAfterMs: this.retryAfter() ?? this.openPeriodMs,
      consecutiveFailures: this.consecutiveFailures,
      consecutiveSuccesses: this.consecutiveSuccesses,
      window: this.rateWindow === undefined ? null : this.rateWindow.snapshot(performance.now()),
    };
  }

  private restore(snapshot: BreakerSnapshot): void {
    const options = this.options;
    const elapsed = Math.max(0, Date.now() - snapshot.savedAt);
    const now = performance.now();
    this.openPeriodMs = Math.min(
      options.maxOpenTimeoutMs,
      Math.max(options.openTimeoutMs, snapshot.openTimeoutMs),
    );
    if (snapshot.state === 'open') {
      this.stateCode = OPEN;
      const left = snapshot.isolated ? this.openPeriodMs : snapshot.retryAfterMs - elapsed;
      this.openUntil = now + Math.max(0, Math.min(left, this.openPeriodMs));
    } else if (snapshot.state === 'half-open') {
      this.stateCode = HALF_OPEN;
      this.consecutiveSuccesses = Math.min(
        snapshot.consecutiveSuccesses,
        options.successThreshold - 1,
      );
    } else {
      this.consecutiveFailures = Math.min(
        snapshot.consecutiveFailures,
        Math.max(0, options.failureThreshold - 1),
      );
      if (this.rateWindow !== undefined && snapshot.window !== null)
        this.rateWindow.restore(snapshot.window, elapsed, now);
    }
    this.generation++;
    this.bindClosedHandlers();
  }
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
 * const answer = await breaker.execute(async (signal) => {
 *   const res = await fetch(url, { signal });
 *   if (!res.ok) throw new Error(`HTTP ${res.status}`); // a 500 must count as a failure
 *   return res.json();
 * });
 * ```
 */
export function createBreaker(options?: BreakerOptions): Breaker {
  // opossum's shape, `createBreaker(fn, options)`: the function goes to each call instead.
  if (typeof options === 'function') {
    throw new TypeError(
      `${expected('options', 'an object', options)}: createBreaker() takes options only; pass the function to breaker.execute(fn)`,
    );
  }
  return new CircuitBreaker(resolveOptions(options));
}
