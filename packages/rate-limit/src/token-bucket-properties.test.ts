import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { useFakeClock } from './__fixtures__/test-setup';
import { createTokenBucket } from './token-bucket';

// Properties over random traffic on the fake clock: the interval bound, long-run throughput and
// FIFO order.

useFakeClock();

describe('token bucket properties', () => {
  it('never admits more than capacity + rate * (t2 - t1) in any interval [t1, t2]', () => {
    fc.assert(
      fc.property(
        fc.record({
          rate: fc.integer({ min: 1, max: 200 }),
          capacity: fc.integer({ min: 1, max: 20 }),
          steps: fc.array(
            fc.record({
              dt: fc.integer({ min: 0, max: 300 }),
              cost: fc.integer({ min: 1, max: 20 }),
            }),
            { minLength: 1, maxLength: 120 },
          ),
        }),
        ({ rate, capacity, steps }) => {
          vi.setSystemTime(0);
          const bucket = createTokenBucket({ ratePerSecond: rate, capacity });
          const admitted: { t: number; cost: number }[] = [];
          let t = 0;
          for (const { dt, cost } of steps) {
            vi.advanceTimersByTime(dt);
            t += dt;
            const c = Math.min(cost, capacity);
            if (bucket.tryAcquire(c)) admitted.push({ t, cost: c });
          }
          for (let i = 0; i < admitted.length; i++) {
            let sum = 0;
            for (let j = i; j < admitted.length; j++) {
              sum += admitted[j]!.cost;
              const bound = capacity + (rate * (admitted[j]!.t - admitted[i]!.t)) / 1000;
              if (sum > bound + 1e-6) return false;
            }
          }
          return true;
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps the interval bound when admissions come from the acquire() queue', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 10 }),
        fc.array(
          fc.record({
            cost: fc.integer({ min: 1, max: 10 }),
            gap: fc.integer({ min: 0, max: 80 }),
          }),
          {
            minLength: 1,
            maxLength: 60,
          },
        ),
        async (rate, capacity, calls) => {
          const bucket = createTokenBucket({ ratePerSecond: rate, capacity });
          const admitted: { t: number; cost: number }[] = [];
          const all: Promise<unknown>[] = [];
          for (const { cost, gap } of calls) {
            const c = Math.min(cost, capacity);
            all.push(
              bucket.acquire(c).then(() => admitted.push({ t: performance.now(), cost: c })),
            );
            await vi.advanceTimersByTimeAsync(gap);
          }
          await vi.advanceTimersByTimeAsync((calls.length * 10 * 1000) / rate + 1000);
          await Promise.all(all);
          admitted.sort((a, b) => a.t - b.t);
          for (let i = 0; i < admitted.length; i++) {
            let sum = 0;
            for (let j = i; j < admitted.length; j++) {
              sum += admitted[j]!.cost;
              expect(sum).toBeLessThanOrEqual(
                capacity + (rate * (admitted[j]!.t - admitted[i]!.t)) / 1000 + 1e-6,
              );
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('keeps long-run throughput within 1% of the rate for a saturating caller', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 5, max: 120 }),
        // capacity >= cost + rate * 1 ms: timers fire on whole ms, and with no headroom the
        // tokens accrued during that last fraction of a ms would be clipped (see the README)
        fc.integer({ min: 2, max: 5 }),
        async (rate, capacity) => {
          const bucket = createTokenBucket({ ratePerSecond: rate, capacity, initialTokens: 0 });
          const seconds = Math.ceil(4000 / rate);
          let admitted = 0;
          let running = true;
          const loop = (async () => {
            while (running) {
              await bucket.acquire(1);
              admitted++;
            }
          })();
          await vi.advanceTimersByTimeAsync(seconds * 1000);
          running = false;
          await vi.advanceTimersByTimeAsync(1000);
          await loop;
          const last = admitted - 1; // the acquire in flight when the run ended
          expect(Math.abs(last / seconds - rate) / rate).toBeLessThanOrEqual(0.01);
        },
      ),
      { numRuns: 12 },
    );
  });

  it('admits acquire() callers in FIFO order under mixed costs, aborts and timeouts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            cost: fc.integer({ min: 1, max: 8 }),
            abortAfter: fc.option(fc.integer({ min: 0, max: 2000 }), { nil: undefined }),
            timeoutMs: fc.option(fc.integer({ min: 0, max: 3000 }), { nil: undefined }),
            gap: fc.integer({ min: 0, max: 50 }),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        async (calls) => {
          const bucket = createTokenBucket({ ratePerSecond: 20, capacity: 8, initialTokens: 0 });
          const order: number[] = [];
          const outcomes: Promise<unknown>[] = [];
          for (const [i, call] of calls.entries()) {
            const controller = new AbortController();
            if (call.abortAfter !== undefined) {
              setTimeout(() => controller.abort(new Error('abort')), call.abortAfter);
            }
            outcomes.push(
              bucket
                .acquire(call.cost, { signal: controller.signal, timeoutMs: call.timeoutMs })
                .then(() => order.push(i))
                .catch(() => {}),
            );
            await vi.advanceTimersByTimeAsync(call.gap);
          }
          await vi.advanceTimersByTimeAsync(20_000);
          await Promise.all(outcomes);
          expect(order).toEqual([...order].sort((a, b) => a - b));
          expect(bucket.stats().queued).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });
});
