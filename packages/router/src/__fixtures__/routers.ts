// Routers the unit tests share: a primary with its backup over fake providers, a shared state
// that plays the other instances (the test calls the link a router gave it), and a primary with
// its backup over two simulators on 127.0.0.1.
import { defaultModels, type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import { createOllamaProvider, type OllamaProviderOptions } from '@x/provider-ollama';
import { afterEach, vi } from 'vitest';
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

/** Deployments `a` (priority 0, `model-a`) and `b` (priority 1, `model-b`) in group `chat`. */
export function pair(options: Record<string, unknown> = {}) {
  const a = fakeProvider('a');
  const b = fakeProvider('b');
  const router = createRouter({
    deployments: [
      { id: 'a', group: 'chat', provider: a, model: 'model-a' },
      { id: 'b', group: 'chat', provider: b, model: 'model-b', priority: 1 },
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

const TINY = { name: 'tiny', contextLength: 512, capabilities: ['completion'] } as const;

/**
 * For a test file whose routers run over real servers: `setup()` starts two simulators on
 * 127.0.0.1, an @x/provider-ollama provider on each (retries off, so one failure is one attempt),
 * and a router whose group `chat` tries `a` first (priority 0) and `b` second. After each test the
 * real clock is back and what `setup()` started, or a test pushed on `open`, is closed, last first.
 */
export function useSimulatorPair() {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    vi.useRealTimers();
    for (const thing of open.splice(0).reverse()) await thing.close();
  });

  async function setup(
    options: {
      a?: OllamaProviderOptions;
      b?: OllamaProviderOptions;
      windowA?: number;
      router?: Omit<RouterOptions, 'deployments'>;
    } = {},
  ) {
    const models = [...defaultModels, TINY];
    const simA = await startOllamaSim({ models });
    const simB = await startOllamaSim({ models });
    const base = { retry: false, cache: false, rateLimit: false } as const;
    const a = createOllamaProvider({ baseUrl: simA.url, ...base, ...options.a });
    const b = createOllamaProvider({ baseUrl: simB.url, ...base, ...options.b });
    const router = createRouter({
      deployments: [
        { id: 'a', group: 'chat', provider: a, model: 'llama3.2', contextWindow: options.windowA },
        { id: 'b', group: 'chat', provider: b, model: 'llama3.2', priority: 1 },
      ],
      ...options.router,
    });
    open.push(simA, simB, a, b, router);
    return { simA, simB, a, b, router };
  }

  return { open, setup };
}

/** The chat requests a simulator answered. */
export const chats = (sim: OllamaSim) => sim.stats().byRoute['/api/chat'] ?? 0;
/** A chat request for group `chat`. */
export const ask = { model: 'chat' as const, messages: [{ role: 'user', content: 'Hi' }] };
