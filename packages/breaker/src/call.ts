import { isSet } from 'node:util/types';
import { onAbort } from '@x/internal';
import { BreakerProbeTimeoutError } from './errors';
import { rejectionOf } from './ignore';
import type { BreakerOutcomes, TimedProbe } from './outcomes';
import type { CarriedCall } from './verdicts';

// Given to `fn` when there is no signal to give: allocating a controller per call would cost more
// than the rest of the closed path. It is shared by every call, so a listener that `fn` (or fetch,
// or any library) adds to it would pile up and trip Node's MaxListenersExceededWarning; since it
// can never abort, such a listener could never run, and the signal simply drops it.

/**
 * A set that stays empty. `AbortSignal.any([signal, ...])` (the usual way to add a timeout) records
 * a weak reference to the signal it makes in a set of each source, to abort it with its source;
 * Node 20 never removes those (about 53 bytes a call, for good, on a signal shared for good). A
 * signal that never aborts has nothing to pass on: its set may drop them. A rotation of the shared
 * signal every N calls bounded it too, but cost the closed path a counter (4-7 ns a call).
 */
class DroppingSet<T> extends Set<T> {
  override add(): this {
    return this;
  }
}

function createNeverAbortedSignal(): AbortSignal {
  const signal = new AbortController().signal;
  const ignore = (): void => {};
  Object.defineProperties(signal, {
    addEventListener: { value: ignore },
    removeEventListener: { value: ignore },
  });
  // Node keeps the set under a symbol of its own (`kDependantSignals` in Node 20), made on
  // the first `any()`: found by its name and its content (our derived signal's reference), it is
  // swapped for one that stays empty. A Node that keeps no such set, or names it otherwise, is
  // left as it is.
  if (typeof AbortSignal.any === 'function') {
    AbortSignal.any([signal]);
    for (const key of Object.getOwnPropertySymbols(signal)) {
      const value: unknown = Reflect.get(signal, key);
      if (key.description === 'kDependantSignals' && isSet(value) && value.size === 1)
        Reflect.defineProperty(signal, key, { value: new DroppingSet(), writable: true });
    }
  }
  return signal;
}

// Below the class and the function it needs: a class is not hoisted.
export const NEVER_ABORTED: AbortSignal = createNeverAbortedSignal();

/** What a call needs of its breaker. */
export type CallOwner = Pick<
  BreakerOutcomes,
  'name' | 'settle' | 'probeTimedOut' | 'lateOutcome' | 'timedProbes'
> & {
  readonly probeTimeoutMs: number | undefined;
};

/**
 * One call through the slow path (a caller's signal, a probe, timing or events): it owns the
 * probe slot, the probe timer and the abort listener, and releases all three when it settles.
 *
 * A probe's timer is the breaker's only timer, and it is ref'd on purpose: a script whose only
 * pending work is a probe must live until the probe settles or times out, or it would exit with
 * the probe's promise never settled. It is cleared as soon as the probe settles.
 */
export class Call<T> implements CarriedCall, TimedProbe {
  private settled = false;
  /**
   * Set when a probe timed out and that counted (it reopened the breaker): `fn` still owes its
   * outcome, which comes from the generation before the reopening, so it is late.
   */
  private owesLateOutcome = false;
  private probeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Aborts the signal `fn` received when the probe times out (or the caller aborts). */
  private probeController: AbortController | undefined;
  private stopListening: (() => void) | undefined;
  private readonly startedAt = performance.now();

  constructor(
    private readonly breaker: CallOwner,
    // Both change once at most, when `adopt()` carries a probe into a closed period.
    public generation: number,
    public probe: boolean,
    private readonly signal: AbortSignal | undefined,
    private readonly resolve: (value: T) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  run(fn: (signal: AbortSignal) => T | PromiseLike<T>): void {
    let fnSignal = this.signal ?? NEVER_ABORTED;
    const timeoutMs = this.probe ? this.breaker.probeTimeoutMs : undefined;
    if (timeoutMs !== undefined) {
      this.probeController = new AbortController();
      fnSignal = this.probeController.signal;
      this.probeTimer = setTimeout(this.onProbeTimeout, timeoutMs);
      this.breaker.timedProbes.add(this);
    }
    if (this.signal !== undefined) this.stopListening = onAbort(this.signal, this.onCallerAbort);
    let settles: Promise<T>;
    try {
      // Inside the `try`: `Promise.resolve()` reads a promise's `constructor`, and a getter that
      // throws there would otherwise leave the call (and its probe slot) pending for good.
      settles = Promise.resolve(fn(fnSignal));
    } catch (error) {
      this.onError(error);
      return;
    }
    settles.then(this.onValue, this.onError);
  }

  /** @internal See `BreakerOutcomes.carried`: the probe becomes a call of the closed period. */
  adopt(generation: number): void {
    if (this.settled) return;
    this.generation = generation;
    this.probe = false;
    this.stopProbeTimer();
  }

  /** @internal See `BreakerOutcomes.timedProbes`: the probe is no longer one of a half-open state. */
  stopProbeTimer(): void {
    if (this.probeTimer === undefined) return;
    clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    this.breaker.timedProbes.delete(this);
  }

  private finish(): number {
    this.settled = true;
    this.stopProbeTimer();
    this.stopListening?.();
    return performance.now() - this.startedAt;
  }

  private readonly onValue = (value: T): void => {
    if (this.settled) {
      this.settledAlready();
      return;
    }
    this.breaker.settle(this, undefined, false, false, this.finish());
    this.resolve(value);
  };

  private readonly onError = (error: unknown): void => {
    if (this.settled) {
      this.settledAlready();
      return;
    }
    // An error that follows the caller's abort is the abort, whatever shape fn gave it.
    const callerAborted = this.signal?.aborted === true;
    this.breaker.settle(this, error, true, callerAborted, this.finish());
    this.reject(rejectionOf(error));
  };

  /** `fn` settled after the call did: only the outcome of a timed-out probe is counted, as late. */
  private settledAlready(): void {
    if (!this.owesLateOutcome) return;
    this.owesLateOutcome = false;
    this.breaker.lateOutcome();
  }

  private readonly onCallerAbort = (): void => {
    if (this.settled) return;
    const reason = this.signal!.reason;
    this.breaker.settle(this, reason, true, true, this.finish());
    this.reject(reason);
    this.probeController?.abort(reason);
  };

  private readonly onProbeTimeout = (): void => {
    this.stopProbeTimer();
    if (this.settled) return;
    const error = new BreakerProbeTimeoutError(this.breaker.name, this.breaker.probeTimeoutMs!);
    this.owesLateOutcome = this.breaker.probeTimedOut(this, error, this.finish());
    this.reject(error);
    this.probeController!.abort(error);
  };
}
