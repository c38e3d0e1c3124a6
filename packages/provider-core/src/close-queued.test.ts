// Real clock and real sockets: a call queued in a limiter would wait for its turn (up to a
// minute) unless close() ends it, so a test that passes is one where close() did.
import { createBreaker } from '@x/breaker';
import { createCache } from '@x/cache';
import {
  createConcurrencyLimiter,
  createRateLimiter,
  sharedConcurrencyLimiter,
} from '@x/rate-limit';
import { describe, expect, it, vi } from 'vitest';
import { lineCore as core, streamed } from './__fixtures__/line-core';
import {
  destroyAfterEach,
  outcome,
  startModelServer as startServer,
  to,
} from './__fixtures__/model-server';
import { type BaseChatRequest, ProviderClosedError, type ProviderCore } from './index';

destroyAfterEach();

// Waits for real I/O (a request arriving, a socket closing) get 5 s, not vi.waitFor's 1 s: a
// loaded CI machine can take longer, and a bug still fails them.

/** A transfer of `model`'s progress lines (`/pull`, as Ollama's model downloads). */
function transfer(provider: ProviderCore, model: string, breaker = false, onEnd?: () => void) {
  return provider.messages({
    endpoint: '/pull',
    method: 'POST',
    payload: { model },
    model: undefined,
    signal: undefined,
    format: streamed.stream!,
    breaker,
    parse: (message) => message.data,
    onEnd,
  });
}

/** True when `promise` settles within `ms`: a close() that hangs fails the test, not its timeout. */
function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([promise.then(() => true), late]).finally(() => clearTimeout(timer));
}

describe('ProviderCore.close and transfers in flight', () => {
  it('ends them with the closed error and frees their sockets, lets an answer finish, and refuses new ones', async () => {
    const server = await startServer();
    const provider = core(server.url, {});
    let ended = 0;
    const onEnd = () => ended++;
    // A download that sends progress forever: its caller holds a line when close() comes.
    const held = transfer(provider, 'progress', false, onEnd);
    await expect(held.next()).resolves.toMatchObject({ value: '{"delta":"part 0"}' });
    // One whose server went quiet: its caller waits for the next line.
    const waiting = transfer(provider, 'one', false, onEnd);
    await expect(waiting.next()).resolves.toMatchObject({ value: '{"delta":"first"}' });
    const next = outcome(waiting.next());
    const answer = provider.complete(streamed, to('late'));
    await vi.waitFor(() => expect(server.received).toEqual(['progress', 'one', 'late']), {
      timeout: 5_000,
    });
    expect(await settlesWithin(provider.close(), 1_500)).toBe(true);
    await expect(answer).resolves.toMatchObject({ content: 'late' });
    for (const read of [held.next(), next]) {
      expect(await outcome(read)).toMatchObject({ name: 'ProviderClosedError', destroyed: false });
    }
    expect(ended).toBe(2);
    await vi.waitFor(() => expect(server.open()).toBe(0), { timeout: 5_000 });
    // A transfer started after close() is refused unsent, as every other call is.
    expect(await outcome(transfer(provider, 'progress', false, onEnd).next())).toMatchObject({
      name: 'ProviderClosedError',
      destroyed: false,
    });
    expect(ended).toBe(3);
    expect(server.received).toEqual(['progress', 'one', 'late']);
  });

  it('does not count the transfers it ends against a breaker it was given', async () => {
    const server = await startServer();
    const breaker = createBreaker({ failureThreshold: 1 });
    const provider = core(server.url, { breaker });
    const waiting = transfer(provider, 'one', true);
    await waiting.next();
    const next = outcome(waiting.next());
    await vi.waitFor(() => expect(server.received).toEqual(['one']), { timeout: 5_000 });
    expect(await settlesWithin(provider.close(), 1_500)).toBe(true);
    expect(await next).toBeInstanceOf(ProviderClosedError);
    expect(breaker.stats()).toMatchObject({ state: 'closed', failures: 0 });
    // The owner's choice, not the server's failure: another provider of the breaker still calls.
    const other = core(server.url, { breaker });
    await expect(other.complete(streamed, to('m'))).resolves.toMatchObject({ content: 'hi' });
  });
});

describe('ProviderCore.close and the calls still queued', () => {
  it.each([
    { limiter: 'its own limiter (maxConcurrent: 1)', own: true },
    { limiter: 'a limiter it was given', own: false },
  ])(
    'lets the call on a socket finish and ends one queued in $limiter unsent, counted as cancelled',
    async ({ own }) => {
      const server = await startServer();
      const slots = createConcurrencyLimiter({ maxConcurrent: 1 });
      const provider = core(server.url, { maxConcurrent: own ? 1 : slots });
      const sent = provider.complete(streamed, to('late'));
      const queued = outcome(provider.complete(streamed, to('m')));
      await vi.waitFor(() => expect(server.received).toEqual(['late']), { timeout: 5_000 });
      await provider.close();
      await expect(sent).resolves.toMatchObject({ content: 'late' });
      expect(await queued).toBeInstanceOf(ProviderClosedError);
      expect(server.received).toEqual(['late']);
      // The owner's choice, not the server's failure.
      expect(provider.stats()).toMatchObject({ cancelled: 1, failures: 0, inFlight: 0 });
      slots.close();
    },
  );
});

describe('ProviderCore.close and limiters it was given', () => {
  it('ends the calls queued in them at once, unsent, and leaves them open with nothing queued', async () => {
    const server = await startServer();
    // One slot, held by a call the server never answers: the queued calls would wait forever.
    const slots = createConcurrencyLimiter({ maxConcurrent: 1 });
    const provider = core(server.url, { maxConcurrent: slots });
    const onSocket = outcome(provider.complete(streamed, to('silent')));
    await vi.waitFor(() => expect(server.received).toEqual(['silent']), { timeout: 5_000 });
    const caller = new AbortController();
    const slotWaits = [
      outcome(provider.complete(streamed, to('m'))),
      outcome(provider.complete(streamed, to('m', caller.signal))),
    ];
    // One request per 20 s: the first call took the token, the others wait for the next two
    // (within the 60 s a provider waits in a limiter it was given).
    const limiter = createRateLimiter({
      limits: { requests: { ratePerSecond: 0.05, capacity: 1 } },
    });
    const limited = core(server.url, { rateLimit: limiter });
    await expect(limited.complete(streamed, to('m'))).resolves.toMatchObject({ content: 'hi' });
    const tokenWaits = [
      outcome(limited.complete(streamed, to('m'))),
      outcome(limited.complete(streamed, to('m', caller.signal))),
    ];
    await vi.waitFor(
      () => {
        expect(slots.queued).toBe(2);
        expect(limiter.stats().queued).toBe(2);
      },
      { timeout: 5_000 },
    );
    // close() resolves once the call on a socket ends; the queued ones end before.
    const closing = provider.close();
    await limited.close();
    for (const call of [...slotWaits, ...tokenWaits]) {
      expect(await call).toMatchObject({ name: 'ProviderClosedError', destroyed: false });
    }
    expect(server.received).toEqual(['silent', 'm']);
    expect(slots.stats()).toMatchObject({ active: 1, queued: 0, closed: false });
    expect(limiter.stats()).toMatchObject({ queued: 0, aborted: 2 });
    // The owner's choice, not the server's failure; the call on a socket runs on.
    expect(provider.stats()).toMatchObject({ cancelled: 2, failures: 0, inFlight: 1 });
    expect(limited.stats()).toMatchObject({ cancelled: 2, failures: 0, inFlight: 0 });
    await provider.destroy();
    await closing;
    expect(await onSocket).toMatchObject({ name: 'ProviderClosedError', destroyed: true });
    expect(slots.stats()).toMatchObject({ active: 0, queued: 0, closed: false });
    await limiter.close();
  });

  it('ends a retry waiting in one for its request token, unsent', async () => {
    const server = await startServer();
    // The first attempt takes the only token; its retry would wait 20 s for the next.
    const limiter = createRateLimiter({
      limits: { requests: { ratePerSecond: 0.05, capacity: 1 } },
    });
    const provider = core(server.url, {
      rateLimit: limiter,
      retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const call = outcome(provider.complete(streamed, to('unavailable')));
    await vi.waitFor(() => expect(limiter.stats().queued).toBe(1), { timeout: 5_000 });
    await provider.close();
    expect(await call).toMatchObject({ name: 'ProviderClosedError', destroyed: false });
    expect(server.received).toEqual(['unavailable']);
    expect(limiter.stats()).toMatchObject({ queued: 0, aborted: 1 });
    expect(provider.stats()).toMatchObject({ retries: 1, cancelled: 1, failures: 0 });
    await limiter.close();
  });

  it.each([
    { where: 'queued in a limiter it was given', backoff: false },
    { where: 'in a retry backoff', backoff: true },
  ])(
    "loads again when the load it joined on a shared cache was another provider's, closed $where",
    async ({ backoff }) => {
      const server = await startServer();
      await using cache = createCache({ strategy: 'aggressive' });
      const cached = { ...streamed, cacheKey: (request: BaseChatRequest) => ({ ...request }) };
      const limiter = createRateLimiter({
        limits: { requests: { ratePerSecond: 0.05, capacity: 1 } },
      });
      const closed = core(server.url, {
        cache,
        ...(backoff ? { retry: { retries: 1 } } : { rateLimit: limiter }),
      });
      const alive = core(server.url, { cache });
      if (!backoff) await closed.complete(streamed, to('m')); // takes the only token
      // `busy` says Retry-After: 60, so the first load waits out a 60 s backoff
      const model = backoff ? 'busy' : 'm';
      const loading = outcome(closed.complete(cached, to(model)));
      const joined = outcome(alive.complete(cached, to(model)));
      await vi.waitFor(() => expect(cache.stats().coalesced).toBe(1), { timeout: 5_000 });
      await vi.waitFor(
        () =>
          backoff ? expect(closed.stats().retries).toBe(1) : expect(limiter.stats().queued).toBe(1),
        { timeout: 5_000 },
      );
      await closed.close();
      expect(await loading).toMatchObject({ name: 'ProviderClosedError', destroyed: false });
      // Not the other provider's closed error: its own load.
      if (backoff) {
        expect(await joined).toMatchObject({ name: 'ProviderApiError' });
      } else {
        expect(await joined).toMatchObject({ content: 'hi', cached: false });
      }
      expect(alive.stats()).toMatchObject(
        backoff ? { failures: 1 } : { successes: 1, failures: 0 },
      );
      expect(alive.closed).toBe(false);
      await limiter.close();
    },
  );

  it('ends a call queued in a limiter shared by name (share) at once, and the other provider keeps it', async () => {
    const server = await startServer();
    const name = `close-test-${process.pid}`;
    const share = { maxConcurrent: name };
    const provider = core(server.url, { maxConcurrent: 1, share });
    const other = core(server.url, { maxConcurrent: 1, share });
    const slots = sharedConcurrencyLimiter(name);
    const onSocket = outcome(provider.complete(streamed, to('silent')));
    await vi.waitFor(() => expect(server.received).toEqual(['silent']), { timeout: 5_000 });
    const queued = outcome(provider.complete(streamed, to('m')));
    const othersQueued = outcome(other.complete(streamed, to('m')));
    await vi.waitFor(() => expect(slots.queued).toBe(2), { timeout: 5_000 });
    const closing = provider.close();
    expect(await queued).toMatchObject({ name: 'ProviderClosedError', destroyed: false });
    await provider.destroy();
    await closing;
    expect(await onSocket).toBeInstanceOf(ProviderClosedError);
    // The slot freed by the destroyed call goes to the other provider's waiter.
    await expect(othersQueued).resolves.toMatchObject({ content: 'hi' });
    await other.close();
    slots.close();
  });
});
