import { type Deferred, deferred } from '@x/internal';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HI } from './__fixtures__/fake-provider';
import { hostileProvider, watch } from './__fixtures__/hostile-provider';
import { scriptedState } from './__fixtures__/routers';
import { isRouterClosedError, isRouterCloseTimeoutError, RouterCloseTimeoutError } from './errors';
import { createRouter, type Router } from './router';

/**
 * `close()` and `destroy()` wait for what they close (the providers they own, the shared state)
 * at most `closeTimeoutMs` (10 s by default): a provider of the caller's own whose `destroy()`
 * or `close()` never settles must not leave the router's promise pending for ever. Fake timers:
 * nothing here waits on I/O, and no timer may be left once the promise settled.
 */

afterEach(() => {
  vi.useRealTimers();
});

/** A provider whose `close()` and `destroy()` settle when the test says (which may be never). */
function slowToEnd(options: { destroy?: boolean } = {}) {
  const { provider, answers } = hostileProvider();
  const closes: Deferred<void>[] = [];
  const destroys: Deferred<void>[] = [];
  const ending = Object.assign(provider, {
    close: () => {
      const closed = deferred<void>();
      closes.push(closed);
      return closed.promise;
    },
    ...(options.destroy === false
      ? {}
      : {
          destroy: () => {
            const destroyed = deferred<void>();
            destroys.push(destroyed);
            return destroyed.promise;
          },
        }),
  });
  return { provider: ending, answers, closes, destroys };
}

/** A provider that closes and is destroyed at once. */
function quickToEnd() {
  const { provider } = hostileProvider();
  return Object.assign(provider, { destroy: async () => {} });
}

function over(
  providers: { a: object; b?: object; c?: object },
  options: { closeTimeoutMs?: number; closeProviders?: boolean } = {},
): Router {
  // `a` first: every call goes to it
  const deployments = Object.entries(providers).map(([id, provider], priority) => ({
    id,
    group: 'chat',
    provider: provider as ReturnType<typeof quickToEnd>,
    model: 'm',
    priority,
  }));
  return createRouter({ deployments, closeProviders: true, ...options });
}

describe('Router.destroy', () => {
  it("rejects with RouterCloseTimeoutError naming the deployments whose provider's destroy() never settles", async () => {
    vi.useFakeTimers();
    const stuck = slowToEnd();
    // one provider behind two deployments: both named
    const router = over({ a: stuck.provider, b: quickToEnd(), c: stuck.provider });
    const call = watch(router.complete({ model: 'chat', messages: HI }));
    await vi.advanceTimersByTimeAsync(0);
    const destroyed = watch(router.destroy());
    await vi.advanceTimersByTimeAsync(0);
    // the calls end at once, as before; only the answer waits for the providers
    expect(isRouterClosedError(call.error)).toBe(true);
    expect(stuck.destroys).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(destroyed.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(destroyed.settled).toBe(true);
    const error = destroyed.error as RouterCloseTimeoutError;
    expect(isRouterCloseTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({
      name: 'RouterCloseTimeoutError',
      code: 'X_ROUTER_CLOSE_TIMEOUT',
      kind: 'timeout',
      retryable: false,
      operation: 'destroy',
      timeoutMs: 10_000,
      deployments: ['a', 'c'],
      state: false,
    });
    expect(error.message).toBe(
      'The router\'s destroy() stopped waiting after 10000 ms: the provider of deployments "a", "c" did not finish',
    );
    expect(vi.getTimerCount()).toBe(0);
    // idempotent, and close() answers the same
    await expect(router.destroy()).rejects.toBe(error);
    await expect(router.close()).rejects.toBe(error);
    // what the provider does afterwards reaches no one
    stuck.destroys[0]!.reject(new Error('late'));
    await vi.advanceTimersByTimeAsync(0);
  });

  it('waits for a provider without destroy() whose close() never settles as long, and no longer', async () => {
    vi.useFakeTimers();
    const stuck = slowToEnd({ destroy: false });
    const router = over({ a: stuck.provider }, { closeTimeoutMs: 200 });
    const destroyed = watch(router.destroy());
    await vi.advanceTimersByTimeAsync(199);
    expect(stuck.closes).toHaveLength(1);
    expect(destroyed.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(destroyed.error).toMatchObject({ operation: 'destroy', deployments: ['a'] });
  });

  it('resolves as soon as a slow provider settles within the bound, leaving no timer', async () => {
    vi.useFakeTimers();
    const slow = slowToEnd();
    const router = over({ a: slow.provider });
    const destroyed = watch(router.destroy());
    await vi.advanceTimersByTimeAsync(5_000);
    slow.destroys[0]!.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(destroyed).toEqual({ settled: true });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('names as cause the first failure of those that settled', async () => {
    vi.useFakeTimers();
    const broken = new Error('pool already destroyed');
    const failing = Object.assign(quickToEnd(), {
      destroy: () => Promise.reject(broken),
    });
    const router = over({ a: failing, b: slowToEnd().provider }, { closeTimeoutMs: 100 });
    const destroyed = watch(router.destroy());
    await vi.advanceTimersByTimeAsync(100);
    expect(destroyed.error).toMatchObject({ deployments: ['b'], cause: broken });
  });

  it('waits for ever with closeTimeoutMs: 0, as it did', async () => {
    vi.useFakeTimers();
    const slow = slowToEnd();
    const router = over({ a: slow.provider }, { closeTimeoutMs: 0 });
    const destroyed = watch(router.destroy());
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(destroyed.settled).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    slow.destroys[0]!.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(destroyed).toEqual({ settled: true });
  });

  it('bounds a shared state whose close() never settles, naming it, without closeProviders', async () => {
    vi.useFakeTimers();
    const router = createRouter({
      deployments: [{ id: 'a', group: 'chat', provider: quickToEnd(), model: 'm' }],
      state: scriptedState({ close: () => new Promise<void>(() => {}) }),
      closeTimeoutMs: 1_000,
    });
    const destroyed = watch(router.destroy());
    await vi.advanceTimersByTimeAsync(1_000);
    expect(destroyed.error).toMatchObject({ deployments: [], state: true });
    expect((destroyed.error as Error).message).toBe(
      "The router's destroy() stopped waiting after 1000 ms: the shared state did not finish",
    );
  });

  it('settles a close() in progress that waits for a close() never settling, as itself', async () => {
    vi.useFakeTimers();
    const stuck = slowToEnd();
    const router = over({ a: stuck.provider });
    const closed = watch(router.close());
    await vi.advanceTimersByTimeAsync(0);
    expect(stuck.closes).toHaveLength(1);
    const destroyed = watch(router.destroy());
    await vi.advanceTimersByTimeAsync(0);
    stuck.destroys[0]!.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(destroyed).toEqual({ settled: true });
    expect(closed).toEqual({ settled: true });
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('Router.close', () => {
  it("rejects with RouterCloseTimeoutError once the calls ended, when a provider's close() never settles", async () => {
    vi.useFakeTimers();
    const stuck = slowToEnd();
    const router = over({ a: stuck.provider, b: quickToEnd() }, { closeTimeoutMs: 2_000 });
    const call = watch(router.complete({ model: 'chat', messages: HI }));
    await vi.advanceTimersByTimeAsync(0);
    const closed = watch(router.close());
    // The calls in flight are waited for without bound (their providers' deadlines end them)...
    await vi.advanceTimersByTimeAsync(60_000);
    expect(closed.settled).toBe(false);
    expect(stuck.closes).toHaveLength(0);
    stuck.answers[0]!.reject(new Error('socket hang up'));
    await vi.advanceTimersByTimeAsync(0);
    expect(call.settled).toBe(true);
    // ...then what the router closes, at most closeTimeoutMs.
    expect(stuck.closes).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(closed.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(closed.error).toBeInstanceOf(RouterCloseTimeoutError);
    expect(closed.error).toMatchObject({ operation: 'close', deployments: ['a'], state: false });
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('closeTimeoutMs', () => {
  it.each([
    [-1, RangeError],
    [2 ** 31, RangeError],
    ['10s', TypeError],
  ])('refuses %s, naming it', (value, type) => {
    expect(() => over({ a: quickToEnd() }, { closeTimeoutMs: value as number })).toThrow(type);
    expect(() => over({ a: quickToEnd() }, { closeTimeoutMs: value as number })).toThrow(
      /closeTimeoutMs/,
    );
  });
});
