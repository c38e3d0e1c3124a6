// Routers the unit tests share: a primary with its backup over fake providers, and a shared state
// that plays the other instances (the test calls the link a router gave it).
import type { RouterOptions } from '../options';
import { createRedisRouterState } from '../redis';
import type { RedisRouterClientLike } from '../redis-types';
import { createRouter, type Router } from '../router';
import type { BoundRouterState, RouterState, StateLink } from '../state';
import { type FakeProvider, fakeProvider } from './fake-provider';

/**
 * A shared state that plays the other instances as the test scripts it: each method of its binding
 * does nothing (every probe claim won) unless `binding` gives it.
 */
export function scriptedState(binding: Partial<BoundRouterState> = {}): RouterState {
  return {
    bind: () => ({
      cooldown() {},
      recovered() {},
      claimProbe: async () => true,
      stats: () => ({}),
      close: async () => {},
      ...binding,
    }),
  };
}

/** Primary `a` (priority 0) and backup `b` (priority 1): every call tries `a` first. */
export function primaryAndBackup(options: Omit<RouterOptions, 'deployments'> = {}) {
  const a = fakeProvider('a');
  const b = fakeProvider('b');
  const router = createRouter({
    deployments: [
      { id: 'a', group: 'chat', provider: a, model: 'm' },
      { id: 'b', group: 'chat', provider: b, model: 'm', priority: 1 },
    ],
    ...options,
  });
  return { a, b, router };
}

/**
 * One instance of a service: a router over `a` (first) and `b`, sharing `prefix` through the Redis
 * of `client`; two failures in a row take a deployment out for `durationMs`.
 */
export function routerOverRedis(init: {
  client: RedisRouterClientLike;
  prefix: string;
  providers: { a: FakeProvider; b: FakeProvider };
  durationMs?: number;
  commandTimeoutMs?: number;
}): Router {
  return createRouter({
    deployments: [
      { id: 'a', group: 'chat', provider: init.providers.a, model: 'm' },
      { id: 'b', group: 'chat', provider: init.providers.b, model: 'm', priority: 1 },
    ],
    cooldown: { failures: 2, durationMs: init.durationMs ?? 60_000 },
    state: createRedisRouterState({
      client: init.client,
      prefix: init.prefix,
      commandTimeoutMs: init.commandTimeoutMs,
    }),
  });
}

/**
 * A shared state that does nothing itself: `link()` is what the router told it, once bound. Its
 * probe claims are all won, or, with `probesClaimed`, all held by another instance.
 */
export function linkedState(
  options: { probesClaimed?: boolean } = {},
): { state: RouterState; link: () => StateLink } {
  let bound: StateLink | undefined;
  const state: RouterState = {
    bind(link) {
      bound = link;
      return {
        cooldown() {},
        recovered() {},
        claimProbe: async () => options.probesClaimed !== true,
        stats: () => ({}),
        close: async () => {},
      };
    },
  };
  return {
    state,
    link: () => {
      if (bound === undefined) throw new Error('no router bound the state yet');
      return bound;
    },
  };
}
