import { describe, expect, it } from 'vitest';
import { fakeProvider, HI, textChunk } from './__fixtures__/fake-provider';
import { RouterClosedError } from './errors';
import { createRouter } from './router';
import type { RouterState } from './state';

/**
 * `destroy()` (`closeProviders: true`) ends the calls in flight by destroying their providers. A
 * provider not built on `@x/provider-core` ends them with an error of its own, not a `closed`
 * one: that error is still the router's shutdown, and says nothing of the deployment.
 */

/** A provider whose calls wait until its `destroy()`, which fails them with its own error. */
function foreignProvider() {
  const provider = fakeProvider('foreign');
  const waiting: ((error: Error) => void)[] = [];
  const destroyed = () => new Promise<never>((_, reject) => waiting.push(reject));
  provider.complete = async (request) => {
    provider.requests.push(request);
    return destroyed();
  };
  provider.stream = () => ({
    async *[Symbol.asyncIterator]() {
      yield textChunk('Hel');
      await destroyed();
    },
  });
  return Object.assign(provider, {
    waiting,
    async destroy() {
      for (const reject of waiting.splice(0)) reject(new Error('socket destroyed'));
    },
  });
}

describe('Router.destroy', () => {
  it.each(['complete', 'stream'] as const)(
    "ends a %s call with RouterClosedError, not its provider's own error, and judges no deployment",
    async (how) => {
      const told: string[] = [];
      const state: RouterState = {
        bind: () => ({
          cooldown: (deployment, _ms, reason) => told.push(`${deployment} ${reason}`),
          recovered() {},
          claimProbe: async () => true,
          stats: () => ({}),
          close: async () => {},
        }),
      };
      const provider = foreignProvider();
      const router = createRouter({
        deployments: [{ id: 'a', group: 'chat', provider, model: 'm' }],
        cooldown: { failures: 1 },
        state,
        closeProviders: true,
      });
      const errors: unknown[] = [];
      router.onError((e) => errors.push(e));
      let call: Promise<unknown>;
      if (how === 'complete') {
        call = router.complete({ model: 'chat', messages: HI }).catch((e: unknown) => e);
      } else {
        const iterator = router.stream({ model: 'chat', messages: HI })[Symbol.asyncIterator]();
        await expect(iterator.next()).resolves.toMatchObject({ value: { content: 'Hel' } });
        call = iterator.next().catch((e: unknown) => e);
      }
      await new Promise((resolve) => setImmediate(resolve));
      expect(provider.waiting).toHaveLength(1);
      await router.destroy();
      expect(await call).toBeInstanceOf(RouterClosedError);
      expect(router.stats()).toMatchObject({ failures: 0, cancelled: 1, inFlight: 0 });
      expect(router.stats().deployments.a).toMatchObject({ status: 'healthy', failures: 0 });
      expect(told).toEqual([]);
      expect(errors).toEqual([]);
    },
  );
});
