import { describe, expect, it, vi } from 'vitest';
import { ask } from './__fixtures__/server';
import { simSetup } from './__fixtures__/sim-provider';

const { setup } = simSetup();

describe('token accounting', () => {
  it('feeds prompt_eval_count to the calibrator and reports drift and cost', async () => {
    const { provider } = await setup();
    for (let i = 0; i < 6; i++) {
      await provider.complete(
        ask(`Tell me about the number ${i} and why it matters to mathematicians.`),
      );
    }
    const stats = provider.stats();
    expect(stats.estimateDrift.samples).toBe(6);
    expect(stats.estimateDrift.meanRatio).toBeGreaterThan(0);
    const response = await provider.complete(ask('How are you?'));
    expect(response.costUsd).toBe(0);
    expect(response.estimatedPromptTokens).toBeGreaterThan(0);
  });

  it('charges estimated tokens to the limiter and corrects them with the real usage', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'performance'] });
    const { provider } = await setup({
      rateLimit: { requestsPerSecond: 1000, tokensPerMinute: 6_000 },
    });
    const response = await provider.complete(ask('Count my tokens please, all of them.'));
    const used = response.usage.totalTokens!;
    expect(response.estimatedPromptTokens).not.toBe(used);
    await vi.advanceTimersByTimeAsync(0);
    const limiter = provider.rateLimiter!;
    // No time passed: the bucket holds exactly the capacity minus what the server counted.
    expect(await limiter.waitTimeMs('ollama', { tokens: 6_000 - used })).toBe(0);
    expect(await limiter.waitTimeMs('ollama', { tokens: 6_000 - used + 1 })).toBeGreaterThan(0);
    expect(limiter.stats().admitted).toBe(1);
  });
});
