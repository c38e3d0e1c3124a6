import type { ResolvedRateLimit } from '../compose/pieces';
import type { StatsRecorder } from '../observe/stats';
import type { Prepared } from './context';

function noop(): void {}

/**
 * The rate-limit step: one request plus the estimated prompt tokens (when the limiter has a
 * `tokens` limit), waiting in the limiter's fair queue up to its timeout. Records the wait.
 */
export async function admit(
  limit: ResolvedRateLimit | undefined,
  stats: StatsRecorder,
  prepared: Prepared,
  signal: AbortSignal | undefined,
  model: string,
): Promise<void> {
  if (limit === undefined) return;
  const costs: Record<string, number> = {};
  if (limit.hasRequests) costs.requests = 1;
  if (limit.tokensCapacity !== undefined && prepared.estimate !== undefined) {
    costs.tokens = Math.max(1, Math.min(limit.tokensCapacity, prepared.estimate));
    prepared.charged = costs.tokens;
  }
  const started = performance.now();
  await limit.limiter.acquire(
    limit.key,
    costs,
    signal === undefined ? { timeoutMs: limit.timeoutMs } : { signal, timeoutMs: limit.timeoutMs },
  );
  const waited = performance.now() - started;
  prepared.queueWaitMs = waited;
  stats.admitted(model, waited);
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
  await limit.limiter.acquire(
    limit.key,
    ONE_REQUEST,
    signal === undefined ? { timeoutMs: limit.timeoutMs } : { signal, timeoutMs: limit.timeoutMs },
  );
  stats.admitted(model, performance.now() - started);
}

const ONE_REQUEST = Object.freeze({ requests: 1 });

/** The readmission of a call's retries, when a rate limiter is on. */
export function readmitter(
  limit: ResolvedRateLimit | undefined,
  stats: StatsRecorder,
  model: string,
): ((signal: AbortSignal | undefined) => Promise<void>) | undefined {
  return limit === undefined ? undefined : (signal) => readmit(limit, stats, signal, model);
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
