import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, HI } from './__fixtures__/fake-provider';
import { primaryAndBackup, scriptedState } from './__fixtures__/routers';
import type { BoundRouterState } from './state';

/**
 * A shared state's probe claim resolves true when the state is unavailable. One that fails
 * instead (a custom state whose promise rejects, or that throws) is taken as unavailable too:
 * this instance probes, rather than failing the call with the state's error and leaving the
 * deployment `probing` for good.
 */

afterEach(() => {
  vi.useRealTimers();
});

const FAILING_CLAIMS: [string, BoundRouterState['claimProbe']][] = [
  ['rejects', () => Promise.reject(new Error('state store down'))],
  [
    'throws',
    () => {
      throw new Error('state store down');
    },
  ],
];

describe('Router.complete', () => {
  it.each(FAILING_CLAIMS)(
    "probes here when the shared state's claim %s, and the deployment comes back",
    async (_, claimProbe) => {
      vi.useFakeTimers();
      const { a, router } = primaryAndBackup({
        cooldown: { failures: 1, durationMs: 1_000 },
        state: scriptedState({ claimProbe }),
      });
      const recovered: unknown[] = [];
      router.onRecovered((e) => recovered.push(e));
      a.script = [apiError(503)];
      expect((await router.complete({ model: 'chat', messages: HI })).route.deployment).toBe('b');
      await vi.advanceTimersByTimeAsync(1_000);
      const answer = await router.complete({ model: 'chat', messages: HI });
      expect(answer.route.deployment).toBe('a');
      expect(recovered).toMatchObject([{ deployment: 'a', source: 'probe' }]);
      expect(router.stats().deployments.a).toMatchObject({ status: 'healthy', inFlight: 0 });
      expect(router.stats()).toMatchObject({ failures: 0 });
    },
  );
});
