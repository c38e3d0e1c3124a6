import { until } from '@x/internal/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lines, send } from './__fixtures__/client';
import { startOllamaSim } from './sim';

afterEach(() => {
  vi.useRealTimers();
});

describe('startOllamaSim under vi.useFakeTimers()', () => {
  it('answers and paces tokens on fake time with the default faked globals', async () => {
    vi.useFakeTimers();
    const sim = await startOllamaSim({ tokensPerSecond: 4, responseTokens: { min: 4, max: 4 } });
    try {
      const pending = send(sim.url, '/api/chat', {
        body: { model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] },
      });
      // Four tokens at 4 per second: one second of fake time, however fast the machine is.
      await until(() => sim.stats().active === 1);
      await vi.advanceTimersByTimeAsync(1000);
      const res = await pending;
      const final = lines(res.text).at(-1)!;
      expect(final.done).toBe(true);
      expect(final.eval_duration).toBe(1_000_000_000);
    } finally {
      await sim.close();
    }
  });
});
