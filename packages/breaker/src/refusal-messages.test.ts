import { describe, expect, it, vi } from 'vitest';
import { after, fail, useFakeClock } from './__fixtures__/calls';
import { BreakerProbeTimeoutError, createBreaker } from './index';

// Every refusal names the breaker, says why, and ends with what the caller can do about it.

useFakeClock();

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('the call ran'),
    (error: Error) => error.message,
  );

describe('createBreaker refusals', () => {
  it("tells an open breaker's caller when to retry, from the open time left", async () => {
    const breaker = createBreaker({ name: 'llm', failureThreshold: 1, openTimeoutMs: 6_000 });
    await fail(breaker);
    expect(await refusal(breaker.execute(() => 'never'))).toBe(
      'Breaker "llm" is open: retry after 6000 ms',
    );
    await vi.advanceTimersByTimeAsync(2_500);
    expect(await refusal(breaker.execute(() => 'never'))).toBe(
      'Breaker "llm" is open: retry after 3500 ms',
    );
  });

  it('never says "retry after 0 ms" when a listener keeps reopening a breaker whose open time is over', async () => {
    const breaker = createBreaker({ name: 'llm', failureThreshold: 1, openTimeoutMs: 0 });
    let reopened = 0;
    breaker.onStateChange((event) => {
      if (event.to !== 'half-open') return;
      reopened++;
      breaker.open();
    });
    await fail(breaker);
    const message = await refusal(breaker.execute(() => 'never'));
    expect(message).toBe(
      `Breaker "llm" is open: its open time is over, but a state-change listener reopened it ${reopened} times in a row; retry now, or stop the listener reopening it`,
    );
    expect(message).not.toContain('0 ms');
  });

  it("tells an isolated breaker's caller how to resume", async () => {
    const breaker = createBreaker({ name: 'llm' });
    breaker.isolate();
    expect(await refusal(breaker.execute(() => 'never'))).toBe(
      'Breaker "llm" is isolated: call the release function isolate() returned to resume',
    );
  });

  it('names the option that adds probe slots when every one is busy', async () => {
    const breaker = createBreaker({ name: 'llm', failureThreshold: 1, openTimeoutMs: 100 });
    await fail(breaker);
    await vi.advanceTimersByTimeAsync(100);
    const probe = breaker.execute(() => after(1_000, 'probed'));
    expect(await refusal(breaker.execute(() => 'never'))).toBe(
      'Breaker "llm" is half-open and all 1 probe slots are busy: retry when a probe settles, or raise `halfOpenMaxProbes`',
    );
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(probe).resolves.toBe('probed');
  });

  it('names the deadline to shorten or the option to raise when a probe hangs', async () => {
    const breaker = createBreaker({
      name: 'llm',
      failureThreshold: 1,
      openTimeoutMs: 100,
      probeTimeoutMs: 250,
    });
    await fail(breaker);
    await vi.advanceTimersByTimeAsync(100);
    const probe = breaker.execute((signal) => after(10_000, signal.aborted));
    const settled = probe.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(250);
    const error = await settled;
    expect(error).toBeInstanceOf(BreakerProbeTimeoutError);
    expect((error as Error).message).toBe(
      'Breaker "llm": probe did not settle within 250 ms; give the call a shorter deadline, or raise `probeTimeoutMs`',
    );
    await vi.advanceTimersByTimeAsync(10_000);
  });
});
