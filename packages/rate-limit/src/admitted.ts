/**
 * The promise `acquire()` returns when the limits admit the call at once: the same resolved
 * promise every time. A caller that compares (`pending === ADMITTED`) knows without awaiting that
 * nothing waited, and can skip timing the wait and the hop an `await` takes. A limiter whose store
 * is remote (Redis) decides in a round trip and never returns it.
 */
export const ADMITTED: Promise<void> = Promise.resolve();
