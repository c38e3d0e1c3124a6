import { until } from '@x/internal/testing';
import { describe, expect, it, vi } from 'vitest';
import { chatRequest as req } from './__fixtures__/chat-request';
import { createCache } from './cache';
import { CacheLoadCycleError, isCacheError, isCacheLoadCycleError } from './errors';
import { Flight } from './internal/flight';

/** A promise and its resolver, for loaders that go on when the test says. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open: () => open() };
}

describe('cache.getOrLoad when a loader asks for its own key', () => {
  it('rejects with CacheLoadCycleError when the loader asks at once', async () => {
    const cache = createCache<string>();
    const loader = vi.fn(() => cache.getOrLoad(req(1), async () => 'inner'));
    const error = await cache.getOrLoad(req(1), loader).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheLoadCycleError);
    expect(error).toBeInstanceOf(TypeError);
    expect(isCacheLoadCycleError(error)).toBe(true);
    expect(isCacheError(error)).toBe(true);
    expect(error).toMatchObject({
      name: 'CacheLoadCycleError',
      code: 'X_CACHE_LOAD_CYCLE',
      key: cache.key(req(1)),
      through: [],
      message: `The loader for key \`${cache.key(req(1))}\` asked for its own key: the call would wait for itself for ever, so it is refused`,
    });
    expect(loader).toHaveBeenCalledTimes(1);
    // Nothing stored, nothing left in flight, not counted as a caller that joined the load.
    expect(cache.stats()).toMatchObject({ entries: 0, inflight: 0, coalesced: 0, loads: 1 });
    expect(await cache.getOrLoad(req(1), async () => 'next')).toBe('next');
  });

  it('rejects with CacheLoadCycleError when the loader asks after an await, passing on its signal', async () => {
    const cache = createCache<string>();
    const error = await cache
      .getOrLoad(req(1), async (signal) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return cache.getOrLoad(req(1), async () => 'inner', { signal });
      })
      .catch((e: unknown) => e);
    expect(isCacheLoadCycleError(error)).toBe(true);
  });

  it('names the loads between when the loader asks through the loader of another key', async () => {
    const cache = createCache<string>();
    const error = await cache
      .getOrLoad(req(1), () =>
        cache.getOrLoad(req(2), async (signal) => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          return cache.getOrLoad(req(1), async () => 'inner', { signal });
        }),
      )
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ key: cache.key(req(1)), through: [cache.key(req(2))] });
    expect((error as Error).message).toBe(
      `The loader for key \`${cache.key(req(1))}\` asked for its own key through the loader for \`${cache.key(req(2))}\`: the call would wait for itself for ever, so it is refused`,
    );
    expect(cache.stats().inflight).toBe(0);
  });

  it('finds the cycle through a load the loader started after an await, passing on its signal', async () => {
    const cache = createCache<string>();
    const error = await cache
      .getOrLoad(req(1), async (outer) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return cache.getOrLoad(
          req(2),
          async (signal) => {
            await new Promise((resolve) => setTimeout(resolve, 1));
            return cache.getOrLoad(req(1), async () => 'inner', { signal });
          },
          { signal: outer },
        );
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ key: cache.key(req(1)), through: [cache.key(req(2))] });
  });

  it('refuses the second of two loads that ask for each other, started by two callers', async () => {
    const cache = createCache<string>();
    const first = gate();
    const second = gate();
    // Loader 1 joins load 2 (started by another caller), then loader 2 asks for key 1.
    const one = cache.getOrLoad(req(1), async (signal) => {
      await first.opened;
      return cache.getOrLoad(req(2), async () => 'unused', { signal });
    });
    const two = cache.getOrLoad(req(2), async (signal) => {
      await second.opened;
      return cache.getOrLoad(req(1), async () => 'unused', { signal });
    });
    first.open();
    await until(() => cache.stats().coalesced === 1);
    second.open();
    const errors = await Promise.all([one.catch((e: unknown) => e), two.catch((e: unknown) => e)]);
    expect(errors.every(isCacheLoadCycleError)).toBe(true);
    expect(errors[1]).toMatchObject({ key: cache.key(req(1)), through: [cache.key(req(2))] });
    expect(cache.stats().inflight).toBe(0);
  });

  it('rejects the call across caches when a loader asks another cache that asks back', async () => {
    const a = createCache<string>();
    const b = createCache<string>();
    const error = await a
      .getOrLoad(req(1), () =>
        b.getOrLoad(req(1), (signal) => a.getOrLoad(req(1), async () => 'x', { signal })),
      )
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ key: a.key(req(1)), through: [b.key(req(1))] });
  });

  it('lets a loader join the load of another key that does not wait for it', async () => {
    const cache = createCache<string>();
    const other = gate();
    const two = cache.getOrLoad(req(2), async () => {
      await other.opened;
      return 'two';
    });
    const one = cache.getOrLoad(req(1), async (signal) => {
      const shared = cache.getOrLoad(req(2), async () => 'never', { signal });
      other.open();
      return `one after ${await shared}`;
    });
    expect(await Promise.all([one, two])).toEqual(['one after two', 'two']);
    expect(cache.stats()).toMatchObject({ coalesced: 1, loads: 2 });
  });

  it('lets a load ask for a key whose loader started it and stopped waiting for it (aborted)', async () => {
    const cache = createCache<string>();
    const started = gate();
    const stopped = gate();
    const asked = gate();
    const done = gate();
    const giveUp = new AbortController();
    const two = vi.fn(async (signal: AbortSignal) => {
      await asked.opened;
      return `two after ${await cache.getOrLoad(req(1), async () => 'never', { signal })}`;
    });
    const one = cache.getOrLoad(req(1), async () => {
      // Started while the loader is being called, with a signal it aborts when it gives up.
      const mine = cache.getOrLoad(req(2), two, { signal: giveUp.signal });
      mine.catch(() => {});
      started.open();
      await stopped.opened;
      giveUp.abort(new Error('gave up'));
      await done.opened;
      return 'one';
    });
    await started.opened;
    // Another caller still wants key 2, so its load goes on.
    const other = cache.getOrLoad(req(2), async () => 'unused');
    stopped.open();
    await until(() => giveUp.signal.aborted);
    // The loader of key 1 no longer waits for key 2: key 2's loader may wait for key 1.
    asked.open();
    await until(() => cache.stats().coalesced === 2);
    done.open();
    // Before this release: CacheLoadCycleError (the load kept counting as its starter's).
    expect(await Promise.all([one, other])).toEqual(['one', 'two after one']);
  });

  it('lets a load ask for a key through a load every caller left, whose loader goes on', async () => {
    const cache = createCache<string>();
    const started = gate();
    const asked = gate();
    const done = gate();
    const giveUp = new AbortController();
    const three = vi.fn(async (signal: AbortSignal) => {
      await asked.opened;
      return `three after ${await cache.getOrLoad(req(1), async () => 'never', { signal })}`;
    });
    let other: Promise<string> | undefined;
    const one = cache.getOrLoad(req(1), async () => {
      // Load 2 is this loader's (started while it is being called) until it gives up on it.
      const two = cache.getOrLoad(
        req(2),
        async (signal) => {
          await Promise.resolve();
          // Load 3, started passing on load 2's signal: load 2's loader waits for it.
          cache.getOrLoad(req(3), three, { signal }).catch(() => {});
          started.open();
          await done.opened; // ignores its signal
          return 'two';
        },
        { signal: giveUp.signal },
      );
      two.catch(() => {});
      await started.opened;
      // Another caller keeps load 3 going; load 2 has no caller left once this loader gives up.
      other = cache.getOrLoad(req(3), async () => 'unused');
      giveUp.abort(new Error('gave up'));
      await done.opened;
      return 'one';
    });
    await until(() => giveUp.signal.aborted);
    asked.open();
    await until(() => cache.stats().coalesced === 2);
    done.open();
    // Before this release: CacheLoadCycleError (3 counted as waited for by 2, 2 by 1).
    expect(await Promise.all([one, other])).toEqual(['one', 'three after one']);
  });

  it("lets two callers with one signal share a load (a caller's signal is no loader's)", async () => {
    const cache = createCache<string>();
    const controller = new AbortController();
    const { signal } = controller;
    const loader = vi.fn(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return 'v';
    });
    const values = await Promise.all([
      cache.getOrLoad(req(1), loader, { signal }),
      cache.getOrLoad(req(1), loader, { signal }),
    ]);
    expect(values).toEqual(['v', 'v']);
    expect(loader).toHaveBeenCalledTimes(1);
  });

  it('finds the load a signal belongs to without looking at the other loads in flight', async () => {
    // Before, each join passing a signal scanned every load in flight (reading its signal): N
    // such joins over N loads took O(N²), 30,000 of them 8.5 s of blocked event loop.
    const cache = createCache<number>();
    const held = gate();
    const n = 200;
    const loads = Array.from({ length: n }, (_, i) =>
      cache.getOrLoad(req(i), async () => {
        await held.opened;
        return i;
      }),
    );
    const read = vi.spyOn(Flight.prototype, 'signal', 'get');
    try {
      const joins = Array.from({ length: n }, (_, i) =>
        cache.getOrLoad(req(i), async () => -1, { signal: new AbortController().signal }),
      );
      expect(read).not.toHaveBeenCalled();
      held.open();
      expect(await Promise.all(joins)).toEqual(await Promise.all(loads));
    } finally {
      read.mockRestore();
    }
    expect(cache.stats()).toMatchObject({ coalesced: n, loads: n, inflight: 0 });
  });

  it("takes a settled load's signal, passed on later, for no load", async () => {
    const cache = createCache<string>();
    let kept: AbortSignal | undefined;
    expect(
      await cache.getOrLoad(req(1), async (signal) => {
        kept = signal;
        return 'first';
      }),
    ).toBe('first');
    const held = gate();
    const second = cache.getOrLoad(req(2), async () => {
      await held.opened;
      return 'second';
    });
    // The first load settled: a call passing its signal is a caller's, and joins.
    const joined = cache.getOrLoad(req(2), async () => 'never', { signal: kept });
    held.open();
    expect(await Promise.all([second, joined])).toEqual(['second', 'second']);
  });
});
