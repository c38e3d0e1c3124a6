import type { CredentialOutcome, RequestHeaders } from '../credentials';
import type { ErrorKit } from '../error-kit';
import { isProviderErrorOfKind } from '../errors';
import { OneShot } from '../http/shared-timer';
import { CallSignal } from '../light-signal';
import type { ResolvedTimeouts } from '../options';
import type { Runtime } from '../runtime';

/** Headers fetched with a key callback, and when the callback was called. */
export interface KeyedHeaders extends RequestHeaders {
  /**
   * `performance.now()` when `getApiKey()` was called: the call's first-token clock starts here,
   * not at the send (`CallRequest.keyAskedAt`). Undefined without a key callback.
   */
  askedAt?: number | undefined;
}

/**
 * The headers of one call whose key comes from `getApiKey()`, fetched under a signal of the wait's
 * own. The wait is part of the call, so it ends with whatever ends the call: its signal (the
 * caller's abort, `timeouts.totalMs`, `destroy()`), `close()` (`Runtime.closing`: the call ends
 * with the closed error, as a call queued for a slot does, instead of outliving the close and
 * being refused whenever the key turns up) and `timeouts.firstTokenMs`, counted from when the
 * callback is called: nothing can be sent, so no first token can come, before the key. That clock
 * goes on after the key (`askedAt`): the first attempt has only what the wait left of the
 * deadline, so a slow vault and a slow server together still answer within one `firstTokenMs`.
 * Without that bound a callback that never settles would hold the call, and its concurrency slot,
 * for as long as `totalMs` (off by default) allows. A key that arrives after the wait ended is
 * dropped unread (`Credentials.fresh`): never sent, never remembered, and a late rejection is
 * handled. A wait that ends without a key is told as `credential-fetched` with the outcome
 * `timeout`, `closed` or `aborted` (the callback's own failures are told by `Credentials`).
 */
export async function headersAfterKeyWait(
  rt: Runtime,
  accept: string,
  signal: AbortSignal | undefined,
): Promise<KeyedHeaders> {
  // `destroy()` aborts `closing` too: a call with no signal but `ending` needs no listener on it.
  const caller = signal === (rt.ending as unknown as AbortSignal) ? undefined : signal;
  const wait = new CallSignal(rt.closing, caller);
  // A call that ended before the key was asked for does not ask (`fresh`): nothing to tell.
  const asks = !wait.aborted;
  const askedAt = performance.now();
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
    const headers: KeyedHeaders = await rt.credentials.fresh(
      accept,
      wait as unknown as AbortSignal,
    );
    headers.askedAt = askedAt;
    return headers;
  } catch (error) {
    if (asks && wait.aborted) {
      rt.audit.emit({
        type: 'credential-fetched',
        source: 'getApiKey',
        outcome: unfinishedWait(rt, wait.reason),
      });
    }
    throw error;
  } finally {
    timer?.cancel();
    wait.release();
  }
}

/** How a key wait that ended without a key ended, from the reason its signal gives. */
function unfinishedWait(rt: Runtime, reason: unknown): CredentialOutcome {
  // `close()` and `destroy()` end it with the provider's closed error (through `closing`, or
  // through the call's signal, which follows `ending`).
  if (rt.closing.aborted && isProviderErrorOfKind(reason, 'closed')) return 'closed';
  // Its own first-token deadline, or the call's `timeouts.totalMs`.
  if (isProviderErrorOfKind(reason, 'timeout')) return 'timeout';
  return 'aborted';
}

/** What a first-token timeout counted from the key callback says it waited for, after its own. */
export const SINCE_KEY = ', counted from the getApiKey() call';

/**
 * `waitedFor` saying that its clock ran from the key callback's call: once, however often it is
 * said (a metadata call's `answering` says it already, so that a lookup's deadline said again
 * before a request, `madeBefore`, keeps it).
 */
export function sinceKey(waitedFor: string): string {
  return waitedFor.endsWith(SINCE_KEY) ? waitedFor : `${waitedFor}${SINCE_KEY}`;
}

/**
 * The deadlines of the first attempt after a key wait that began at `askedAt`: what the wait left
 * of `timeouts.firstTokenMs` bounds its first token (or its whole answer), and the timeout error it
 * raises names the whole deadline and where it was counted from. Undefined without a key wait, or
 * with the deadline off: the attempt then keeps the provider's own.
 */
export function keyClock(
  rt: Runtime,
  askedAt: number | undefined,
): { timeouts: ResolvedTimeouts; kit: ErrorKit } | undefined {
  const fullMs = rt.timeouts.firstTokenMs;
  if (askedAt === undefined || fullMs === undefined) return undefined;
  // At least a millisecond: a deadline already past fires at the shared timer's next check.
  const leftMs = Math.max(1, fullMs - (performance.now() - askedAt));
  return {
    timeouts: { ...rt.timeouts, firstTokenMs: leftMs },
    kit: sinceKeyKit(rt.kit, fullMs),
  };
}

/** `kit`, whose first-token timeouts name the whole deadline and that it ran from the key call. */
function sinceKeyKit(kit: ErrorKit, fullMs: number): ErrorKit {
  return {
    origin: kit.origin,
    timeout: (init) =>
      kit.timeout(
        init.timeout === 'firstToken'
          ? {
              ...init,
              timeoutMs: fullMs,
              waitedFor: sinceKey(init.waitedFor ?? 'the first token'),
            }
          : init,
      ),
    connection: (init) => kit.connection(init),
    protocol: (init) => kit.protocol(init),
    stream: (init) => kit.stream(init),
    incomplete: (init) => kit.incomplete(init),
    contextOverflow: (init) => kit.contextOverflow(init),
    closed: (init) => kit.closed(init),
    circuitOpen: (init) => kit.circuitOpen(init),
    localLimit: (init) => kit.localLimit(init),
    credentials: (init) => kit.credentials(init),
  };
}
