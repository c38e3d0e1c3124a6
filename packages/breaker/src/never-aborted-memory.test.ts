import { memoryAfterGc } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { createBreaker } from './index';

const MB = 1e6;
const CALLS = 200_000;

/**
 * Heap after a full collection, once the finalizers it queued (Node's own, which drop a derived
 * signal's references) have run: they run as tasks, after the collection.
 */
async function heapAfterGc(): Promise<number> {
  memoryAfterGc();
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  return memoryAfterGc().heapUsed;
}

describe('the signal given to fn when the caller passes none', () => {
  // `AbortSignal.any([signal, ...])` leaves a weak reference in its source that Node 20 never
  // removes: with one signal shared for good, about 53 bytes a call stayed (10.6 MB here).
  it('retains no memory per call when fn derives a signal from it with AbortSignal.any', async () => {
    const breaker = createBreaker({ failureThreshold: Number.POSITIVE_INFINITY });
    const fn = async (signal: AbortSignal): Promise<boolean> =>
      AbortSignal.any([signal, new AbortController().signal]).aborted;
    for (let i = 0; i < 2_000; i++) await breaker.execute(fn);
    const before = await heapAfterGc();
    for (let i = 0; i < CALLS; i++) await breaker.execute(fn);
    const retained = (await heapAfterGc()) - before;
    expect(retained).toBeLessThan(2 * MB);
    expect(breaker.stats().successes).toBe(CALLS + 2_000);
  }, 60_000);
});
