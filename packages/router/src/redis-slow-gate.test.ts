import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_PROBE_GAP_MS, SlowRedisGate } from './redis-slow-gate';

afterEach(() => {
  vi.useRealTimers();
});

describe('SlowRedisGate', () => {
  it('sends the next probe after the base gap once Redis answers in time again', async () => {
    vi.useFakeTimers();
    let reply: unknown;
    const probe = vi.fn(async () => reply);
    const gate = new SlowRedisGate(100, probe);
    gate.timedOut();
    // Probes that time out space the next ones twice as far each: 100, 200, ... 6,400 ms.
    let waited = 0;
    for (let gap = 100; gap < MAX_PROBE_GAP_MS; gap *= 2) {
      await vi.advanceTimersByTimeAsync(gap);
      waited++;
    }
    expect(probe).toHaveBeenCalledTimes(waited);
    // The next probe now waits 10 s; a command answered in time brings it to 100 ms.
    reply = 1;
    expect(gate.answered(true)).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    expect(probe).toHaveBeenCalledTimes(waited + 1);
    expect(gate.answered(true)).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    expect(probe).toHaveBeenCalledTimes(waited + 2);
    expect(gate.answered(true)).toBe(true);
    expect(gate.gated).toBe(false);
    gate.close();
  });
});
