import { onAbort } from '@x/internal';

/** One wait of a {@link Waits}. */
interface Wait {
  /** Aborted with its caller's signal's reason, or with `Waits.end()`'s once {@link endable}. */
  readonly signal: AbortSignal;
  /** From now on `Waits.end()` ends this wait too. */
  endable(): void;
  /** The wait is over: no longer linked to its caller's signal, nor ended by `Waits.end()`. */
  done(): void;
}

/**
 * The waits a `close()` ends (the Redis store's for a lock held elsewhere, a cache's for another
 * process's load). Each wait gets a signal of its own, aborted by its caller's or by end(). (Not
 * `AbortSignal.any()` with one signal that lives as long as its owner: that signal would collect a
 * dependant per call.)
 */
export class Waits {
  readonly #endable = new Set<AbortController>();

  start(outer: AbortSignal): Wait {
    const controller = new AbortController();
    const endable = this.#endable;
    if (outer.aborted) controller.abort(outer.reason);
    const unlink = onAbort(outer, () => controller.abort(outer.reason));
    return {
      signal: controller.signal,
      endable: () => endable.add(controller),
      done: () => {
        unlink();
        endable.delete(controller);
      },
    };
  }

  /** Aborts every endable wait in progress with `reason`. */
  end(reason: unknown): void {
    for (const controller of this.#endable) controller.abort(reason);
  }
}
