import { startOllamaSim } from '@x/ollama-sim';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RedisServerHandle, startRedisServer } from '../../scripts/testing/redis-server.ts';
import { runWorker } from './queue-worker.ts';

// Real clock: a real redis-server and a real simulator, two workers in this process.
describe('runWorker (queue worker example)', () => {
  let redis: RedisServerHandle;
  let sim: Awaited<ReturnType<typeof startOllamaSim>>;
  let client: Redis;
  beforeAll(async () => {
    [redis, sim] = await Promise.all([
      startRedisServer(),
      startOllamaSim({ host: '127.0.0.1', port: 0, tokensPerSecond: 0 }),
    ]);
    process.env.OLLAMA_HOST = sim.url;
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    await client.quit();
    await sim.close();
    await redis.stop();
  });

  it('answers every job, asking the model at most twice per distinct prompt, when two workers share the cache and the limit through Redis', async () => {
    const prompts = ['Why is the sky blue?', 'What is a token?', 'Why is the sky blue?'];
    const jobs = [...prompts, ...prompts].map((prompt, i) =>
      JSON.stringify({ id: String(i), prompt }),
    );
    const stop = new AbortController();
    const workers = [1, 2].map(() =>
      runWorker({ redisUrl: redis.url, ratePerSecond: 50, signal: stop.signal }),
    );
    await client.rpush('jobs', jobs[0]!);
    // The first answer is cached before the rest arrive, so each distinct prompt is asked once
    // more at most (two workers may miss the cache for the same prompt at the same time).
    await vi.waitFor(async () => expect(await client.hlen('jobs:results')).toBe(1), {
      timeout: 10_000,
    });
    await client.rpush('jobs', ...jobs.slice(1));
    await vi.waitFor(async () => expect(await client.hlen('jobs:results')).toBe(6), {
      timeout: 20_000,
    });
    stop.abort();
    await Promise.all(workers);

    const results = await client.hgetall('jobs:results');
    expect(results['0']).toBe(results['2']);
    expect(results['0']).toBe(results['3']);
    expect(await client.hlen('jobs:failed')).toBe(0);
    const chats = sim.requests.filter((r) => r.path === '/api/chat').length;
    expect(chats).toBeGreaterThanOrEqual(2);
    expect(chats).toBeLessThanOrEqual(4);
    // The limiter decided in Redis (one script call per decision): its keys expire once full.
    const scripts = /cmdstat_evalsha:calls=(\d+)/.exec(await client.info('commandstats'));
    expect(Number(scripts?.[1])).toBeGreaterThanOrEqual(chats);
  });
});
