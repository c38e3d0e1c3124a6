import { Readable } from 'node:stream';
import { createCalibrator } from '@x/tokens';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createOllamaProvider, type OllamaProvider } from './provider';

const providers: OllamaProvider[] = [];
afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
});

/** An answer counted as the heuristic counts this prompt, so every one is a plausible sample. */
const answer = `${JSON.stringify({
  model: 'llama3.2',
  created_at: '2026-12-03T04:05:34Z',
  message: { role: 'assistant', content: 'hi' },
  done: true,
  done_reason: 'stop',
  prompt_eval_count: 12,
  eval_count: 1,
})}\n`;

function counted() {
  const calibrator = createCalibrator();
  const observe = calibrator.observe.bind(calibrator);
  const seen = { count: 0 };
  calibrator.observe = (observation) => {
    seen.count++;
    return observe(observation);
  };
  const provider = createOllamaProvider({
    baseUrl: 'http://127.0.0.1:9',
    pool: false,
    cache: false,
    rateLimit: false,
    tokens: { calibrator },
    transport: async () => ({
      statusCode: 200,
      headers: { 'content-type': 'application/x-ndjson' },
      body: Readable.from([Buffer.from(answer)]),
    }),
  });
  providers.push(provider);
  const calls = async (n: number) => {
    for (let i = 0; i < n; i++) {
      await provider.complete({
        model: 'llama3.2',
        messages: [{ role: 'user', content: 'Say hello to user one.' }],
      });
    }
  };
  return { calibrator, seen, calls };
}

describe('teaching the calibrator', () => {
  it('observes every answer until calibrated, one in eight until settled, then one in 64', async () => {
    const { calibrator, seen, calls } = counted();
    await calls(3);
    expect(seen.count).toBe(3);
    expect(calibrator.get('llama3.2', 'ollama')?.ready).toBe(true);
    // 61 more observations, one answer in eight, reach 64.
    await calls(61 * 8);
    expect(seen.count).toBe(64);
    expect(calibrator.get('llama3.2', 'ollama')?.observations).toBe(64);
    const settled = seen.count;
    // One in 64, each at least 100 ms after the last (the clock moved on by hand).
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      for (let i = 0; i < 10; i++) {
        vi.advanceTimersByTime(100);
        await calls(64);
      }
    } finally {
      vi.useRealTimers();
    }
    expect(seen.count - settled).toBe(10);
  });

  it('observes a settled model at most once per 100 ms, however many answers arrive', async () => {
    const { seen, calls } = counted();
    await calls(3 + 61 * 8);
    expect(seen.count).toBe(64);
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      // The clock stands still: ten answers in 64 would be sampled, one is observed.
      await calls(640);
      expect(seen.count).toBe(65);
      vi.advanceTimersByTime(99);
      await calls(64);
      expect(seen.count).toBe(65);
      vi.advanceTimersByTime(1);
      await calls(64);
      expect(seen.count).toBe(66);
    } finally {
      vi.useRealTimers();
    }
  });

  it('teaches a model the calibrator forgot on every answer again', async () => {
    const { calibrator, seen, calls } = counted();
    await calls(3 + 61 * 8);
    expect(calibrator.get('llama3.2', 'ollama')?.observations).toBe(64);
    calibrator.clear('llama3.2', 'ollama');
    // At most 64 answers until a sampled one finds the model gone, then every answer until ready.
    await calls(64 + 2);
    expect(calibrator.get('llama3.2', 'ollama')?.ready).toBe(true);
    const before = seen.count;
    await calls(8);
    expect(seen.count - before).toBeLessThanOrEqual(2);
  });
});
