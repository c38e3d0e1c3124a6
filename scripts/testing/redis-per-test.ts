/**
 * For test files that make Redis misbehave (a rotated password, paused writes, a replica): each
 * test starts its own `redis-server`, so the tests sharing the global one are not disturbed, and
 * everything a test opened is closed after it, most recent first (clients before their server).
 */
import { afterEach } from 'vitest';
import { type RedisServerHandle, type RedisServerOptions, startRedisServer } from './redis-server';

export interface RedisPerTest {
  /** A `redis-server` of this test's own, stopped after it. */
  server(options?: RedisServerOptions): Promise<RedisServerHandle>;
  /** Runs `cleanup` after the test (a client's `disconnect`, a limiter's `close`). */
  afterTest(cleanup: () => unknown): void;
  /**
   * `client`, its `error` events swallowed (a refused or dropped connection is what these tests
   * make happen) and disconnected after the test.
   */
  connected<C extends RedisClientToClose>(client: C): C;
}

/** What {@link RedisPerTest.connected} needs of a client: ioredis' `Redis` has it. */
interface RedisClientToClose {
  on(event: 'error', listener: () => void): unknown;
  disconnect(): void;
}

/**
 * ioredis options for a client whose reconnections are refused on purpose: a short, fixed delay
 * keeps each one (and the test) brief, and a command fails after one retry.
 */
export const BRIEF_RECONNECT = Object.freeze({
  host: '127.0.0.1',
  maxRetriesPerRequest: 1,
  retryStrategy: () => 50,
});

/** Call at the top of a test file: registers the `afterEach` that closes what each test opened. */
export function redisPerTest(): RedisPerTest {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    async server(options) {
      const handle = await startRedisServer(options);
      cleanups.push(() => handle.stop());
      return handle;
    },
    afterTest(cleanup) {
      cleanups.push(cleanup);
    },
    connected(client) {
      client.on('error', () => {});
      cleanups.push(() => client.disconnect());
      return client;
    },
  };
}
