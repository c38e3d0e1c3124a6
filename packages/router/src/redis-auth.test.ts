// A Redis that refuses the router's connections (a wrong or missing password, one rotated away)
// answers at once, with an error: the state stays unavailable through those answers, says why,
// and recovers only when a command works. Real Redis, real clock: each test runs its own
// `redis-server --requirepass`.
import { randomUUID } from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';
import { expectNoSecret, recordingLogger } from '@x/internal/testing';
import Redis, { type RedisOptions } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { BRIEF_RECONNECT, redisPerTest } from '../../../scripts/testing/redis-per-test';
import { apiError, HI } from './__fixtures__/fake-provider';
import { primaryAndBackup } from './__fixtures__/routers';
import { createRedisRouterState } from './redis';
import type { RedisSubscriberLike } from './redis-types';

const { server, afterTest, connected } = redisPerTest();

const connect = (port: number, options: RedisOptions): Redis =>
  connected(new Redis({ ...BRIEF_RECONNECT, port, ...options }));

/** A router over `a` then `b` on a Redis state, and everything it lets out about the state. */
function routerOn(client: Redis, subscriber?: RedisSubscriberLike) {
  const { logger, entries } = recordingLogger();
  const { a, router } = primaryAndBackup({
    cooldown: { failures: 1, durationMs: 20 },
    state: createRedisRouterState({ client, subscriber, commandTimeoutMs: 500 }),
    logger,
  });
  afterTest(() => router.close());
  const events: string[] = [];
  router.onStateUnavailable((e) => events.push(`unavailable:${e.reason}:${e.error}`));
  router.onStateRecovered(() => events.push('recovered'));
  const seen: unknown[] = [];
  const onChannel = (message: unknown) => seen.push(message);
  for (const name of ['state-unavailable', 'state-recovered']) {
    diagnosticsChannel.subscribe(`x:router:${name}`, onChannel);
    afterTest(() => diagnosticsChannel.unsubscribe(`x:router:${name}`, onChannel));
  }
  /** Ten calls, `a` failing each time its cooldown is over: all served by `b`. */
  const tenCalls = async () => {
    a.fallback = apiError(503);
    for (let i = 0; i < 10; i++) {
      const answer = await router.complete({ model: 'chat', messages: HI });
      expect(answer.route.deployment).toBe('b');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const everything = () =>
    [JSON.stringify(seen), JSON.stringify(entries), JSON.stringify(router.stats())].join('\n');
  return { router, events, tenCalls, everything };
}

describe('createRedisRouterState when Redis refuses the connections (real Redis, real clock)', () => {
  it.each([
    { refused: 'a wrong password', code: 'WRONGPASS', password: `old-${randomUUID()}`, own: false },
    { refused: 'no password', code: 'NOAUTH', password: undefined, own: false },
    {
      refused: 'a wrong password on its commands only',
      code: 'WRONGPASS',
      password: `old-${randomUUID()}`,
      own: true,
    },
  ])(
    'routes by its own view and reports one outage naming $code, when it gets $refused',
    async ({ code, password, own }) => {
      const required = `pw-${randomUUID()}`;
      const redis = await server({ requirepass: required });
      // `own`: the subscription is allowed in, so the state sends its scripts, and each is refused.
      const subscriber = own ? connect(redis.port, { password: required }) : undefined;
      const { router, events, tenCalls, everything } = routerOn(
        connect(redis.port, { password }),
        subscriber,
      );
      await vi.waitFor(() => expect(events).toEqual([`unavailable:error:${code}`]), {
        timeout: 5_000,
      });

      await tenCalls();

      expect(events).toEqual([`unavailable:error:${code}`]);
      expect(router.stats().state).toMatchObject({
        state: 'unavailable',
        outageError: code,
        outages: 1,
      });
      if (own) expect(router.stats().state.failedCommands).toBeGreaterThan(1);
      for (const secret of [required, password ?? required]) {
        expectNoSecret(everything(), secret, { shows: code });
      }
    },
  );

  it('names WRONGPASS once the password is rotated away, and recovers when a command works again', async () => {
    const password = `pw-${randomUUID()}`;
    const redis = await server({ requirepass: password });
    const admin = connect(redis.port, { password });
    const { router, events, tenCalls, everything } = routerOn(connect(redis.port, { password }));
    await vi.waitFor(() => expect(router.stats().state).toMatchObject({ syncs: 1 }), {
      timeout: 5_000,
    });

    // Rotated, and every other connection dropped: ioredis reconnects with the old password.
    await admin.config('SET', 'requirepass', `new-${randomUUID()}`);
    await admin.client('KILL', 'TYPE', 'NORMAL');
    await admin.client('KILL', 'TYPE', 'PUBSUB');
    await vi.waitFor(
      () =>
        expect(router.stats().state).toMatchObject({
          state: 'unavailable',
          outageError: 'WRONGPASS',
        }),
      { timeout: 5_000 },
    );
    await tenCalls();
    expect(events).toEqual(['unavailable:disconnected:undefined']);
    expectNoSecret(everything(), password, { shows: 'WRONGPASS' });

    // Set back to the password the router has: its next reconnection works.
    await admin.config('SET', 'requirepass', password);
    await vi.waitFor(() => expect(events).toContain('recovered'), { timeout: 5_000 });
    expect(events).toEqual(['unavailable:disconnected:undefined', 'recovered']);
    expect(router.stats().state).toMatchObject({ state: 'available', outageError: undefined });
  });
});
