import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CountWindow, TIME_BUCKETS, TimeWindow } from './window';

const outcome = fc.record({ failure: fc.boolean(), slow: fc.boolean() });

describe('CountWindow', () => {
  it('always holds the counts of the last size outcomes (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(outcome, { maxLength: 100 }),
        (size, outcomes) => {
          const window = new CountWindow(size);
          outcomes.forEach((o, i) => {
            window.record(0, o.failure, o.slow);
            const last = outcomes.slice(Math.max(0, i + 1 - size), i + 1);
            expect(window.total).toBe(last.length);
            expect(window.failures).toBe(last.filter((x) => x.failure).length);
            expect(window.slow).toBe(last.filter((x) => x.slow).length);
          });
        },
      ),
    );
  });

  it('restores the same counts from its snapshot, keeping the newest outcomes (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(outcome, { maxLength: 60 }),
        (size, newSize, outcomes) => {
          const window = new CountWindow(size);
          for (const o of outcomes) window.record(0, o.failure, o.slow);
          const restored = new CountWindow(newSize);
          restored.restore(window.snapshot());
          const last = outcomes.slice(-Math.min(size, newSize));
          expect(restored.total).toBe(last.length);
          expect(restored.failures).toBe(last.filter((x) => x.failure).length);
        },
      ),
    );
  });
});

describe('TimeWindow', () => {
  it('counts exactly the outcomes whose bucket is among the last 10 (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 10_000 }),
        fc.array(
          fc.record({
            gap: fc.integer({ min: 0, max: 3_000 }),
            failure: fc.boolean(),
            slow: fc.boolean(),
          }),
          {
            maxLength: 60,
          },
        ),
        (durationMs, steps) => {
          const window = new TimeWindow(durationMs);
          const bucketMs = durationMs / TIME_BUCKETS;
          const seen: { bucket: number; failure: boolean; slow: boolean }[] = [];
          let now = 0;
          for (const step of steps) {
            now += step.gap;
            window.record(now, step.failure, step.slow);
            seen.push({ bucket: Math.floor(now / bucketMs), ...step });
            const head = Math.floor(now / bucketMs);
            const live = seen.filter((s) => s.bucket > head - TIME_BUCKETS);
            expect(window.total).toBe(live.length);
            expect(window.failures).toBe(live.filter((s) => s.failure).length);
            expect(window.slow).toBe(live.filter((s) => s.slow).length);
          }
        },
      ),
    );
  });

  it('empties after an idle gap of a whole window', () => {
    const window = new TimeWindow(1_000);
    window.record(0, true, false);
    window.record(50, true, true);
    window.advance(1_100);
    expect([window.total, window.failures, window.slow]).toEqual([0, 0, 0]);
  });

  it('restores buckets shifted by the time elapsed since the snapshot', () => {
    const window = new TimeWindow(1_000);
    window.record(0, true, false);
    window.record(550, false, false);
    const snapshot = window.snapshot(550);
    const restored = new TimeWindow(1_000);
    restored.restore(snapshot, 450, 10_000); // the bucket from t=0 is now 1000 ms old
    expect([restored.total, restored.failures]).toEqual([1, 0]);
    const fresh = new TimeWindow(1_000);
    fresh.restore(snapshot, 0, 10_000);
    expect([fresh.total, fresh.failures]).toEqual([2, 1]);
  });
});
