import {
  CircuitOpenError,
  ProviderClosedError,
  type ProviderError,
  type StreamChunk,
} from '@x/provider-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  apiError,
  type FakeProvider,
  fakeProvider,
  HI,
  ORIGIN,
  overflowError,
  textChunk,
} from './__fixtures__/fake-provider';
import { primaryAndBackup, scriptedState } from './__fixtures__/routers';
import { createRouter } from './router';

/**
 * A stream that fails after its first chunk reached the caller: the error reaches the caller as
 * is (no fallback), and the deployment is judged as if it had failed before that chunk, as
 * `complete()` judges it. Only what is the caller's (its abort) or the router's (its shutdown)
 * says nothing of the deployment.
 */

afterEach(() => {
  vi.useRealTimers();
});

const ask = { model: 'chat' as const, messages: HI };

/** Errors of the deployment's provider that are no failure of its server. */
const REFUSALS: [string, () => ProviderError][] = [
  [
    'circuit-open',
    () => new CircuitOpenError({ origin: ORIGIN, retryAfterMs: 1_000, cause: undefined }),
  ],
  ['closed', () => new ProviderClosedError({ origin: ORIGIN })],
  [
    'context-overflow',
    () => overflowError({ model: 'm', promptTokens: 9_000, contextWindow: 4_096 }),
  ],
];

/**
 * `provider`'s next streams send one chunk, then fail with `failure()`; with `onAbort`, the second
 * read first waits for the request's signal to abort (the provider turns the abort into its error).
 */
function failAfterFirstChunk(
  provider: FakeProvider,
  failure: () => Error,
  options: { onAbort?: boolean } = {},
): void {
  provider.stream = (request) => ({
    async *[Symbol.asyncIterator](): AsyncGenerator<StreamChunk> {
      yield textChunk('Hel');
      if (options.onAbort === true) {
        await new Promise<void>((resolve) =>
          request.signal?.addEventListener('abort', () => resolve()),
        );
      }
      throw failure();
    },
  });
}

async function readAll(iterable: AsyncIterable<{ content: string }>): Promise<string[]> {
  const received: string[] = [];
  for await (const chunk of iterable) received.push(chunk.content);
  return received;
}

describe('Router.stream', () => {
  it.each(REFUSALS)(
    'counts a stream that fails with %s after its first chunk against its deployment, as complete() does',
    async (kind, failure) => {
      const a = fakeProvider('a');
      const router = createRouter({
        deployments: [{ id: 'a', group: 'chat', provider: a, model: 'm' }],
      });
      a.script = [failure()];
      await expect(router.complete(ask)).rejects.toBeDefined();
      expect(router.stats().deployments.a).toMatchObject({ calls: 1, failures: 1 });

      failAfterFirstChunk(a, failure);
      const read = readAll(router.stream(ask));
      await expect(read).rejects.toMatchObject({ kind });
      expect(router.stats().deployments.a).toMatchObject({ calls: 2, failures: 2, inFlight: 0 });
      expect(router.stats()).toMatchObject({ failures: 2, cancelled: 0, inFlight: 0 });

      // The caller's own abort says nothing of the deployment, whatever its provider raised then.
      failAfterFirstChunk(a, failure, { onAbort: true });
      const caller = new AbortController();
      const iterator = router.stream({ ...ask, signal: caller.signal })[Symbol.asyncIterator]();
      await expect(iterator.next()).resolves.toMatchObject({ value: { content: 'Hel' } });
      const next = iterator.next();
      caller.abort(new Error('user left'));
      await expect(next).rejects.toBe(caller.signal.reason);
      expect(router.stats().deployments.a).toMatchObject({ calls: 3, failures: 2, inFlight: 0 });
      expect(router.stats()).toMatchObject({ failures: 2, cancelled: 1, inFlight: 0 });
    },
  );

  it("takes its deployment out when the stream's failure after its first chunk opened its breaker", async () => {
    const told: string[] = [];
    const { a, router } = primaryAndBackup({
      state: scriptedState({
        cooldown: (deployment, _ms, reason) => told.push(`${deployment} ${reason}`),
      }),
    });
    const breaker = { state: 'closed' };
    a.breaker = breaker;
    const cooldowns: unknown[] = [];
    router.onCooldown((e) => cooldowns.push(e));
    failAfterFirstChunk(a, () => {
      breaker.state = 'open';
      return new CircuitOpenError({ origin: ORIGIN, retryAfterMs: 5_000, cause: undefined });
    });
    await expect(readAll(router.stream(ask))).rejects.toMatchObject({ kind: 'circuit-open' });
    expect(cooldowns).toMatchObject([{ deployment: 'a', reason: 'breaker-open', source: 'local' }]);
    expect(told).toEqual(['a breaker-open']);
    expect(router.stats().deployments.a).toMatchObject({ status: 'cooling', failures: 1 });
    // The next call goes to the backup without calling it.
    breaker.state = 'closed';
    expect((await router.complete(ask)).route.deployment).toBe('b');
    expect(a.requests).toHaveLength(0);
  });

  it('fails a probe whose stream its provider refuses after the first chunk', async () => {
    vi.useFakeTimers();
    const { a, router } = primaryAndBackup({ cooldown: { failures: 1, durationMs: 1_000 } });
    const cooldowns: string[] = [];
    router.onCooldown((e) => cooldowns.push(e.reason));
    a.script = [apiError(503)];
    expect((await router.complete(ask)).route.deployment).toBe('b');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(router.stats().deployments.a!.status).toBe('probe-due');
    failAfterFirstChunk(
      a,
      () => new CircuitOpenError({ origin: ORIGIN, retryAfterMs: undefined, cause: undefined }),
    );
    await expect(readAll(router.stream(ask))).rejects.toMatchObject({ kind: 'circuit-open' });
    // Out again, as a probe that failed before its first chunk would be: not probed by every call.
    expect(cooldowns).toEqual(['failures', 'probe-failed']);
    expect(router.stats().deployments.a).toMatchObject({ status: 'cooling', failures: 2 });
  });
});
