import { describe, expect, it } from 'vitest';
import { runLoad } from './engine';

describe('runLoad', () => {
  it('runs exactly the requested count and counts outcomes by error code when some fail', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const r = await runLoad({
      concurrency: 4,
      requests: 40,
      request: async (i) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((res) => setImmediate(res));
        inFlight--;
        if (i % 10 === 0) throw Object.assign(new Error('busy'), { code: 'X_TEST_BUSY' });
      },
    });
    expect(r.started).toBe(40);
    expect(r.ok).toBe(36);
    expect(r.outcomes).toEqual({ ok: 36, X_TEST_BUSY: 4 });
    expect(r.errorRate).toBeCloseTo(0.1);
    expect(maxInFlight).toBe(4);
    expect(r.records).toHaveLength(40);
    expect(r.latency.count).toBe(36);
  });
  it('stops when the duration has passed when no count is given', async () => {
    const r = await runLoad({
      concurrency: 2,
      durationMs: 30,
      request: () => new Promise((res) => setTimeout(res, 1)),
      sample: () => ({ x: 1 }),
      sampleEveryMs: 5,
    });
    expect(r.started).toBeGreaterThan(0);
    expect(r.series.length).toBeGreaterThanOrEqual(2);
    expect(r.series[0]).toMatchObject({ x: 1 });
  });
  it('throws when neither a count nor a duration is given', async () => {
    await expect(runLoad({ concurrency: 1, request: async () => {} })).rejects.toThrow(TypeError);
  });
});
