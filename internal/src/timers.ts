/**
 * The longest delay a Node timer honours (2^31 - 1 ms, about 24.8 days). A longer one, or
 * `Infinity`, fires after 1 ms with a `TimeoutOverflowWarning`.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** A timer handle that can be cancelled whether it was chained or not. */
export interface LongTimer {
  clear(): void;
}

/**
 * `setTimeout` for any delay: above {@link MAX_TIMER_MS} it waits in steps, so a far deadline
 * neither fires early nor spins. The timer is `unref()`'d unless `ref` is true.
 */
export function setLongTimeout(fn: () => void, ms: number, ref = false): LongTimer {
  let timer: ReturnType<typeof setTimeout>;
  const due = performance.now() + ms;
  const arm = (delay: number): void => {
    timer = setTimeout(
      () => {
        const left = due - performance.now();
        if (left >= 1) arm(left);
        else fn();
      },
      Math.max(0, Math.min(MAX_TIMER_MS, delay)),
    );
    if (!ref) timer.unref?.();
  };
  arm(ms);
  return { clear: () => clearTimeout(timer) };
}

/** A delay safe to hand to `setTimeout`: clamped to [0, MAX_TIMER_MS], NaN as 0. */
export function timerDelay(ms: number): number {
  if (!(ms > 0)) return 0;
  return Math.min(ms, MAX_TIMER_MS);
}

let coarse = 0;
let coarseFresh = false;
/** The `setTimeout` that will mark the reading stale: tests switch to fake timers and back. */
let coarseBy: typeof setTimeout | undefined;

function coarseStale(): void {
  coarseFresh = false;
}

/**
 * `performance.now()` read at most once a millisecond: the reading is kept until a 1 ms timer
 * marks it stale. On a virtual machine a clock read costs 40-60 ns, as much as the rest of a
 * cache lookup; this costs a few. For checks that tolerate a reading a millisecond old, or as old
 * as the synchronous run in progress (the timer cannot fire during one), such as a cache entry's
 * expiry: never for a rate, a deadline or a measured duration.
 */
export function coarseNow(): number {
  if (coarseFresh && coarseBy === setTimeout) return coarse;
  coarse = performance.now();
  coarseFresh = true;
  coarseBy = setTimeout;
  setTimeout(coarseStale, 1).unref?.();
  return coarse;
}
