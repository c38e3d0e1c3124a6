import type { RequestHeaders } from '../credentials';
import { OneShot } from '../http/shared-timer';
import { CallSignal } from '../light-signal';
import type { Runtime } from '../runtime';

/**
 * The headers of one call whose key comes from `getApiKey()`, fetched under a signal of the wait's
 * own. The wait is part of the call, so it ends with whatever ends the call: its signal (the
 * caller's abort, `timeouts.totalMs`, `destroy()`), `close()` (`Runtime.closing`: the call ends
 * with the closed error, as a call queued for a slot does, instead of outliving the close and
 * being refused whenever the key turns up) and `timeouts.firstTokenMs`, counted from when the
 * callback is called: nothing can be sent, so no first token can come, before the key. Without
 * that bound a callback that never settles would hold the call, and its concurrency slot, for as
 * long as `totalMs` (off by default) allows. A key that arrives after the wait ended is dropped
 * unread (`Credentials.fresh`): never sent, never remembered, and a late rejection is handled.
 */
export async function headersAfterKeyWait(
  rt: Runtime,
  accept: string,
  signal: AbortSignal | undefined,
): Promise<RequestHeaders> {
  // `destroy()` aborts `closing` too: a call with no signal but `ending` needs no listener on it.
  const caller = signal === (rt.ending as unknown as AbortSignal) ? undefined : signal;
  const wait = new CallSignal(rt.closing, caller);
  const withinMs = rt.timeouts.firstTokenMs;
  const timer =
    withinMs === undefined
      ? undefined
      : new OneShot(withinMs, () => {
          wait.abort(
            rt.kit.timeout({
              timeout: 'firstToken',
              timeoutMs: withinMs,
              // Nothing was sent: the next call asks again, a router tries another deployment.
              retryable: true,
              waitedFor: 'getApiKey() to return a key, before anything was sent',
            }),
          );
        });
  try {
    return await rt.credentials.fresh(accept, wait as unknown as AbortSignal);
  } finally {
    timer?.cancel();
    wait.release();
  }
}
