import { onAbort } from '@x/internal';
import { BreakerProbeTimeoutError } from './errors';
import { rejectionOf } from './ignore';
import type { BreakerOutcomes } from './outcomes';
import type { CarriedCall } from './verdicts';

// Given to `fn` when there is no signal to give: allocating a controller per call would cost more
// than the rest of the closed path. It is shared by every call, so a listener that `fn` (or fetch,
// or any library) adds to it would pile up and trip Node's MaxListenersExceededWarning; since it
// can never abort, such a listener could never run, and the signal simply drops it.
export const NEVER_ABORTED: AbortSignal = createNeverAbortedSignal();

function createNeverAbortedSignal(): AbortSignal {
  const signal = new AbortController().signal;
  const ignore = (): void => {};
  Object.defineProperties(signal, {
    addEventListener: { value: ignore },
    removeEventListener: { value: ignore },
  });
  return signal;
}

/** What a call needs of its breaker. */
export type CallOwner = Pick<
  BreakerOutcomes,
  'name' | 'settle' | 'probeTimedOut' | 'lateOutcome'
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
export class Call<T> implements CarriedCall {
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
    if (this.probeTimer !== undefined) clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
  }

  private finish(): number {
    this.settled = true;
    if (this.probeTimer !== undefined) clearTimeout(this.probeTimer);
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
    this.probeTimer = undefined;
    if (this.settled) return;
    const error = new BreakerProbeTimeoutError(this.breaker.name, this.breaker.probeTimeoutMs!);
    this.owesLateOutcome = this.breaker.probeTimedOut(this, error, this.finish());
    this.reject(error);
    this.probeController!.abort(error);
  };
}
