import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { apiError, fakeProvider, HI } from './__fixtures__/fake-provider';
import { routerOverRedis } from './__fixtures__/routers';
import { CLAIM_SCRIPT, COOLDOWN_SCRIPT, SYNC_SCRIPT } from './redis-scripts';
import type { RedisRouterClientLike } from './redis-types';
import type { Router } from './router';

/**
 * The Redis state against a real `redis-server` whose replies to one script are replaced (as a
 * proxy or another server on Redis' port would answer): anything but the integers 0 and 1 (or a
 * sync's array) is an unexpected reply, an outage with the code `UNEXPECTED_REPLY`, never a
 * probe claim lost or won.
 */
const open: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

/** A real client whose replies to `script` are `reply`, while `odd` is on. */
function oddClient(script: string, reply: unknown) {
  const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  open.push(() => redis.disconnect());
  const state = { odd: true, replies: 0 };
  const client: RedisRouterClientLike = {
    eval(s, numKeys, ...args) {
      const real = redis.eval(s, numKeys, ...args);
      if (s !== script || !state.odd) return real;
      state.replies++;
      return real.then(() => reply);
    },
    duplicate: () => redis.duplicate(),
  };
  return { client, state };
}

function instance(client: RedisRouterClientLike) {
  const providers = { a: fakeProvider('a'), b: fakeProvider('b') };
  const router = routerOverRedis({
    client,
    prefix: `test:${randomUUID()}:`,
    providers,
    durationMs: 200,
  });
  open.push(() => router.close());
  const events: string[] = [];
  router.onStateUnavailable((e) => events.push(`${e.reason}:${e.error}`));
  return { router, providers, events };
}

const ask = (router: Router) => router.complete({ model: 'chat', messages: HI });

describe('a probe claim answered neither 0 nor 1 (real Redis, real clock)', () => {
  it.each([
    ['nil', null],
    ['2', 2],
    ["'1'", '1'],
    ['[1]', [1]],
  ])(
    'probes here when the claim answers %s, and says why the state is unavailable',
    async (_, reply) => {
      const { client, state } = oddClient(CLAIM_SCRIPT, reply);
      const { router, providers, events } = instance(client);
      await vi.waitFor(() => expect(router.stats().state).toMatchObject({ syncs: 1 }), {
        timeout: 5_000,
      });
      providers.a.script = [apiError(503), apiError(503)];
      await ask(router);
      expect((await ask(router)).route.deployment).toBe('b');
      await vi.waitFor(() => expect(router.stats().deployments.a!.status).toBe('probe-due'), {
        timeout: 5_000,
      });
      // Taken as lost before, the deployment was never probed while such replies lasted.
      expect((await ask(router)).route.deployment).toBe('a');
      expect(state.replies).toBe(1);
      expect(events).toEqual(['error:UNEXPECTED_REPLY']);
      expect(router.stats().state).toMatchObject({ probes: { won: 0, lost: 0 } });
      expect(router.stats().deployments.a!.status).toBe('healthy');
    },
  );
});

describe('other scripts answered oddly (real Redis, real clock)', () => {
  it('counts a cooldown answered with a string as unpublished, and says why', async () => {
    const { client } = oddClient(COOLDOWN_SCRIPT, '1');
    const { router, providers, events } = instance(client);
    await vi.waitFor(() => expect(router.stats().state).toMatchObject({ syncs: 1 }), {
      timeout: 5_000,
    });
    providers.a.script = [apiError(503), apiError(503)];
    await ask(router);
    await ask(router);
    await vi.waitFor(() => expect(events).toEqual(['error:UNEXPECTED_REPLY']), {
      timeout: 5_000,
    });
    expect(router.stats().state).toMatchObject({ state: 'unavailable', published: 0 });
  });

  it('is unavailable, not synced, while the read-back of the cooldowns answers nil', async () => {
    const { client, state } = oddClient(SYNC_SCRIPT, null);
    const { router, events } = instance(client);
    await vi.waitFor(() => expect(events).toEqual(['error:UNEXPECTED_REPLY']), {
      timeout: 5_000,
    });
    expect(router.stats().state).toMatchObject({
      state: 'unavailable',
      outageError: 'UNEXPECTED_REPLY',
      syncs: 0,
    });
    expect(state.replies).toBe(1);
  });
});
