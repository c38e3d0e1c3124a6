import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, fakeProvider, HI, overflowError } from './__fixtures__/fake-provider';
import { primaryAndBackup, scriptedState } from './__fixtures__/routers';
import { isRouterClosedError, RouterClosedError } from './errors';
import { createRouter, type Router } from './router';

/**
 * Calls that wait between two deployments: for the next one's window (`modelInfo()`, after a
 * context overflow) or for its probe claim (a shared state). Nothing may be called once the
 * router closed meanwhile, and a deployment's `maxConcurrent` holds meanwhile too.
 */

afterEach(() => {
  vi.useRealTimers();
});

/**
 * `a` overflows (a 5 000-token prompt, a 4 096-token window); `b`'s window is looked up (another
 * model: one of the same model in the group would be taken to hold the same window).
 */
function overflowThenLookup(options: { maxConcurrent?: number } = {}) {
  const a = fakeProvider('a');
  a.fallback = overflowError({ model: 'm', promptTokens: 5_000, contextWindow: 4_096 });
  const pending: Array<(info: { contextLength: number }) => void> = [];
  let lookedUp!: () => void;
  const looking = new Promise<void>((resolve) => {
    lookedUp = resolve;
  });
  const b = Object.assign(fakeProvider('b'), {
    modelInfo: () =>
      new Promise<{ contextLength: number }>((resolve) => {
        pending.push(resolve);
        lookedUp();
      }),
  });
  let peak = 0;
  const complete = b.complete;
  b.complete = async (request) => {
    peak = Math.max(peak, b.inFlight + 1);
    return complete(request);
  };
  const router = createRouter({
    deployments: [
      { id: 'a', group: 'chat', provider: a, model: 'm' },
      { id: 'b', group: 'chat', provider: b, model: 'm-long', priority: 1, ...options },
    ],
  });
  const answer = (contextLength: number) => {
    for (const resolve of pending.splice(0)) resolve({ contextLength });
  };
  return { a, b, router, looking, answer, peak: () => peak };
}

const CALLS = ['complete', 'stream'] as const;

/** One chat through `router.complete` or read to its end through `router.stream`. */
async function callChat(router: Router, how: (typeof CALLS)[number]): Promise<void> {
  if (how === 'complete') {
    await router.complete({ model: 'chat', messages: HI });
    return;
  }
  for await (const _ of router.stream({ model: 'chat', messages: HI })) {
    // read to the end
  }
}

describe('Router.close', () => {
  it.each(CALLS)(
    'calls no other deployment when the router closed during the window lookup (%s)',
    async (how) => {
      const { b, router, looking, answer } = overflowThenLookup();
      const call = callChat(router, how).catch((e: unknown) => e);
      await looking;
      const closed = router.close();
      answer(32_768);
      expect(await call).toBeInstanceOf(RouterClosedError);
      await closed;
      expect(b.requests).toHaveLength(0);
      expect(router.stats()).toMatchObject({ inFlight: 0, cancelled: 1, failures: 0 });
      expect(router.stats().deployments.b).toMatchObject({ calls: 0, inFlight: 0 });
    },
  );
});

describe('Router.destroy', () => {
  /** `a` cooled down and is due for its probe, whose claim the shared state answers late. */
  async function probeClaimPending() {
    vi.useFakeTimers();
    const claims: Array<(won: boolean) => void> = [];
    const { a, b, router } = primaryAndBackup({
      cooldown: { failures: 1, durationMs: 1_000 },
      state: scriptedState({
        claimProbe: () => new Promise<boolean>((resolve) => claims.push(resolve)),
      }),
      closeProviders: true,
    });
    a.script = [apiError(503)];
    expect((await router.complete({ model: 'chat', messages: HI })).route.deployment).toBe('b');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(router.stats().deployments.a!.status).toBe('probe-due');
    return { a, b, router, claims };
  }

  it.each(CALLS)(
    'ends a call waiting for its probe claim at once, and calls nothing after (%s)',
    async (how) => {
      const { a, b, router, claims } = await probeClaimPending();
      const call = callChat(router, how).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(0);
      expect(claims).toHaveLength(1);
      let destroyed = false;
      const destroying = router.destroy().then(() => {
        destroyed = true;
      });
      await vi.advanceTimersByTimeAsync(0);
      // Nothing answered the claim: destroy() did not wait for it.
      expect(destroyed).toBe(true);
      expect(isRouterClosedError(await call)).toBe(true);
      claims[0]!(true);
      await destroying;
      await vi.advanceTimersByTimeAsync(0);
      expect(a.requests).toHaveLength(1);
      expect(b.requests).toHaveLength(1);
      expect(router.stats()).toMatchObject({ inFlight: 0, cancelled: 1, failures: 0 });
      expect(router.stats().deployments.a).toMatchObject({ inFlight: 0, status: 'probe-due' });
    },
  );
});

describe('maxConcurrent', () => {
  it('holds while a window lookup is pending: two overflowing calls never run together on b', async () => {
    vi.useFakeTimers();
    const { b, router, looking, answer, peak } = overflowThenLookup({ maxConcurrent: 1 });
    b.delayMs = 100;
    const first = router.complete({ model: 'chat', messages: HI }).catch((e: unknown) => e);
    await looking;
    const second = router.complete({ model: 'chat', messages: HI }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(0);
    answer(32_768);
    await vi.advanceTimersByTimeAsync(200);
    const outcomes = await Promise.all([first, second]);
    expect(peak()).toBe(1);
    // One of them had b; the other found it full.
    const served = outcomes.filter((o) => (o as { route?: unknown }).route !== undefined);
    expect(served).toHaveLength(1);
    expect(b.requests).toHaveLength(1);
    expect(router.stats().deployments.b).toMatchObject({ inFlight: 0 });
  });
});

describe('an abort while a window lookup is pending', () => {
  it('ends the call with the reason at once, though the lookup ignores the signal', async () => {
    // `b`'s lookup never settles and never reads its signal.
    const { b, router, looking } = overflowThenLookup();
    const controller = new AbortController();
    const call = router
      .complete({ model: 'chat', messages: HI, signal: controller.signal })
      .catch((e: unknown) => e);
    await looking;
    const reason = new Error('the user left');
    controller.abort(reason);
    expect(await call).toBe(reason);
    expect(b.requests).toHaveLength(0);
    expect(router.stats().deployments.b).toMatchObject({ inFlight: 0 });
    expect(router.stats().inFlight).toBe(0);
  });
});
