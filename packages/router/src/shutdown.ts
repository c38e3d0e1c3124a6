/**
 * The bounded wait of the router's `close()` and `destroy()` for what they close: the shared
 * state, and the providers they own (`closeProviders`). A provider of the caller's own may never
 * settle its `destroy()` or `close()`; the router's own promise must settle all the same.
 */
import { RouterCloseTimeoutError } from './errors';

/** One thing being closed: a provider (its deployments' ids), or the shared state. */
export interface Closing {
  /** The ids of the provider's deployments; `undefined` for the shared state. */
  readonly deployments: readonly string[] | undefined;
  readonly done: Promise<unknown>;
}

/** `fn()` as a promise: a throw becomes a rejection, so one step's mistake stops no other. */
export function attempt(fn: () => unknown): Promise<unknown> {
  return new Promise((resolve) => resolve(fn()));
}

/**
 * Settles once every one of `closings` has: rejects with the first failure in their order, else
 * resolves. When `timeoutMs` passes first, rejects with {@link RouterCloseTimeoutError} naming
 * those still unsettled (`cause`: the first failure of the others); what they do later is
 * dropped. The timer stays referenced: the caller awaits this answer, and a process must not exit
 * with it pending; it is cleared as soon as every one has settled, or `stop` aborts (another
 * wait answers instead: this one then never settles).
 */
export function settleWithin(
  operation: 'close' | 'destroy',
  closings: readonly Closing[],
  timeoutMs: number | undefined,
  stop?: AbortSignal,
): Promise<void> {
  if (closings.length === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const failures: { error: unknown }[] = new Array(closings.length);
    const settled = new Array<boolean>(closings.length).fill(false);
    let left = closings.length;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const firstFailure = () => failures.find((f) => f !== undefined);
    const settle = (i: number, failure?: { error: unknown }) => {
      settled[i] = true;
      if (failure !== undefined) failures[i] = failure;
      if (--left > 0 || stop?.aborted) return;
      clearTimeout(timer);
      const failed = firstFailure();
      if (failed === undefined) resolve();
      else reject(failed.error);
    };
    for (const [i, closing] of closings.entries()) {
      closing.done.then(
        () => settle(i),
        (error: unknown) => settle(i, { error }),
      );
    }
    if (timeoutMs === undefined || stop?.aborted) return;
    stop?.addEventListener('abort', () => clearTimeout(timer), { once: true });
    timer = setTimeout(() => {
      const pending = closings.filter((_, i) => !settled[i]);
      reject(
        new RouterCloseTimeoutError({
          operation,
          timeoutMs,
          deployments: pending.flatMap((c) => c.deployments ?? []),
          state: pending.some((c) => c.deployments === undefined),
          cause: firstFailure()?.error,
        }),
      );
    }, timeoutMs);
  });
}
