/**
 * A separate process for the cross-process single-flight test: it waits for "go", asks its own
 * cache (its own Redis connection) for a key, and reports what it got.
 */
import Redis from 'ioredis';
import { createCache } from '../cache';
import { createRedisStore } from '../redis-store';

const [url, prefix, counterKey] = process.argv.slice(2) as [string, string, string];
const client = new Redis(url, { lazyConnect: false });
const cache = createCache({
  namespace: 'fork',
  store: createRedisStore({ client, prefix, pollIntervalMs: 20 }),
});

process.on('message', async (message) => {
  if (message !== 'go') return;
  const request = { model: 'llama3.2', prompt: 'shared question', options: { temperature: 0 } };
  const value = await cache.getOrLoad(request, async () => {
    await client.incr(counterKey);
    await new Promise((resolve) => setTimeout(resolve, 400));
    return { answer: 42, loadedBy: process.pid };
  });
  await cache.flush();
  process.send?.({ value, stats: cache.stats() }, () => {
    client.quit().finally(() => process.exit(0));
  });
});

client.once('ready', () => process.send?.('ready'));
