import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FaultPicker } from './fault-picker';

describe('FaultPicker', () => {
  it('draws uniform latencies within [min, max] for any seed and range', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(10_000), fc.nat(10_000), (seed, a, b) => {
        const [min, max] = a <= b ? [a, b] : [b, a];
        const picker = new FaultPicker({
          seed,
          rules: [{ fault: { kind: 'latency', ms: { min, max } } }],
        });
        for (let i = 0; i < 5; i++) {
          const ms = picker.pick('/api/chat', undefined).latencyMs;
          expect(ms).toBeGreaterThanOrEqual(min);
          expect(ms).toBeLessThanOrEqual(max);
        }
      }),
    );
  });

  it('draws non-negative exponential and normal latencies with a mean near the configured one', () => {
    const mean = (spec: object) => {
      const picker = new FaultPicker({
        seed: 1,
        rules: [{ fault: { kind: 'latency', ms: spec as never } }],
      });
      let sum = 0;
      for (let i = 0; i < 4000; i++) {
        const ms = picker.pick('/', undefined).latencyMs;
        expect(ms).toBeGreaterThanOrEqual(0);
        sum += ms;
      }
      return sum / 4000;
    };
    expect(mean({ distribution: 'exponential', mean: 100 })).toBeGreaterThan(90);
    expect(mean({ distribution: 'exponential', mean: 100 })).toBeLessThan(110);
    expect(mean({ distribution: 'normal', mean: 100, stddev: 10 })).toBeCloseTo(100, 0);
  });

  it('applies a probability close to its rate over many requests', () => {
    fc.assert(
      fc.property(fc.nat(), fc.double({ min: 0, max: 1, noNaN: true }), (seed, p) => {
        const picker = new FaultPicker({
          seed,
          rules: [{ fault: { kind: 'status', status: 500 }, probability: p }],
        });
        let hits = 0;
        for (let i = 0; i < 2000; i++) if (picker.pick('/', undefined).status) hits++;
        expect(Math.abs(hits / 2000 - p)).toBeLessThan(0.06);
      }),
      { numRuns: 20 },
    );
  });
});
