import { expectNumber, fail } from '@x/internal';
import { type ConcurrencyLimiter, createConcurrencyLimiter } from '@x/rate-limit';
import type { QueueWaits } from '../stages/queue-wait';

/** The concurrency limit of a provider: the limiter and whether the provider created it. */
export interface ResolvedConcurrency {
  limiter: ConcurrencyLimiter;
  own: boolean;
  /**
   * `{ signal: waits.idle }`, made once: the options of a wait by a call without a signal of its
   * own, which runs under the provider's `ending` signal.
   */
  endingOptions?: Readonly<{ signal: AbortSignal }> | undefined;
  /** How calls wait in its queue (see `queueSignal`). */
  waits?: QueueWaits | undefined;
}

/**
 * The queue of a limiter the provider creates from a number: the rate limiter's own defaults,
 * so that both local limits wait and refuse alike.
 */
const CONCURRENCY_DEFAULTS = Object.freeze({ maxQueue: 1000, timeoutMs: 60_000 });

function isConcurrencyLimiter(value: unknown): value is ConcurrencyLimiter {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.acquire === 'function' &&
    typeof v.tryAcquire === 'function' &&
    typeof v.maxConcurrent === 'number'
  );
}

/**
 * `maxConcurrent`: the most calls in flight at once, as a number (a limiter of the provider's
 * own, FIFO, queue of 1000 waiting up to 60 s), a limiter from `createConcurrencyLimiter()` to
 * share or to set another queue, or `false`/unset for none. `create` builds the limiter for a
 * number (a shared one when the provider is given a `share` name).
 */
export function resolveConcurrency(
  value: unknown,
  create: (options: {
    maxConcurrent: number;
    maxQueue: number;
    timeoutMs: number;
  }) => ConcurrencyLimiter = createConcurrencyLimiter,
  own = true,
): ResolvedConcurrency | undefined {
  if (value === undefined || value === false) return undefined;
  if (isConcurrencyLimiter(value)) return { limiter: value, own: false };
  if (typeof value !== 'number') {
    fail(
      'maxConcurrent',
      'an integer >= 1, a limiter from createConcurrencyLimiter(), or false',
      value,
    );
  }
  const maxConcurrent = expectNumber('maxConcurrent', value, { min: 1, integer: true });
  return { limiter: create({ maxConcurrent, ...CONCURRENCY_DEFAULTS }), own };
}
