import type { Topic } from '@x/internal';
import { BreakerStateMachine, HALF_OPEN, type StateCode } from './state-machine';

/** The verdict while `classify` runs: what the outcome does is not known yet. */
export const UNDECIDED = 3;
type Verdict = StateCode | typeof UNDECIDED;

/** A probe started while a closing probe's success was reported: see `carried`. */
export interface CarriedCall {
  /** Makes the call one of the closed period `generation`: no probe, no probe timeout. */
  adopt(generation: number): void;
}

/**
 * What an outcome is about to do, for the calls made while the breaker decides or reports it.
 *
 * An outcome's event comes before the transition it causes, so that a listener can still move
 * the breaker itself; and `classify` runs before anyone knows what the outcome does. A call that
 * a listener or `classify` makes meanwhile must not be judged by the state about to end (a probe
 * of a half-open state that is reopening, the probe slot of the very call being classified, a
 * closed call of a breaker that is tripping). While `verdictGeneration` is the current generation
 * (a listener's own move ends it), `verdict` says where the outcome leads: OPEN or CLOSED, or
 * UNDECIDED while `classify` runs; `execute()` judges a call by it, and one that must wait goes
 * into `waiting`, run once the outcome has been acted on.
 */
export abstract class BreakerVerdicts extends BreakerStateMachine {
  protected verdict: Verdict = HALF_OPEN;
  protected verdictGeneration = -1;
  /** Calls made under a verdict that wait for it, run once the outcome has been acted on. */
  protected waiting: (() => void)[] | undefined;
  /**
   * Probes a free slot admitted under a closing verdict (they run at once: one that fails at once
   * still reopens the breaker, as any listener's move wins). The `probe-success` transition makes
   * the ones still running calls of the closed period, instead of late probes of a state that
   * ended, killed by a probe timeout in a closed breaker.
   */
  protected carried: CarriedCall[] | undefined;

  /** Called when a verdict starts or ends: the closed path must not take a call made under one. */
  protected abstract refreshClosedPath(): void;

  /** True while a verdict of the current generation holds (see the class). */
  protected get deciding(): boolean {
    return this.verdictGeneration === this.generation;
  }

  /** Sets the verdict (and its generation); returns nothing, the caller keeps the outer one. */
  protected setVerdict(verdict: Verdict, generation: number): void {
    this.verdict = verdict;
    this.verdictGeneration = generation;
    this.refreshClosedPath();
  }

  /** Emits an outcome's event under `verdict`, the state the transition it causes leads to. */
  protected emitUnder<E>(topic: Topic<E>, event: E, verdict: StateCode): void {
    const { verdict: outer, verdictGeneration: outerGeneration } = this;
    this.setVerdict(verdict, this.generation);
    // emit() never throws; `finally` only makes sure a verdict can never outlive its event.
    try {
      topic.emit(event);
    } finally {
      this.setVerdict(outer, outerGeneration);
    }
  }

  /**
   * An outcome has been acted on: puts back the lists of the outcome being handled around it (a
   * listener's call that failed at once) and runs the calls that waited for this one.
   */
  protected resume(waiting: (() => void)[] | undefined, carried: CarriedCall[] | undefined): void {
    const ready = this.waiting;
    this.waiting = waiting;
    this.carried = carried;
    if (ready !== undefined) for (const run of ready) run();
  }
}
