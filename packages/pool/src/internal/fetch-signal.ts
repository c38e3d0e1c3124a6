import { onAbort } from '@x/internal';

/** The controller behind a stand-in, kept alive exactly as long as the stand-in signal is. */
const controllerOf = Symbol('controller');
type StandIn = AbortSignal & { [controllerOf]?: AbortController | undefined };

/** Stops following the caller's signal once undici no longer holds the stand-in. */
const released = new FinalizationRegistry<() => void>((stop) => stop());

/**
 * What `pool.fetch` hands undici's `fetch` in place of the caller's `signal`: a real
 * `AbortSignal` of its own (undici's fetch checks for one), aborted with the caller's reason.
 *
 * Why: undici's fetch adds a listener to the signal it is given for every fetch, and takes it off
 * only when the request is garbage collected (a FinalizationRegistry). Under one long-lived
 * signal, listeners pile up, and Node 20 scans a signal's listeners on every add: 16,000 fetches
 * under one signal took about 5 s to start. Each fetch now gets a stand-in, and the caller's
 * signal one listener for all of them (`onAbort`, as `pool.request` has it).
 *
 * The stand-in is followed weakly, so that this does not keep alive what undici would let go: its
 * callback is taken off the caller's signal when the stand-in is collected, which is when undici
 * takes its own listener off it.
 */
export function standInSignal(signal: AbortSignal): AbortSignal {
  if (signal.aborted) return AbortSignal.abort(signal.reason);
  const controller = new AbortController();
  const standIn: StandIn = controller.signal;
  // A signal does not hold its controller: the stand-in holds it, for the weak callback below.
  standIn[controllerOf] = controller;
  const weak = new WeakRef(standIn);
  const stop = onAbort(signal, () => weak.deref()?.[controllerOf]?.abort(signal.reason));
  released.register(standIn, stop);
  return standIn;
}
