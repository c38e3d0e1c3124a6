// Routers the unit tests share: a primary with its backup over fake providers, and a shared state
// that plays the other instances (the test calls the link a router gave it).
import type { RouterOptions } from '../options';
import { createRouter } from '../router';
import type { RouterState, StateLink } from '../state';
import { fakeProvider } from './fake-provider';

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

/** A shared state that does nothing itself: `link()` is what the router told it, once bound. */
export function linkedState(): { state: RouterState; link: () => StateLink } {
  let bound: StateLink | undefined;
  const state: RouterState = {
    bind(link) {
      bound = link;
      return {
        cooldown() {},
        recovered() {},
        claimProbe: async () => true,
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
