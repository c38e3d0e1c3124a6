import { isProviderErrorOfKind, type StreamChunk } from '@x/provider-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeProvider, HI } from './__fixtures__/fake-provider';
import { isRouterClosedError } from './errors';
import { createRouter } from './router';

/**
 * A stream whose caller holds a chunk is let go of by the router (`consumerMs`, the caller's
 * abort, `destroy()`), which returns its provider's stream. A provider whose `return()` throws,
 * synchronously, must not crash the process nor keep the others from ending: the count is given
 * back and the error dropped, as when the caller leaves the loop.
 */

afterEach(() => {
  vi.useRealTimers();
});

const CHUNK: StreamChunk = {
  content: 'Hel',
  thinking: undefined,
  toolCalls: undefined,
  done: false,
  response: undefined,
};

/** A provider whose streams send one chunk, then wait; `return()` throws when `throwing`. */
function holdingProvider() {
  const returned: string[] = [];
  let streams = 0;
  const provider = Object.assign(fakeProvider('a'), {
    throwing: new Set<number>(),
  });
  provider.stream = () => {
    const n = streams++;
    let sent = false;
    return {
      [Symbol.asyncIterator]: () => ({
        next: () => {
          if (sent) return new Promise<IteratorResult<StreamChunk>>(() => {});
          sent = true;
          return Promise.resolve({ done: false, value: CHUNK });
        },
        return: () => {
          returned.push(`stream ${n}`);
          if (provider.throwing.has(n)) throw new Error('the provider could not end its stream');
          return Promise.resolve({ done: true, value: undefined });
        },
      }),
    };
  };
  return { provider, returned };
}

describe('Router.stream', () => {
  it("lets go past consumerMs though its provider's return() throws synchronously", async () => {
    vi.useFakeTimers();
    const { provider, returned } = holdingProvider();
    provider.throwing.add(0);
    const router = createRouter({
      deployments: [{ id: 'a', group: 'chat', provider, model: 'm', maxConcurrent: 1 }],
      consumerMs: 100,
    });
    const iterator = router.stream({ model: 'chat', messages: HI })[Symbol.asyncIterator]();
    await expect(iterator.next()).resolves.toMatchObject({ value: { content: 'Hel' } });
    // The sweep runs on an interval: a throw there would be an uncaught exception.
    await vi.advanceTimersByTimeAsync(200);
    expect(returned).toEqual(['stream 0']);
    expect(router.stats()).toMatchObject({ inFlight: 0, cancelled: 1, failures: 0 });
    expect(router.stats().deployments.a).toMatchObject({ inFlight: 0, failures: 0 });
    const error = await iterator.next().catch((e: unknown) => e);
    expect(isProviderErrorOfKind(error, 'timeout')).toBe(true);
    expect(error).toMatchObject({ timeout: 'consumer' });
  });

  it("lets go when the caller aborts while holding a chunk though its provider's return() throws", async () => {
    const { provider, returned } = holdingProvider();
    provider.throwing.add(0);
    const router = createRouter({
      deployments: [{ id: 'a', group: 'chat', provider, model: 'm' }],
    });
    const caller = new AbortController();
    const iterator = router
      .stream({ model: 'chat', messages: HI, signal: caller.signal })
      [Symbol.asyncIterator]();
    await expect(iterator.next()).resolves.toMatchObject({ value: { content: 'Hel' } });
    // A throw in an abort listener reaches the process as an uncaught exception.
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      caller.abort(new Error('user left'));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
    expect(returned).toEqual(['stream 0']);
    expect(router.stats()).toMatchObject({ inFlight: 0, cancelled: 1, failures: 0 });
    expect(router.stats().deployments.a).toMatchObject({ inFlight: 0 });
    await expect(iterator.next()).rejects.toBe(caller.signal.reason);
  });
});

describe('Router.destroy', () => {
  it("ends every held stream though the first one's return() throws synchronously", async () => {
    const { provider, returned } = holdingProvider();
    provider.throwing.add(0);
    const router = createRouter({
      deployments: [{ id: 'a', group: 'chat', provider, model: 'm' }],
      closeProviders: true,
    });
    const first = router.stream({ model: 'chat', messages: HI })[Symbol.asyncIterator]();
    const second = router.stream({ model: 'chat', messages: HI })[Symbol.asyncIterator]();
    await first.next();
    await second.next();
    expect(router.stats()).toMatchObject({ inFlight: 2 });
    const destroying = (() => {
      try {
        return router.destroy();
      } catch (error) {
        return Promise.reject(error);
      }
    })();
    await expect(destroying).resolves.toBeUndefined();
    expect(returned).toEqual(['stream 0', 'stream 1']);
    expect(router.stats()).toMatchObject({ inFlight: 0, cancelled: 2, failures: 0 });
    expect(router.stats().deployments.a).toMatchObject({ inFlight: 0 });
    expect(provider.closed).toBe(true);
    expect(isRouterClosedError(await first.next().catch((e: unknown) => e))).toBe(true);
    expect(isRouterClosedError(await second.next().catch((e: unknown) => e))).toBe(true);
  });
});
