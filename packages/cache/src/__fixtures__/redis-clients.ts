import { Redis, type RedisOptions } from 'ioredis';
import { afterAll } from 'vitest';

/**
 * `connect(options?, url?)`: an ioredis client of the test file's Redis (`url` by default), which
 * fails a command after one reconnection attempt, never emits an unhandled `error`, and is quit
 * after the file's tests.
 */
export function redisClients(url: string): (options?: RedisOptions, target?: string) => Redis {
  const clients: Redis[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
  });
  return (options = {}, target = url) => {
    const client = new Redis(target, { maxRetriesPerRequest: 1, ...options });
    client.on('error', () => {});
    clients.push(client);
    return client;
  };
}
