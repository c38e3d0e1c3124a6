// The setup several test files share: the fake clock, a promise's outcome read without awaiting
// it, and a client of the redis-server the global setup started.
import Redis from 'ioredis';
import { afterAll, afterEach, beforeEach, inject, vi } from 'vitest';

/** Every test of the calling file starts on vitest's fake clock, and leaves the real one behind. */
export function useFakeClock(): void {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}

/** Tracks a promise's outcome without awaiting it. */
export function track<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => {
      state.settled = true;
      state.value = value;
    },
    (error: unknown) => {
      state.settled = true;
      state.error = error;
    },
  );
  return state;
}

/** A client of the global redis-server for the calling file's tests, quit after the last one. */
export function sharedRedisClient(): Redis {
  const client = new Redis(inject('redisUrl'));
  afterAll(async () => {
    await client.quit();
  });
  return client;
}
