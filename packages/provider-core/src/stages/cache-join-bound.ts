import { raceAbort } from '@x/internal';
import { OneShot } from '../http/shared-timer';
import { CallSignal, type LightSignal, realSignal } from '../light-signal';

/**
 * The bound on a wait, through a cache shared by providers, for a load another provider started:
 * at `waitMs` (the waiting provider's first-token deadline, counted from its call's start) the
 * call leaves that load if it is still another provider's, and loads from its own server. Its
 * own provider's loads (its own, or joined) are waited for as before: `isForeign` says which.
 *
 * The call gives the cache {@link signal} instead of its own; it aborts with the call's signal,
 * or when the bound leaves (then {@link left} is true), which leaves the load as any waiter that
 * aborts does: the load goes on for its other waiters, or ends once none is left.
 */
export class JoinBound {
  left = false;
  readonly #leave: CallSignal;
  readonly #timer: OneShot;

  constructor(
    ending: LightSignal,
    callSignal: AbortSignal | undefined,
    waitMs: number,
    isForeign: () => boolean,
  ) {
    // `ending` itself is no caller's signal: followed, not listened to.
    const caller = (callSignal as unknown) === ending ? undefined : callSignal;
    const leave = new CallSignal(ending, caller);
    this.#leave = leave;
    this.#timer = new OneShot(Math.max(0, waitMs), () => {
      if (leave.aborted || !isForeign()) return;
      this.left = true;
      leave.abort(LEFT);
    });
  }

  /** The signal to give the cache (a real one: the cache may hand it to its store). */
  get signal(): AbortSignal {
    return realSignal(this.#leave as unknown as AbortSignal)!;
  }

  release(): void {
    this.#timer.cancel();
    this.#leave.release();
  }
}

/** The reason a bounded wait leaves with: never seen outside the cache step. */
const LEFT = Object.freeze(new Error('left a load of another provider'));

interface Reload {
  readonly promise: Promise<unknown>;
  readonly controller: AbortController;
  waiters: number;
}

/**
 * The loads a provider makes of keys its calls left another provider's load for, one per key:
 * its calls that left share it, as they shared the load they left. Ended as a cache's load is:
 * a waiter whose signal aborts leaves alone; the load's signal aborts when every waiter left.
 */
export class OwnReloads {
  readonly #loads = new Map<string, Reload>();

  run(
    id: string,
    signal: AbortSignal | undefined,
    start: (signal: AbortSignal) => Promise<unknown>,
  ): Promise<unknown> {
    let reload = this.#loads.get(id);
    if (reload === undefined) {
      const controller = new AbortController();
      const promise = start(controller.signal).finally(() => {
        if (this.#loads.get(id) === reload) this.#loads.delete(id);
      });
      // Each waiter reads the outcome; this keeps one nobody waits for from being unhandled.
      promise.catch(() => {});
      reload = { promise, controller, waiters: 0 };
      this.#loads.set(id, reload);
    }
    const joined = reload;
    joined.waiters++;
    return raceAbort(joined.promise, signal, () => {
      if (--joined.waiters > 0) return;
      // The last waiter left: a later call starts a load of its own, not this ending one.
      if (this.#loads.get(id) === joined) this.#loads.delete(id);
      joined.controller.abort(signal?.reason);
    });
  }
}
