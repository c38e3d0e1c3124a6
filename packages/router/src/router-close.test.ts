import { startOllamaSim } from '@x/ollama-sim';
import { isProviderError } from '@x/provider-core';
import { createOllamaProvider } from '@x/provider-ollama';
import { describe, expect, it } from 'vitest';
import { apiError, fakeProvider, HI } from './__fixtures__/fake-provider';
import { pair } from './__fixtures__/routers';
import { isRouterClosedError, RouterClosedError } from './errors';
import { createRouter } from './router';

// Router.close: calls in flight, calls after it, and what it closes.

describe('Router.close', () => {
  it('refuses new calls with RouterClosedError, leaves providers open, and is idempotent', async () => {
    const { a, router } = pair();
    const first = router.close();
    expect(router.close()).toBe(first);
    await first;
    expect(router.closed).toBe(true);
    const error = await router.complete({ model: 'chat', messages: HI }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RouterClosedError);
    expect(isRouterClosedError(error)).toBe(true);
    expect(isProviderError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'X_ROUTER_CLOSED', kind: 'closed', retryable: false });
    expect(() => router.stream({ model: 'chat', messages: HI })).toThrow(RouterClosedError);
    expect(a.closed).toBe(false);
  });

  it('closes every provider once with closeProviders: true, at the end of an `await using` scope', async () => {
    const shared = fakeProvider('shared');
    {
      await using router = createRouter({
        deployments: [
          { id: 'x', group: 'g', provider: shared, model: 'a' },
          { id: 'y', group: 'g', provider: shared, model: 'b' },
        ],
        closeProviders: true,
      });
      await router.complete({ model: 'g', messages: HI });
    }
    expect(shared.closed).toBe(true);
  });

  it('lets the attempt in flight end before it closes the providers', async () => {
    // A real provider refuses a call not yet sent once it is closed: the router must not close it
    // under a call it accepted (here one made in the same tick as close()).
    const sim = await startOllamaSim({ loadTimeMs: 0 });
    try {
      const ollama = createOllamaProvider({ baseUrl: sim.url });
      const router = createRouter({
        deployments: [{ id: 'local', group: 'chat', provider: ollama, model: 'llama3.2' }],
        closeProviders: true,
      });
      const inFlight = router.complete({ model: 'chat', messages: HI });
      const closing = router.close();
      const refused = await router
        .complete({ model: 'chat', messages: HI })
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(RouterClosedError);
      expect((await inFlight).route.deployment).toBe('local');
      await closing;
      expect(router.stats().inFlight).toBe(0);
      await expect(
        ollama.complete({ model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }] }),
      ).rejects.toMatchObject({ kind: 'closed' });
    } finally {
      await sim.close();
    }
  });

  it('starts no other attempt for a call in flight once closed, and closes when it ends', async () => {
    const failing = fakeProvider('failing', { delayMs: 5 });
    failing.fallback = apiError(503);
    const spare = fakeProvider('spare');
    const router = createRouter({
      deployments: [
        { id: 'first', group: 'chat', provider: failing, model: 'm', priority: 0 },
        { id: 'second', group: 'chat', provider: spare, model: 'm', priority: 1 },
      ],
      closeProviders: true,
    });
    const inFlight = router.complete({ model: 'chat', messages: HI }).catch((e: unknown) => e);
    const closing = router.close();
    expect(await inFlight).toBeInstanceOf(RouterClosedError);
    await closing;
    expect(spare.requests).toHaveLength(0);
    expect(failing.closed && spare.closed).toBe(true);
  });

  it('closes every provider even when one throws, then rejects with that error', async () => {
    const broken = new Error('close failed');
    const first = fakeProvider('first');
    first.close = () => {
      throw broken;
    };
    const second = fakeProvider('second');
    const router = createRouter({
      deployments: [
        { id: 'x', group: 'g', provider: first, model: 'a' },
        { id: 'y', group: 'g', provider: second, model: 'b' },
      ],
      closeProviders: true,
    });
    await expect(router.close()).rejects.toBe(broken);
    expect(second.closed).toBe(true);
    // Idempotent: a second caller gets the same outcome, not a second round of closes.
    await expect(router.close()).rejects.toBe(broken);
  });
});
