import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStore } from './memory-store';
import { createTokenBucket } from './token-bucket';

// Admissions read a clock reading up to 1 ms old (renewed by a 1 ms timer, which fake timers
// run): steps shorter than 1 ms leave it stale, which is what these tests are about.
beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(0);
});
afterEach(() => {
  vi.useRealTimers();
});

/** One bucket under test: the token bucket, or one key of a memory store. */
interface Subject {
  take(cost: number): boolean;
}

function bucketOf(ratePerSecond: number, capacity: number, exactClock = false): Subject {
  const bucket = createTokenBucket({ ratePerSecond, capacity, exactClock });
  return { take: (cost) => bucket.tryAcquire(cost) };
}

function storeKeyOf(ratePerSecond: number, capacity: number, exactClock = false): Subject {
  const store = createMemoryStore({ exactClock }).bind([
    { name: 'requests', ratePerSecond, capacity },
  ]);
  // A new key is a full bucket stamped now, like a new token bucket.
  store.take('k', [0]);
  return { take: (cost) => store.take('k', [cost]) === 0 };
}

const subjects = [
  { name: 'token bucket', make: bucketOf },
  { name: 'memory store key', make: storeKeyOf },
];

describe.each(subjects)('the coarse clock of admissions ($name)', ({ make }) => {
  it('confirms a refusal on the exact clock: a stale reading never refuses what an exact one admits', () => {
    const subject = make(4000, 1); // 4 tokens a ms, 1 at most
    expect(subject.take(1)).toBe(true);
    vi.advanceTimersByTime(0.5); // the coarse reading still says 0 ms: no token yet
    expect(subject.take(1)).toBe(true);
    expect(subject.take(1)).toBe(false);
  });

  it('stamps a full bucket with the exact time, so the refill it lost to the cap is not credited later', () => {
    const subject = make(1000, 2); // 1 token a ms, 2 at most
    expect(subject.take(0)).toBe(true); // reads the clock at 0 ms
    vi.advanceTimersByTime(0.9); // full all along; the coarse reading still says 0 ms
    expect(subject.take(2)).toBe(true);
    vi.advanceTimersByTime(0.1);
    // An exact clock: 0.1 token since the bucket was drained at 0.9 ms. Stamped with the stale
    // reading (0 ms), the bucket would count 1 token and admit.
    expect(subject.take(1)).toBe(false);
  });

  it('admits at most capacity + rate * (t2 - t1 + 1 ms) in any interval, at sub-millisecond steps', () => {
    expectIntervalBound(make, { exactClock: false, slackMs: 1 });
  });

  it('with exactClock: true, admits at most capacity + rate * (t2 - t1) at sub-millisecond steps', () => {
    expectIntervalBound(make, { exactClock: true, slackMs: 0 });
  });
});

/**
 * Property: over random calls 0 to 3 ms apart (in tenths of a ms), what a subject admits in any
 * interval [t1, t2] never exceeds capacity + rate * (t2 - t1 + slackMs).
 */
function expectIntervalBound(
  make: (rate: number, capacity: number, exactClock: boolean) => Subject,
  { exactClock, slackMs }: { exactClock: boolean; slackMs: number },
): void {
  fc.assert(
    fc.property(
      fc.record({
        rate: fc.integer({ min: 100, max: 5000 }),
        capacity: fc.integer({ min: 1, max: 10 }),
        steps: fc.array(
          fc.record({
            tenths: fc.integer({ min: 0, max: 30 }),
            cost: fc.integer({ min: 0, max: 4 }),
          }),
          { minLength: 1, maxLength: 150 },
        ),
      }),
      ({ rate, capacity, steps }) => {
        vi.setSystemTime(0);
        const subject = make(rate, capacity, exactClock);
        const admitted: { t: number; cost: number }[] = [];
        let t = 0;
        for (const { tenths, cost } of steps) {
          vi.advanceTimersByTime(tenths / 10);
          t += tenths / 10;
          const c = Math.min(cost, capacity);
          if (subject.take(c)) admitted.push({ t, cost: c });
        }
        for (let i = 0; i < admitted.length; i++) {
          let sum = 0;
          for (let j = i; j < admitted.length; j++) {
            sum += admitted[j]!.cost;
            const ms = admitted[j]!.t - admitted[i]!.t + slackMs;
            if (sum > capacity + (rate * ms) / 1000 + 1e-6) return false;
          }
        }
        return true;
      },
    ),
    { numRuns: 200 },
  );
}

describe('exactClock', () => {
  it('is checked like any option: a boolean, and an unknown key gets the closest known one', () => {
    expect(() => createTokenBucket({ ratePerSecond: 1, exactClock: 'yes' as never })).toThrow(
      new TypeError('Expected `exactClock` to be a boolean, got `"yes"` (string)'),
    );
    expect(() => createMemoryStore({ exactClock: 1 as never })).toThrow(
      new TypeError('Expected `exactClock` to be a boolean, got `1` (number)'),
    );
    expect(() => createTokenBucket({ ratePerSecond: 1, exactClok: true } as never)).toThrow(
      new TypeError('Unknown option `exactClok`: did you mean `exactClock`?'),
    );
    expect(() => createMemoryStore({ exactClok: true } as never)).toThrow(
      new TypeError('Unknown option `exactClok`: did you mean `exactClock`?'),
    );
  });
});
