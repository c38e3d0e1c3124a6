// Real clock: the provider calls a real @x/ollama-sim on 127.0.0.1. A pool or rate limiter passed
// in and closed by its own user: the call's error says so (the provider itself is open), as the
// provider's `ProviderClosedError`, with the piece's error as `cause`.
import { createRateLimiter, isRateLimitClosedError } from '@x/rate-limit';
import { expect, it } from 'vitest';
import { simSetup } from './__fixtures__/sim-provider';
import { isProviderClosedError } from './errors';
import type { ChatRequest } from './types';

const { setup } = simSetup();
const request: ChatRequest = { model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] };

it('a closed shared pool: names the pool, the provider stays open', async () => {
  // A pool from another provider's getter: this package does not depend on @x/pool.
  const { provider: owner } = await setup({ cache: false });
  const pool = owner.pool!;
  const { provider } = await setup({ pool, cache: false });
  await provider.complete(request);
  await pool.close();
  const error = await provider.complete(request).catch((e: unknown) => e);
  expect(isProviderClosedError(error)).toBe(true);
  expect(error).toMatchObject({
    code: 'X_PROVIDER_OLLAMA_CLOSED',
    message:
      "The Ollama provider's shared pool is closed: its owner closed it while this provider still uses it; close providers before what they share",
  });
  expect((error as Error).cause).toMatchObject({ name: 'PoolClosedError', code: 'X_POOL_CLOSED' });
  expect(provider.closed).toBe(false);
});

it('a closed shared rate limiter: names the rate limiter', async () => {
  const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 60 } } });
  const { provider } = await setup({ rateLimit: limiter, cache: false });
  await limiter.close();
  const error = await provider.complete(request).catch((e: unknown) => e);
  expect(isProviderClosedError(error)).toBe(true);
  expect(error).toMatchObject({
    message:
      "The Ollama provider's shared rate limiter is closed: its owner closed it while this provider still uses it; close providers before what they share",
  });
  expect(isRateLimitClosedError((error as Error).cause)).toBe(true);
  expect(provider.closed).toBe(false);
});
