import { defaultMaxListeners, getMaxListeners, setMaxListeners } from 'node:events';

/**
 * Lifts Node's listener limit on a caller's `signal` that is still at the default, so that many
 * calls sharing it print no `MaxListenersExceededWarning` (past ten abort listeners Node warns,
 * although nothing leaks when each call removes its own). A limit its owner set is left alone.
 *
 * {@link onAbort} does this for the listeners it adds; call it directly before handing a signal
 * to code that adds its own listener (undici's `request` does, and does not lift the limit, while
 * its `fetch` does).
 */
export function liftAbortListenerLimit(signal: AbortSignal): void {
  // A look-alike (a light signal of our own transports): no limit, and no exception to pay for.
  if (!(signal instanceof EventTarget)) return;
  try {
    // Infinity, not 0: both mean no limit, but Node 20's getMaxListeners() throws for an
    // EventTarget whose limit is 0, and this runs again for every listener added later (the
    // steps of one call listening on the caller's signal, every call sharing a server's shutdown
    // signal): an exception with its stack trace each time.
    if (getMaxListeners(signal) === defaultMaxListeners) setMaxListeners(Infinity, signal);
  } catch {
    // A look-alike signal that is not an EventTarget of this realm, or one its owner set to 0
    // (no limit): nothing to lift.
  }
}
