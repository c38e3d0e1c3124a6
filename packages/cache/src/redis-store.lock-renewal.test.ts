// Renewing the load lock while a loader runs: a renewal that fails, and a lock found lost, are
// store failures as any other (stats().store.errors, onStoreError), not silent. Real redis-server.
import { randomUUID } from 'node:crypto';
import { until } from '@x/internal/testing';
import { describe, expect, inject, it, vi } from 'vitest';
import { chatRequest as req } from './__fixtures__/chat-request';
import { redisClients } from './__fixtures__/redis-clients';
import { createCache } from './cache';
import { type CacheStoreError, isCacheStoreError } from './errors';
import { RENEW } from './internal/lock-scripts';
import { createRedisStore } from './redis-store';

const connect = redisClients(inject('redisUrl'));

/** A cache whose load of `req(1)` holds the Redis lock (renewed every 10 ms) until `finish()`. */
async function holdingLoad() {
  const client = connect();
  const prefix = `renewal:${randomUUID()}:`;
  const store = createRedisStore({ client, prefix, commandTimeoutMs: 5_000, lockTtlMs: 30 });
  const cache = createCache<string>({ store });
  const errors: CacheStoreError[] = [];
  cache.onStoreError((error) => errors.push(error));
  let finish!: (value: string) => void;
  const loader = vi.fn(() => new Promise<string>((resolve) => (finish = resolve)));
  const loading = cache.getOrLoad(req(1), loader);
  await until(() => loader.mock.calls.length > 0);
  const lockKey = `${prefix}lock:${cache.key(req(1))}`;
  return { client, cache, errors, loading, lockKey, finish: (value: string) => finish(value) };
}

describe('lock renewal failures', () => {
  it('counts and tells a renewal that fails', async () => {
    const load = await holdingLoad();
    const evalCommand = load.client.eval.bind(load.client) as (...args: unknown[]) => unknown;
    // Every renewal fails from now on; the other scripts still run.
    vi.spyOn(load.client, 'eval').mockImplementation(((script: string, ...args: unknown[]) =>
      script === RENEW
        ? Promise.reject(new Error('renewal refused'))
        : evalCommand(script, ...args)) as never);
    await until(() => load.errors.length > 0);
    expect(load.cache.stats().store?.errors).toBeGreaterThan(0);
    expect(load.errors[0]).toSatisfy(isCacheStoreError);
    expect(load.errors[0]?.operation).toBe('lock');
    expect(load.errors[0]?.message).toContain('renewal refused');
    load.finish('v');
    expect(await load.loading).toBe('v');
    await load.cache.close();
  });

  it('counts and tells a lock found lost, once', async () => {
    const load = await holdingLoad();
    // The lock expired (or was taken over): the next renewal finds it gone.
    await connect().del(load.lockKey);
    await until(() => load.errors.length > 0);
    expect(load.errors[0]?.operation).toBe('lock');
    expect(load.errors[0]?.message).toMatch(/expired before it was renewed/);
    const errorsAfterLoss = load.cache.stats().store?.errors;
    expect(errorsAfterLoss).toBe(1);
    load.finish('v');
    expect(await load.loading).toBe('v');
    // Nothing left to renew: no further renewal, no further error.
    expect(load.cache.stats().store?.errors).toBe(errorsAfterLoss);
    await load.cache.close();
  });
});
