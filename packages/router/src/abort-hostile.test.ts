import { afterEach, describe, expect, it, vi } from 'vitest';
import { HI, textChunk } from './__fixtures__/fake-provider';
import {
  expectCancelledOnly,
  hostileProvider,
  routerOver,
  watch,
} from './__fixtures__/hostile-provider';

/**
 * The caller's abort ends its router call at once, whatever its provider does: a provider of the
 * caller's own may ignore its signal and never settle, and the caller must not wait for it. The
 * call counts as cancelled (no failure, no cooldown), and what the provider does afterwards is
 * dropped unread. Fake timers: nothing here waits on I/O, and the router must leave no timer.
 */

afterEach(() => {
  vi.useRealTimers();
});

const REASON = new Error('the caller gave up');

describe('a caller abort against a provider that ignores its signal', () => {
  it.each([
    ['complete()', 'complete'],
    ['embed()', 'embed'],
  ] as const)('%s rejects with the signal reason at once', async (_, op) => {
    vi.useFakeTimers();
    const { provider, answers } = hostileProvider();
    const { router, told } = routerOver(provider, false);
    const controller = new AbortController();
    const call = watch(
      op === 'complete'
        ? router.complete({ model: 'chat', messages: HI, signal: controller.signal })
        : router.embed({ model: 'chat', input: 'hi', signal: controller.signal }),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(answers).toHaveLength(1);
    expect(call.settled).toBe(false);
    controller.abort(REASON);
    await vi.advanceTimersByTimeAsync(0);
    expect(call).toEqual({ settled: true, error: REASON });
    // The provider settling afterwards changes nothing.
    answers[0]!.reject(new Error('socket hang up'));
    await vi.advanceTimersByTimeAsync(0);
    expectCancelledOnly(router, told);
    await router.destroy();
  });

  it("a stream's first chunk that never comes: the next() rejects with the signal reason", async () => {
    vi.useFakeTimers();
    const { provider } = hostileProvider({ first: 'none' });
    const { router, told } = routerOver(provider, false);
    const controller = new AbortController();
    const iterator = router
      .stream({ model: 'chat', messages: HI, signal: controller.signal })
      [Symbol.asyncIterator]();
    const next = watch(iterator.next());
    await vi.advanceTimersByTimeAsync(0);
    expect(next.settled).toBe(false);
    controller.abort(REASON);
    await vi.advanceTimersByTimeAsync(0);
    expect(next).toEqual({ settled: true, error: REASON });
    expectCancelledOnly(router, told);
    await router.destroy();
  });

  it("a stream's next chunk that never comes: the next() rejects with the signal reason", async () => {
    vi.useFakeTimers();
    const { provider, chunks } = hostileProvider({ first: 'chunk' });
    const { router, told } = routerOver(provider, false);
    const controller = new AbortController();
    const iterator = router
      .stream({ model: 'chat', messages: HI, signal: controller.signal })
      [Symbol.asyncIterator]();
    await expect(iterator.next()).resolves.toMatchObject({ done: false });
    const next = watch(iterator.next());
    await vi.advanceTimersByTimeAsync(0);
    expect(next.settled).toBe(false);
    controller.abort(REASON);
    await vi.advanceTimersByTimeAsync(0);
    expect(next).toEqual({ settled: true, error: REASON });
    chunks[0]?.resolve({ done: false, value: textChunk('late') });
    await vi.advanceTimersByTimeAsync(0);
    expectCancelledOnly(router, told);
    await router.destroy();
  });
});
