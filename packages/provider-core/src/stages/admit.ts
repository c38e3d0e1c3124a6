import { ADMITTED } from '@x/rate-limit';
import type { ResolvedRateLimit } from '../compose/pieces';
import { releaseSignal } from '../light-signal';
import type { StatsRecorder } from '../observe/stats';
import type { Prepared } from './context';
import { madeForWait, queueSignal } from './queue-wait';

function noop(): void {}

const ONE_REQUEST = Object.freeze({ requests: 1 });
const NO_COST = Object.freeze({});

/**
 * The rate-limit step: one request plus the estimated prompt tokens (when the limiter has a
 * `tokens` limit), waiting in the limiter's fair queue up to its timeout. Records the wait.
 * Undefined without a limiter, or when the limiter admitted the call at once. A `then`, not an
 * `async` function: an async function that awaits allocates about 400 bytes a call (its frame,
 * its promise, the await's reaction), a `then` 150.
 */
export function admit(
  limit: ResolvedRateLimit | undefined,
  stats: StatsRecorder,
  prepared: Prepared,
  signal: AbortSignal | undefined,
  model: string,
): Promise<void> | undefined {
  if (limit === undefined) return undefined;
  let costs: Readonly<Record<string, number>>;
  if (limit.tokensCapacity !== undefined && prepared.estimate !== undefined) {
    const tokens = Math.max(1, Math.min(limit.tokensCapacity, prepared.estimate));
    costs = limit.hasRequests ? { requests: 1, tokens } : { tokens };
    prepared.charged = tokens;
  } else {
    // The same frozen objects on every call: nothing to allocate, and the limiter's cost check
    // recognises the vector it built last time.
    costs = limit.hasRequests ? ONE_REQUEST : NO_COST;
  }
  const wait = queueSignal(signal, limit.waits);
  const pending = limit.limiter.acquire(limit.key, costs, waitOptions(limit, wait));
  if (pending === ADMITTED) {
    // Admitted at once, the common case: nothing waited, so no clock to read before and after
    // and no hop for the caller to await.
    if (madeForWait(wait, signal)) releaseSignal(wait);
    prepared.queueWaitMs = 0;
    stats.admitted(model, 0);
    return undefined;
  }
  // The wait is timed from here: deciding took microseconds, and the queue holds the call now.
  const started = performance.now();
  const admitted = pending.then(() => {
    const waited = performance.now() - started;
    prepared.queueWaitMs = waited;
    stats.admitted(model, waited);
  });
  return madeForWait(wait, signal) ? admitted.finally(() => releaseSignal(wait)) : admitted;
}

function waitOptions(
  limit: ResolvedRateLimit,
  signal: AbortSignal | undefined,
): { signal?: AbortSignal | undefined; timeoutMs: number } {
  const made = limit.waitOptions;
  return signal === undefined || signal === made.signal
    ? made
    : { signal, timeoutMs: limit.timeoutMs };
}

/**
 * Admits a retry: it is one more request to the server, so it takes one more `requests` token
 * (the prompt's tokens were charged once) and waits while the limiter is drained or paused, e.g.
 * by what the server said about its quota. Records the wait.
 */
export async function readmit(
  limit: ResolvedRateLimit | undefined,
  stats: StatsRecorder,
  signal: AbortSignal | undefined,
  model: string,
): Promise<void> {
  if (limit === undefined || !limit.hasRequests) return;
  const started = performance.now();
  const wait = queueSignal(signal, limit.waits);
  try {
    await limit.limiter.acquire(limit.key, ONE_REQUEST, waitOptions(limit, wait));
  } finally {
    // Only a signal made for this wait: the call's own one goes on with the call.
    if (madeForWait(wait, signal)) releaseSignal(wait);
  }
  stats.admitted(model, performance.now() - started);
}

/**
 * Corrects the limiter's token charge with what the server counted: the estimate was charged
 * before the call, the real prompt + generated tokens are known after it.
 */
export function correctCharge(
  limit: ResolvedRateLimit | undefined,
  prepared: Prepared,
  promptTokens: number | undefined,
  completionTokens: number | undefined,
): void {
  if (limit === undefined || prepared.charged === undefined) return;
  const actual = (promptTokens ?? prepared.estimate ?? 0) + (completionTokens ?? 0);
  const delta = actual - prepared.charged;
  if (delta !== 0) limit.limiter.adjust(limit.key, { tokens: delta }).catch(noop);
}
