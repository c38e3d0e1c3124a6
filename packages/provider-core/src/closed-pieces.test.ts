// A pool or limiter that its own user closed while the provider is open: the call's error is the
// provider's closed error (its documented type), but it names what was closed and keeps that
// piece's error as `cause`, so the user is not sent to a provider that reports itself open.
import { createPool, isPoolClosedError } from '@x/pool';
import { createConcurrencyLimiter, createRateLimiter, isRateLimitClosedError } from '@x/rate-limit';
import { describe, expect, it } from 'vitest';
import { ask, lineCore as core, streamed } from './__fixtures__/line-core';
import { destroyAfterEach, outcome, startModelServer } from './__fixtures__/model-server';
import { ProviderClosedError, type ProviderCore } from './index';

destroyAfterEach();

const call = (provider: ProviderCore) => outcome(provider.complete(streamed, ask));

describe('a piece closed while the provider is open', () => {
  it('a shared pool: names the pool, keeps its error as the cause, quotes no origin', async () => {
    const server = await startModelServer();
    const pool = createPool();
    const provider = core(server.url, { pool });
    await provider.complete(streamed, ask);
    await pool.close();
    const error = await call(provider);
    expect(error).toBeInstanceOf(ProviderClosedError);
    expect(error).toMatchObject({
      message:
        "The Demo provider's shared pool is closed: its owner closed it while this provider still uses it; close providers before what they share",
      code: 'X_PROVIDER_DEMO_CLOSED',
      destroyed: false,
      retryable: false,
    });
    expect(isPoolClosedError((error as Error).cause)).toBe(true);
    // The pool's own message quotes the origin; the provider's names the piece alone.
    expect((error as Error).message).not.toContain('127.0.0.1');
    expect((error as Error).stack?.split('\n')[0]).toBe(
      "ProviderClosedError: The Demo provider's shared pool is closed: its owner closed it while this provider still uses it; close providers before what they share",
    );
    expect(provider.closed).toBe(false);
  });

  it('a shared rate limiter: names the rate limiter, its error as the cause', async () => {
    const server = await startModelServer();
    const limiter = createRateLimiter({ limits: { requests: { ratePerSecond: 60 } } });
    const provider = core(server.url, { rateLimit: limiter });
    await limiter.close();
    const error = await call(provider);
    expect(error).toBeInstanceOf(ProviderClosedError);
    expect(error).toMatchObject({
      message:
        "The Demo provider's shared rate limiter is closed: its owner closed it while this provider still uses it; close providers before what they share",
    });
    expect(isRateLimitClosedError((error as Error).cause)).toBe(true);
    expect(provider.closed).toBe(false);
  });

  it('a shared concurrency limiter: names the concurrency limiter', async () => {
    const server = await startModelServer();
    const limiter = createConcurrencyLimiter({ maxConcurrent: 1 });
    const provider = core(server.url, { maxConcurrent: limiter });
    await limiter.close();
    const error = await call(provider);
    expect(error).toBeInstanceOf(ProviderClosedError);
    expect(error).toMatchObject({
      message:
        "The Demo provider's shared concurrency limiter is closed: its owner closed it while this provider still uses it; close providers before what they share",
    });
    expect(isRateLimitClosedError((error as Error).cause)).toBe(true);
  });

  it("the provider's own pool, closed through its getter: names the pool, not as shared", async () => {
    const server = await startModelServer();
    const provider = core(server.url, {});
    await provider.pool?.close();
    const error = await call(provider);
    expect(error).toMatchObject({
      name: 'ProviderClosedError',
      message:
        "The Demo provider's pool is closed: it was closed through the provider's getter; close the provider instead, which closes what it created",
    });
    expect(isPoolClosedError((error as Error).cause)).toBe(true);
  });
});

describe('a provider closed itself', () => {
  it('keeps its message, whatever else was closed', async () => {
    const server = await startModelServer();
    const pool = createPool();
    const provider = core(server.url, { pool });
    await pool.close();
    await provider.close();
    const error = await call(provider);
    expect(error).toMatchObject({
      name: 'ProviderClosedError',
      message:
        'The Demo provider is closed: close() or destroy() was called; create a new provider to make more calls',
    });
    expect((error as Error).cause).toBeUndefined();
  });
});
