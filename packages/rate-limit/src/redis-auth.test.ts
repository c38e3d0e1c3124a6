// A Redis that refuses the client (a wrong or missing password, an ACL without scripts, a dataset
// still loading) answers every command at once, with an error: an outage all the same, which
// those answers must neither end nor restart.
import { randomUUID } from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import {
  errorTexts,
  expectNoSecret,
  ReplyError,
  recordingLogger,
  scriptReplyError,
} from '@x/internal/testing';
import Redis, { type RedisOptions } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BRIEF_RECONNECT, redisPerTest } from '../../../scripts/testing/redis-per-test';
import { isRateLimitStoreUnavailableError } from './errors';
import { createRateLimiter } from './rate-limiter';
import { createRedisStore, type OutagePolicy, type RedisClientLike } from './redis';

const { server, afterTest, connected } = redisPerTest();

const connect = (port: number, options: RedisOptions): Redis =>
  connected(new Redis({ ...BRIEF_RECONNECT, port, ...options }));

/** A limiter on a store over `client`, and everything the store lets out. */
function watched(client: RedisClientLike, outagePolicy: OutagePolicy) {
  const { logger, entries } = recordingLogger();
  const store = createRedisStore({ client, outagePolicy, probeIntervalMs: 0, logger });
  const limiter = createRateLimiter({
    limits: { requests: { ratePerSecond: 100, capacity: 100 } },
    store,
  });
  afterTest(() => limiter.close());
  const events: string[] = [];
  const seen: unknown[] = [];
  store.onUnavailable((e) => {
    events.push(`unavailable:${e.reason}:${e.error}`);
    seen.push(e);
  });
  store.onRecovered((e) => {
    events.push('recovered');
    seen.push(e);
  });
  const onChannel = (message: unknown) => seen.push(message);
  for (const name of ['store-unavailable', 'store-recovered']) {
    diagnosticsChannel.subscribe(`x:rate-limit:${name}`, onChannel);
    afterTest(() => diagnosticsChannel.unsubscribe(`x:rate-limit:${name}`, onChannel));
  }
  const everything = (errors: unknown[]) =>
    [JSON.stringify(seen), JSON.stringify(entries), JSON.stringify(store.stats())]
      // what `console.log(store)` prints: ioredis keeps the password in its client's options
      .concat(inspect(store, { depth: 8 }), inspect(limiter, { depth: 8 }))
      .concat(errorTexts(errors))
      .join('\n');
  return { store, limiter, events, entries, everything };
}

describe('createRedisStore when Redis refuses the client (real Redis, real clock)', () => {
  it.each([
    { refused: 'a wrong password', code: 'WRONGPASS', password: `old-${randomUUID()}` },
    { refused: 'no password', code: 'NOAUTH', password: undefined },
  ])(
    'applies fail-closed to every call and reports one outage naming $code, when it gets $refused',
    async ({ code, password }) => {
      const required = `pw-${randomUUID()}`;
      const redis = await server({ requirepass: required });
      const { store, limiter, events, entries, everything } = watched(
        connect(redis.port, { password }),
        'fail-closed',
      );

      for (let i = 0; i < 10; i++) expect(await limiter.tryAcquire(`k${i}`)).toBe(false);
      const refused = await limiter.acquire('k').catch((e: unknown) => e);

      expect(isRateLimitStoreUnavailableError(refused)).toBe(true);
      expect(events).toEqual([`unavailable:error:${code}`]);
      expect(store.stats()).toMatchObject({
        state: 'unavailable',
        outageError: code,
        outages: 1,
        decisions: 0,
        fallbackDecisions: 11,
        scriptErrors: 0,
      });
      expect(entries.map(([level, fields]) => `${level} ${fields.event} ${fields.error}`)).toEqual([
        `warn store-unavailable ${code}`,
      ]);
      for (const secret of [required, password ?? required]) {
        expectNoSecret(everything([refused]), secret, { shows: code });
      }
    },
  );

  it('reports the recovery once, when a decision succeeds after the password is set right', async () => {
    const required = `pw-${randomUUID()}`;
    const password = `new-${randomUUID()}`;
    const redis = await server({ requirepass: required });
    const { store, limiter, events } = watched(connect(redis.port, { password }), 'fail-open');
    for (let i = 0; i < 5; i++) expect(await limiter.tryAcquire('k')).toBe(true);
    expect(events).toEqual(['unavailable:error:WRONGPASS']);

    // The operator gives Redis the password the client has: its next reconnection works.
    const admin = connect(redis.port, { password: required });
    await admin.config('SET', 'requirepass', password);
    await vi.waitFor(
      async () => {
        await limiter.tryAcquire('k');
        expect(store.stats()).toMatchObject({ state: 'available', decisions: 1 });
      },
      { timeout: 5_000, interval: 50 },
    );
    expect(store.stats().outageError).toBeUndefined();
    expect(events).toEqual(['unavailable:error:WRONGPASS', 'recovered']);
  });

  it('applies fail-open and names NOPERM when the ACL user may not run scripts', async () => {
    const required = `pw-${randomUUID()}`;
    const redis = await server({ requirepass: required });
    const admin = connect(redis.port, { password: required });
    const userPassword = `user-${randomUUID()}`;
    await admin.call(
      'ACL',
      'SETUSER',
      'limiter',
      'on',
      `>${userPassword}`,
      '~*',
      '+@all',
      '-@scripting',
    );
    const { store, limiter, events, everything } = watched(
      connect(redis.port, { username: 'limiter', password: userPassword }),
      'fail-open',
    );

    for (let i = 0; i < 10; i++) expect(await limiter.tryAcquire('k')).toBe(true);

    expect(events).toEqual(['unavailable:error:NOPERM']);
    expect(store.stats()).toMatchObject({ outageError: 'NOPERM', outages: 1, scriptErrors: 0 });
    expectNoSecret(everything([]), userPassword, { shows: 'NOPERM' });
  });
});

describe('createRedisStore through replies that refuse the client', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps one outage through LOADING, NOAUTH, WRONGPASS and NOPERM replies, and ends it at the first success', async () => {
    vi.useFakeTimers();
    const replies: unknown[] = [
      new ReplyError('LOADING Redis is loading the dataset in memory'),
      new ReplyError('NOAUTH Authentication required.'),
      new ReplyError('WRONGPASS invalid username-password pair or user is disabled.'),
      scriptReplyError('-NOPERM this user has no permissions to access one of the keys'),
    ];
    const client: RedisClientLike = {
      evalsha: () => {
        const reply = replies.shift();
        return reply === undefined ? Promise.resolve(0) : Promise.reject(reply);
      },
      eval: () => Promise.resolve(0),
    };
    const { store, limiter, events } = watched(client, 'local');
    const stages: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      expect(await limiter.tryAcquire('k')).toBe(true);
      stages.push(store.stats().outageError);
    }
    expect(stages).toEqual(['LOADING', 'NOAUTH', 'WRONGPASS', 'NOPERM']);
    expect(events).toEqual(['unavailable:error:LOADING']);
    expect(store.stats()).toMatchObject({ outages: 1, errors: 4, scriptErrors: 0 });

    expect(await limiter.tryAcquire('k')).toBe(true);
    expect(events).toEqual(['unavailable:error:LOADING', 'recovered']);
    expect(store.stats()).toMatchObject({ state: 'available', outageError: undefined });
  });
});
