import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { sharedRedisClient } from './__fixtures__/test-setup';
import { isRateLimitTimeoutError } from './errors';
import { createRedisTokenBucket } from './redis';

// A Redis token bucket: its waits, and one limit shared by several processes.

const client = sharedRedisClient();
const prefix = `test:${process.pid}:`;

describe('createRedisTokenBucket', () => {
  it('waits for the time the script says, and rejects at once when that exceeds timeoutMs', async () => {
    const bucket = createRedisTokenBucket({
      client,
      prefix,
      key: randomUUID(),
      ratePerSecond: 20,
      capacity: 2,
    });
    expect(await bucket.tryAcquire(2)).toBe(true);
    const error = await bucket.acquire(2, { timeoutMs: 20 }).catch((e: unknown) => e);
    expect(isRateLimitTimeoutError(error)).toBe(true);
    expect((error as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(20);
    await bucket.acquire(1, { timeoutMs: 5_000 });
    await bucket.acquire(1);
    expect(bucket.stats()).toMatchObject({ admitted: 3, timedOut: 1, queued: 0 });
    expect(bucket.stats().waited).toBeGreaterThanOrEqual(1);
  });

  it('never lets four worker processes sharing one limit exceed it in any window', async () => {
    const key = `shared-${randomUUID()}`;
    const rate = 40;
    const capacity = 5;
    const worker = fileURLToPath(new URL('./__fixtures__/redis-worker.ts', import.meta.url));
    type Report = { admitted: [number, number][]; calls: number };
    const children = Array.from({ length: 4 }, () =>
      fork(worker, [], {
        execArgv: ['--import', 'tsx'],
        env: {
          ...process.env,
          REDIS_URL: inject('redisUrl'),
          BUCKET_KEY: `${prefix}${key}`,
          RATE: String(rate),
          CAPACITY: String(capacity),
          DURATION_MS: '1200',
        },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    const killer = setTimeout(() => {
      for (const child of children) child.kill('SIGKILL');
    }, 20_000);
    try {
      await Promise.all(
        children.map((child) => new Promise((resolve) => child.once('message', resolve))),
      );
      const reports = Promise.all(
        children.map(
          (child) =>
            new Promise<Report>((resolve, reject) => {
              child.once('message', (m) => resolve(m as Report));
              child.once('exit', (code) =>
                reject(new Error(`worker exited with ${code} before reporting`)),
              );
            }),
        ),
      );
      for (const child of children) child.send('go');
      const results = await reports;
      const admitted = results.flatMap((r) => r.admitted).sort((a, b) => a[0] - b[0]);
      expect(results.every((r) => r.admitted.length > 0)).toBe(true);
      // Each decision happened inside its [sent, received]; any admissions wholly inside a window
      // [t1, t2] were decided inside it, so they must fit capacity + rate * (t2 - t1).
      for (const [t1] of admitted) {
        for (const [, t2] of admitted) {
          if (t2 <= t1) continue;
          const inside = admitted.filter(([s, r]) => s >= t1 && r <= t2).length;
          expect(inside).toBeLessThanOrEqual(capacity + (rate * (t2 - t1)) / 1000 + 1e-6);
        }
      }
      const span = (admitted.at(-1)![1] - admitted[0]![0]) / 1000;
      expect(admitted.length).toBeLessThanOrEqual(capacity + rate * span);
      // and the limit was actually used, not just respected
      expect(admitted.length).toBeGreaterThan(rate * span * 0.5);
    } finally {
      clearTimeout(killer);
      for (const child of children) if (child.exitCode === null) child.kill();
    }
  });
});
