import { describe, expect, it } from 'vitest';
import { settleLoad } from './settle';

/** A load average that reads each value of `loads` in turn, then the last one forever. */
function readings(loads: number[]): () => number {
  let i = 0;
  return () => loads[Math.min(i++, loads.length - 1)]!;
}

describe('settleLoad', () => {
  it('waits while the load is above the core count, then resolves with the time waited', async () => {
    const waits: number[] = [];
    const seen: number[] = [];
    const waited = await settleLoad({
      cores: 2,
      pollMs: 5_000,
      read: readings([4.7, 3.1, 2.2, 1.9]),
      wait: async (ms) => waits.push(ms),
      onWait: (load) => seen.push(load),
    });
    expect(waited).toBe(15_000);
    expect(waits).toEqual([5_000, 5_000, 5_000]);
    expect(seen).toEqual([4.7, 3.1, 2.2]);
  });

  it('does not wait on a quiet machine', async () => {
    let waits = 0;
    const waited = await settleLoad({ cores: 2, read: () => 0.4, wait: async () => waits++ });
    expect(waited).toBe(0);
    expect(waits).toBe(0);
  });

  it('gives up after maxWaitMs on a machine that stays busy', async () => {
    let waits = 0;
    const waited = await settleLoad({
      cores: 2,
      maxWaitMs: 20_000,
      pollMs: 5_000,
      read: () => 6,
      wait: async () => waits++,
    });
    expect(waited).toBe(20_000);
    expect(waits).toBe(4);
  });
});
