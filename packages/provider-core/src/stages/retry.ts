import { anySignal, sleep } from '@x/internal';
import type { ResolvedRateLimit } from '../compose/pieces';
import type { ErrorKit } from '../error-kit';
import { isProviderError, isProviderErrorOfKind, partialOf } from '../errors';
import { realSignal } from '../light-signal';
import type { ProviderTopics } from '../observe/events';
import type { StatsRecorder } from '../observe/stats';
import type { ResolvedRetry } from '../options';
import { backoffDelay, type RetryBudget } from '../retry-policy';
import { readmit } from './admit';

/** What the retry loop reads and writes, shared by every call of a provider. */
export interface RetryContext {
  options: ResolvedRetry;
  /** True once the provider is closed: no attempt starts after that. */
  closed: () => boolean;
  /**
   * Aborted by `close()` and `destroy()`: a backoff waiting then ends at once (and its timer
   * with it).
   */
  closing: AbortSignal;
  kit: ErrorKit;
  budget: RetryBudget | undefined;
  stats: StatsRecorder;
  topics: ProviderTopics;
  redact: (text: string) => string;
}

/** The call an attempt belongs to. */
export interface RetryTarget {
  endpoint: string;
  model: string | undefined;
  signal: AbortSignal | undefined;
  /**
   * The rate limit the call went through: a retry is admitted through it again before it is sent.
   * (The limit itself, not a closure over it: nothing is allocated for retries that never happen.)
   */
  limit?: ResolvedRateLimit | undefined;
}

/** Delay before the next attempt, or undefined when the error must be thrown. */
function nextDelay(
  context: RetryContext,
  error: unknown,
  retry: number,
  model: string | undefined,
): number | undefined {
  const { options } = context;
  if (retry >= options.retries) return undefined;
  if (!isProviderError(error) || !error.retryable) return undefined;
  const { retryAfterMs } = error;
  if (retryAfterMs !== undefined && retryAfterMs > options.maxRetryAfterMs) return undefined;
  if (context.budget !== undefined && !context.budget.tryWithdraw()) {
    context.stats.retryDenied(model);
    return undefined;
  }
  return (
    retryAfterMs ?? backoffDelay(retry, options.baseDelayMs, options.maxDelayMs, options.random)
  );
}

/**
 * The retry loop, the only one: runs `attempt` (numbered from 1) until it succeeds, the error is
 * not retryable, the retries or the budget are spent, or the call is aborted. A `Retry-After`
 * longer than `maxRetryAfterMs` ends the loop at once. Retry sits outside the breaker, so every
 * attempt is seen by it and an open breaker (not retryable) ends the retrying.
 *
 * A retry of a call that went through the rate limiter goes through it again (`target.limit`):
 * it is one more request to the server.
 *
 * A streamed call runs only its opening through here (until the first chunk reached the caller):
 * nothing is retried after that.
 */
export function withRetries<T>(
  context: RetryContext,
  target: RetryTarget,
  attempt: (attemptNumber: number) => Promise<T>,
): Promise<T> {
  // The first attempt is a `catch` on its promise, not an `async` frame around it: most calls
  // never retry, and an async function that awaits allocates about 400 bytes a call.
  context.stats.attempt(target.model);
  let first: Promise<T>;
  try {
    first = attempt(1);
  } catch (error) {
    first = Promise.reject(error);
  }
  return first.catch((error: unknown) => retryAfter(context, target, attempt, error));
}

/**
 * One attempt and no retry, counted as {@link withRetries} counts its first: a request whose body
 * cannot be sent twice (an upload read from a stream).
 */
export function singleAttempt<T>(
  context: RetryContext,
  target: RetryTarget,
  attempt: (attemptNumber: number) => Promise<T>,
): Promise<T> {
  context.stats.attempt(target.model);
  return attempt(1);
}

/** The retries after a failed first attempt: the loop of {@link withRetries}. */
async function retryAfter<T>(
  context: RetryContext,
  target: RetryTarget,
  attempt: (attemptNumber: number) => Promise<T>,
  firstError: unknown,
): Promise<T> {
  let error = firstError;
  for (let retry = 0; ; retry++) {
    const { signal } = target;
    if (signal?.aborted) throw cutError(error, signal.reason);
    const delay = nextDelay(context, error, retry, target.model);
    if (delay === undefined) throw error;
    context.stats.retried(target.model);
    if (context.topics.retry.active) {
      context.topics.retry.emit({
        endpoint: target.endpoint,
        model: target.model,
        attempt: retry + 2,
        delayMs: delay,
        code: (error as { code?: string | undefined }).code,
        message: context.redact((error as Error).message),
      });
    }
    // A ref'd timer: between attempts no socket holds the process open, and a script whose
    // only pending work is this call must not exit before the retry runs. close() ends it.
    // (`AbortSignal.any()` does not follow a light signal: it gets the call's as a real one.)
    try {
      await sleep(delay, anySignal(realSignal(signal), context.closing));
    } catch (stopped) {
      if (signal?.aborted) throw signal.reason;
      if (context.closed()) throw context.kit.closed();
      throw stopped;
    }
    if (target.limit !== undefined) {
      try {
        await readmit(target.limit, context.stats, signal, target.model ?? '');
      } catch {
        if (signal?.aborted) throw signal.reason;
        // close() ended the wait (in a limiter the provider shares): the retry was never sent.
        if (context.closed()) throw context.kit.closed();
        // The limiter cannot admit the retry in time: the server's refusal is what the caller
        // needs to see, not the limiter's timeout.
        throw error;
      }
    }
    // A call waiting out a backoff when the provider closed ends with the closed error, not with
    // whatever the closed pool would say.
    if (context.closed()) throw context.kit.closed();
    context.stats.attempt(target.model);
    try {
      return await attempt(retry + 2);
    } catch (next) {
      error = next;
    }
  }
}

/**
 * The error of an attempt the call's signal cut: the signal's reason (the caller's own, as `fetch`
 * rejects), unless the attempt already turned that deadline into the same timeout carrying the
 * chunks that had arrived, which the caller would otherwise lose.
 */
function cutError(error: unknown, reason: unknown): unknown {
  if (
    isProviderErrorOfKind(error, 'timeout') &&
    isProviderErrorOfKind(reason, 'timeout') &&
    (error as { timeout?: unknown }).timeout === (reason as { timeout?: unknown }).timeout &&
    partialOf(error) !== undefined
  ) {
    return error;
  }
  return reason;
}
