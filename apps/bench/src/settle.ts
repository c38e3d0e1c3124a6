/**
 * Waiting for the machine to settle before a published run. The run's verdicts are void when the
 * one-minute load average is above the core count at its start (`noise.ts`), and the build that
 * `pnpm bench:publish` runs first (or a test run just before) is itself such load: without a
 * wait, the work of the command's own first step voids the run. The load average falls by
 * about a factor e a minute once the work ends, so a machine that was only busy with that settles
 * within two; one that stays busy is measured anyway, and its verdicts are marked noisy.
 */
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SettleOptions {
  /** Cores of the machine: the load the run may start at. */
  cores?: number | undefined;
  /** Longest wait before measuring anyway. */
  maxWaitMs?: number | undefined;
  /** Interval between two readings of the load average. */
  pollMs?: number | undefined;
  /** The one-minute load average (`os.loadavg()[0]`); replaced in tests. */
  read?: (() => number) | undefined;
  /** Waits `ms` (replaced in tests). */
  wait?: ((ms: number) => Promise<unknown>) | undefined;
  /** Told each reading above the limit, with the time waited so far. */
  onWait?: ((load: number, waitedMs: number) => void) | undefined;
}

/**
 * Waits until the one-minute load average is at most the core count, or `maxWaitMs` passed.
 * Resolves with the milliseconds waited.
 */
export async function settleLoad(options: SettleOptions = {}): Promise<number> {
  const cores = options.cores ?? cpus().length;
  const maxWaitMs = options.maxWaitMs ?? 180_000;
  const pollMs = options.pollMs ?? 5_000;
  const read = options.read ?? (() => loadavg()[0]!);
  const wait = options.wait ?? sleep;
  let waited = 0;
  for (let load = read(); load > cores && waited < maxWaitMs; load = read()) {
    options.onWait?.(load, waited);
    await wait(pollMs);
    waited += pollMs;
  }
  return waited;
}
