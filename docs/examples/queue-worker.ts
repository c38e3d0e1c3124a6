/**
 * A queue worker: jobs wait in a Redis list, any number of worker processes take them, and every
 * worker shares one rate limit and one response cache through the same Redis. Ten workers on a
 * 5 requests/s quota send 5 requests/s in total, and a prompt one worker answered is an answer
 * for all of them.
 * Run: `REDIS_URL=redis://127.0.0.1:6379 OLLAMA_HOST=http://127.0.0.1:11434 npx tsx queue-worker.ts`
 * in as many terminals as you like; push jobs with
 * `redis-cli RPUSH jobs '{"id":"1","prompt":"Why is the sky blue?"}'`; answers land in the hash `jobs:results`.
 */
import { fileURLToPath } from 'node:url';
import { createCache } from '@x/cache';
import { createRedisStore as createCacheStore } from '@x/cache/redis';
import { createOllamaProvider, isOllamaError } from '@x/provider-ollama';
import { createRateLimiter } from '@x/rate-limit';
import { createRedisStore as createLimitStore } from '@x/rate-limit/redis';
import { Redis } from 'ioredis';

export interface Job {
  readonly id: string;
  readonly prompt: string;
}

export interface WorkerOptions {
  readonly redisUrl: string;
  /** The Redis list the jobs wait in; answers go to `<queue>:results`, failures to `<queue>:failed`. */
  readonly queue?: string;
  /** Requests per second for all workers together. */
  readonly ratePerSecond?: number;
  /** Ends the loop after the job in hand (shutdown). */
  readonly signal: AbortSignal;
}

export async function runWorker({
  redisUrl,
  queue = 'jobs',
  ratePerSecond = 5,
  signal,
}: WorkerOptions): Promise<void> {
  const redis = new Redis(redisUrl);
  const blocking = redis.duplicate(); // BLPOP holds its connection while it waits
  // One quota for every worker: the bucket lives in Redis. During a Redis outage each worker
  // keeps a quarter of it locally ('local'), so four workers stay near the quota.
  const limits = createLimitStore({ client: redis, outagePolicy: 'local', localShare: 0.25 });
  const limiter = createRateLimiter({ limits: { requests: { ratePerSecond } }, store: limits });
  const answers = createCacheStore({ client: redis });
  const cache = createCache({ namespace: 'worker-v1', store: answers });
  // The limiter and cache are shared instances: the provider uses them and leaves them open.
  const provider = createOllamaProvider({ rateLimit: limiter, cache });
  try {
    while (!signal.aborted) {
      const popped = await blocking.blpop(queue, 1); // wakes every second to see `signal`
      if (!popped) continue;
      const job = JSON.parse(popped[1]) as Job;
      try {
        const answer = await provider.complete({
          model: 'llama3.2',
          messages: [{ role: 'user', content: job.prompt }],
          temperature: 0, // deterministic: cached for every worker
        });
        await redis.hset(`${queue}:results`, job.id, answer.content);
      } catch (error) {
        if (isOllamaError(error) && error.retryable) {
          // Overloaded, open breaker, local limit: back to the queue for a later try.
          await redis.rpush(queue, popped[1]);
          await new Promise((r) => setTimeout(r, Math.min(error.retryAfterMs ?? 1000, 30_000)));
        } else {
          await redis.hset(
            `${queue}:failed`,
            job.id,
            isOllamaError(error) ? error.code : String(error),
          );
        }
      }
    }
  } finally {
    await provider.close();
    await cache.close(); // its last writes reach Redis
    await answers.close();
    await limiter.close();
    blocking.disconnect();
    await redis.quit();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const stop = new AbortController();
  for (const name of ['SIGINT', 'SIGTERM'] as const) process.once(name, () => stop.abort());
  await runWorker({
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    signal: stop.signal,
  });
}
