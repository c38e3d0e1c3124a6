import { describe, expect, it } from 'vitest';
import { addRatios, calibrateAsyncBatch, calibrateBatch, runConsumed } from './micro';
import { profiles } from './profiles';
import type { MicroRow, Role } from './results';

/** A case whose first call is slow, as cold code is (real clock: it busy-waits 200 µs once). */
function coldThenCheap(): () => number {
  let calls = 0;
  return () => {
    if (calls++ === 0) {
      const end = performance.now() + 0.2;
      while (performance.now() < end);
    }
    return calls;
  };
}

describe('calibrateBatch', () => {
  it('sizes the batch of a case on its warm calls, not on its slow first call', () => {
    expect(calibrateBatch(coldThenCheap())).toBeGreaterThan(1);
  });
});

describe('calibrateAsyncBatch', () => {
  it('sizes the batch of an async case on its warm calls, not on its slow first call', async () => {
    const cheap = coldThenCheap();
    expect(await calibrateAsyncBatch(async () => cheap())).toBeGreaterThan(1);
  });
});

describe('runConsumed', () => {
  it('calls the case once per iteration and reads every result when run', () => {
    const results: number[] = [];
    let reads = 0;
    const value = {
      valueOf() {
        reads++;
        return 1;
      },
    };
    runConsumed(() => {
      results.push(1);
      return value;
    }, 5);
    expect(results).toHaveLength(5);
    // compared by identity, never converted: a result's own code is not run by the sink
    expect(reads).toBe(0);
  });
});

describe('addRatios', () => {
  const row = (library: string, role: Role, opsPerSec: number): MicroRow => ({
    name: library,
    library,
    role,
    concurrency: 1,
    opsPerSec,
    samples: [],
    spreadPct: 0,
    nsPerOp: 1e9 / opsPerSec,
    ratios: [],
  });
  it('marks a target by the ratio the report stores and prints, not a more precise one', () => {
    // 94,996 / 100,000 is stored and printed as 0.95: the check reads the same 0.95
    const rows = [row('ours', 'ours', 94_996), row('peer', 'peer', 100_000)];
    addRatios(rows, [{ vs: 'peer', min: 0.95 }]);
    expect(rows[0]!.ratios).toEqual([{ vs: 'peer', ratio: 0.95, target: 0.95, met: true }]);
  });
  it('marks a target missed when the stored ratio is below it', () => {
    const rows = [row('ours', 'ours', 94_940), row('peer', 'peer', 100_000)];
    addRatios(rows, [{ vs: 'peer', min: 0.95 }]);
    expect(rows[0]!.ratios).toEqual([{ vs: 'peer', ratio: 0.949, target: 0.95, met: false }]);
  });
});

describe('profiles', () => {
  it('runs the same comparisons in --quick as in the full profile, with fewer samples', () => {
    expect(profiles.quick.concurrencyLevels).toEqual(profiles.full.concurrencyLevels);
    expect(profiles.quick.samples).toBeLessThan(profiles.full.samples);
  });
});
