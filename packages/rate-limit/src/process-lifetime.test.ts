import { fileURLToPath } from 'node:url';
import { runModuleScript } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('./index.ts', import.meta.url));

// A child process whose only pending work is `await acquire()`: the token must arrive before the
// process exits (a fully unref'd wait would let Node exit with an unsettled top-level await).
const runScript = (body: string) => runModuleScript(entry, 'rl', body);

describe('process lifetime', () => {
  it('delivers every token when a waiting acquire() is the only pending work', async () => {
    const result = await runScript(`
      const bucket = rl.createTokenBucket({ ratePerSecond: 50, capacity: 1 });
      for (let i = 0; i < 4; i++) await bucket.acquire();
      console.log('acquired 4');
    `);
    expect(result).toEqual({ code: 0, stdout: 'acquired 4\n', stderr: '' });
  });

  it('admits a queued keyed acquire when it is the only pending work', async () => {
    const result = await runScript(`
      const limiter = rl.createRateLimiter({ limits: { requests: { ratePerSecond: 50, capacity: 1 } } });
      for (let i = 0; i < 3; i++) await limiter.acquire('k', { requests: 1 });
      console.log('admitted 3');
    `);
    expect(result).toEqual({ code: 0, stdout: 'admitted 3\n', stderr: '' });
  });

  it('rejects a concurrency wait at its timeout when the slot is never given back', async () => {
    const result = await runScript(`
      const slots = rl.createConcurrencyLimiter({ maxConcurrent: 1, timeoutMs: 50 });
      await slots.acquire(); // held for ever: a leaked slot
      try {
        await slots.acquire();
      } catch (error) {
        console.log(error.name);
      }
    `);
    expect(result).toEqual({ code: 0, stdout: 'ConcurrencyTimeoutError\n', stderr: '' });
  });
});
