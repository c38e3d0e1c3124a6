import type { StreamChunk } from '@x/provider-core';
import { describe, expect, it } from 'vitest';
import { type FakeProvider, fakeProvider, HI, textChunk } from './__fixtures__/fake-provider';
import { RouterClosedError } from './errors';
import { createRouter } from './router';

/**
 * A chunk still on its way when the caller aborts, or when `destroy()` ends the router's calls:
 * nothing is held then for the abort or `destroy()` to let go of, and a provider may deliver the
 * chunk anyway (one that ignores its signal; one whose `close()`, all `destroy()` can call, lets
 * its streams finish). `consumerMs: 0`: no sweep would ever let go of such a stream.
 */

/**
 * `provider`'s streams send chunk `Hel`, then `lo`, each when `send()` is called (a later read
 * never settles); neither reads the request's signal. `returned` counts `return()` calls.
 */
function deliveringProvider(provider: FakeProvider) {
  const pending: (() => void)[] = [];
  let returned = 0;
  provider.stream = () => {
    const contents = ['Hel', 'lo'];
    return {
      [Symbol.asyncIterator]: () => ({
        next: () =>
          new Promise<IteratorResult<StreamChunk>>((resolve) => {
            const content = contents.shift();
            if (content !== undefined) {
              pending.push(() => resolve({ done: false, value: textChunk(content) }));
            }
          }),
        return: async () => {
          returned++;
          return { done: true, value: undefined };
        },
      }),
    };
  };
  return {
    send: () => pending.shift()?.(),
    returned: () => returned,
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Router.stream', () => {
  it.each([
    ['its first chunk', 0],
    ['a later chunk', 1],
  ])(
    'rejects with the reason and gives the deployment back when the caller aborts while %s is on its way',
    async (_, before) => {
      const a = fakeProvider('a');
      const wire = deliveringProvider(a);
      const router = createRouter({
        deployments: [{ id: 'a', group: 'chat', provider: a, model: 'm', maxConcurrent: 1 }],
        consumerMs: 0,
      });
      const caller = new AbortController();
      const iterator = router
        .stream({ model: 'chat', messages: HI, signal: caller.signal })
        [Symbol.asyncIterator]();
      for (let i = 0; i < before; i++) {
        const read = iterator.next();
        await tick();
        wire.send();
        await read;
      }
      const next = iterator.next().catch((e: unknown) => e);
      await tick();
      caller.abort(new Error('user left'));
      wire.send();
      expect(await next).toBe(caller.signal.reason);
      expect(wire.returned()).toBe(1);
      expect(router.stats()).toMatchObject({ inFlight: 0, cancelled: 1, failures: 0 });
      expect(router.stats().deployments.a).toMatchObject({ inFlight: 0, failures: 0 });
      await expect(router.close()).resolves.toBeUndefined();
    },
  );
});

describe('Router.destroy', () => {
  it('ends a stream whose next chunk arrives after it with RouterClosedError, and resolves', async () => {
    // A provider without destroy(): destroy() can only close() it, which lets its streams go on.
    const a = fakeProvider('a');
    const wire = deliveringProvider(a);
    const router = createRouter({
      deployments: [{ id: 'a', group: 'chat', provider: a, model: 'm' }],
      closeProviders: true,
      consumerMs: 0,
    });
    const iterator = router.stream({ model: 'chat', messages: HI })[Symbol.asyncIterator]();
    const first = iterator.next();
    await tick();
    wire.send();
    await expect(first).resolves.toMatchObject({ value: { content: 'Hel' } });
    const next = iterator.next().catch((e: unknown) => e);
    await tick();
    const destroying = router.destroy();
    wire.send();
    expect(await next).toBeInstanceOf(RouterClosedError);
    await expect(destroying).resolves.toBeUndefined();
    expect(a.closed).toBe(true);
    expect(wire.returned()).toBe(1);
    expect(router.stats()).toMatchObject({ inFlight: 0, cancelled: 1, failures: 0 });
    expect(router.stats().deployments.a).toMatchObject({ inFlight: 0, failures: 0 });
  });
});

describe('Router.stream throw() between reads', () => {
  // What `Readable.from(router.stream(...))` does when destroyed with an error (a `pipeline()` to
  // a response whose client went away): the consumer leaves, with an error of its own.
  it('ends the stream as return() does: the provider stream ended, no failure, no cooldown', async () => {
    const a = fakeProvider('a');
    const wire = deliveringProvider(a);
    const router = createRouter({
      deployments: [{ id: 'a', group: 'chat', provider: a, model: 'm' }],
      cooldown: { failures: 1, durationMs: 60_000 },
      consumerMs: 0,
    });
    const errors: unknown[] = [];
    router.onError((event) => errors.push(event));
    for (let i = 0; i < 3; i++) {
      const iterator = router.stream({ model: 'chat', messages: HI })[Symbol.asyncIterator]();
      const first = iterator.next();
      await tick();
      wire.send();
      await expect(first).resolves.toMatchObject({ value: { content: 'Hel' } });
      const reason = new Error('client went away');
      await expect(iterator.throw!(reason)).rejects.toBe(reason);
      await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
    }
    expect(wire.returned()).toBe(3);
    expect(errors).toEqual([]);
    expect(router.stats()).toMatchObject({ inFlight: 0, cancelled: 3, failures: 0 });
    expect(router.stats().deployments.a).toMatchObject({ inFlight: 0, failures: 0 });
    // Not cooled down: the next call is served.
    const next = router.stream({ model: 'chat', messages: HI })[Symbol.asyncIterator]().next();
    await tick();
    wire.send();
    await expect(next).resolves.toMatchObject({ value: { content: 'Hel' } });
    await router.destroy();
  });
});
