import { setImmediate as realSetImmediate } from 'node:timers';
import { vi } from 'vitest';

/**
 * Waits until `check()` holds, bounded (a bug fails the test, never hangs it): for conditions that
 * real I/O on loopback makes true (a socket closed, a request received).
 *
 * With real timers it is `vi.waitFor`. Under fake timers `vi.waitFor` would advance the fake
 * clock at every check, moving the very time a test measures; there it turns the event loop with
 * the real `setImmediate` instead (I/O flows, fake time stands still), bounded by real time.
 */
export async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  if (!vi.isFakeTimers()) {
    await vi.waitFor(
      () => {
        if (!check()) throw new Error('condition not reached');
      },
      { timeout: timeoutMs, interval: 1 },
    );
    return;
  }
  const start = process.hrtime.bigint();
  while (!check()) {
    if (Number(process.hrtime.bigint() - start) / 1e6 > timeoutMs) {
      throw new Error('condition not reached');
    }
    await new Promise<void>((resolve) => realSetImmediate(resolve));
  }
}

/**
 * What `promise` settles with within `ms` (a rejection as `{ rejected: error }`), or `'late'`:
 * for a test that a call ends at once rather than at a deadline far past `ms`.
 */
export async function within(promise: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  const settled = promise.then(
    (value) => value,
    (error: unknown) => ({ rejected: error }),
  );
  return Promise.race([settled, late]).finally(() => clearTimeout(timer));
}
