import { describe, expect, it } from 'vitest';
import { apiError, fakeProvider, HI, overflowError } from './__fixtures__/fake-provider';
import type { RouterError } from './errors';
import { createRouter } from './router';

/** How calls end: the stats, events and rejection a caller sees for each way out. */
describe('Router.stream', () => {
  it('counts a stream the caller leaves at its last chunk as answered, not cancelled', async () => {
    const a = fakeProvider('a');
    const router = createRouter({
      deployments: [{ id: 'a', group: 'chat', provider: a, model: 'm' }],
    });
    const answered: unknown[] = [];
    router.onResponse((e) => answered.push(e));
    let last: unknown;
    for await (const chunk of router.stream({ model: 'chat', messages: HI })) {
      if (chunk.done) {
        last = chunk.response?.route.deployment;
        break;
      }
    }
    expect(last).toBe('a');
    expect(router.stats()).toMatchObject({ requests: 1, successes: 1, cancelled: 0, inFlight: 0 });
    expect(answered).toHaveLength(1);
    expect(router.stats().deployments.a).toMatchObject({ inFlight: 0, successes: 1 });
  });

  it('still counts a stream left before its last chunk as cancelled', async () => {
    const router = createRouter({
      deployments: [{ id: 'a', group: 'chat', provider: fakeProvider('a'), model: 'm' }],
    });
    for await (const _ of router.stream({ model: 'chat', messages: HI })) break;
    expect(router.stats()).toMatchObject({ requests: 1, successes: 0, cancelled: 1, inFlight: 0 });
  });

  it("gives the deployment back when the caller leaves and its provider's return() rejects", async () => {
    const a = fakeProvider('a');
    a.stream = () => ({
      [Symbol.asyncIterator]: () => ({
        next: async () => ({
          done: false,
          value: {
            content: 'Hel',
            thinking: undefined,
            toolCalls: undefined,
            done: false,
            response: undefined,
          },
        }),
        return: async () => {
          throw new Error('the provider could not end its stream');
        },
      }),
    });
    const router = createRouter({
      deployments: [{ id: 'a', group: 'chat', provider: a, model: 'm', maxConcurrent: 1 }],
    });
    for await (const _ of router.stream({ model: 'chat', messages: HI })) break;
    expect(router.stats()).toMatchObject({ cancelled: 1, failures: 0, inFlight: 0 });
    expect(router.stats().deployments.a).toMatchObject({ inFlight: 0, failures: 0 });
    // Its one slot is free: the next call is served, not passed over as busy.
    const answer = await router.complete({ model: 'chat', messages: HI });
    expect(answer.route.deployment).toBe('a');
  });

  it("rejects with the caller's abort reason when it aborts after the first chunk", async () => {
    const a = fakeProvider('a');
    a.stream = (request) => {
      let sent = false;
      return {
        [Symbol.asyncIterator]: () => ({
          next: async () => {
            if (!sent) {
              sent = true;
              return {
                done: false,
                value: {
                  content: 'Hel',
                  thinking: undefined,
                  toolCalls: undefined,
                  done: false,
                  response: undefined,
                },
              };
            }
            // The provider turns the abort into its own error, as a wire's reader may.
            await new Promise<void>((resolve) =>
              request.signal?.addEventListener('abort', () => resolve()),
            );
            throw new Error('request cancelled');
          },
        }),
      };
    };
    const router = createRouter({
      deployments: [{ id: 'a', group: 'chat', provider: a, model: 'm' }],
    });
    const controller = new AbortController();
    const iterator = router
      .stream({ model: 'chat', messages: HI, signal: controller.signal })
      [Symbol.asyncIterator]();
    await expect(iterator.next()).resolves.toMatchObject({ value: { content: 'Hel' } });
    const next = iterator.next().catch((e: unknown) => e);
    controller.abort(new Error('user left'));
    expect(await next).toBe(controller.signal.reason);
    expect(router.stats()).toMatchObject({ cancelled: 1, failures: 0, inFlight: 0 });
    expect(router.stats().deployments.a).toMatchObject({ failures: 0, inFlight: 0 });
  });

  it("counts a caller's bad request (400) against the call, not the deployment, on every path", async () => {
    const a = fakeProvider('a');
    const stream = a.stream;
    const router = createRouter({
      deployments: [{ id: 'a', group: 'chat', provider: a, model: 'm' }],
    });
    a.fallback = apiError(400);
    await expect(router.complete({ model: 'chat', messages: HI })).rejects.toMatchObject({
      statusCode: 400,
    });
    const read = async () => {
      for await (const _ of router.stream({ model: 'chat', messages: HI })) {
        // nothing to keep
      }
    };
    // Before the first chunk...
    await expect(read()).rejects.toMatchObject({ statusCode: 400 });
    // ... and after it.
    a.fallback = 'ok';
    a.stream = (request) => ({
      async *[Symbol.asyncIterator]() {
        for await (const chunk of stream(request)) {
          yield chunk;
          throw apiError(400);
        }
      },
    });
    await expect(read()).rejects.toMatchObject({ statusCode: 400 });
    expect(router.stats()).toMatchObject({
      failures: 3,
      failuresByCode: { X_PROVIDER_FAKE_API: 3 },
    });
    expect(router.stats().deployments.a).toMatchObject({ calls: 3, failures: 0 });
  });
});

describe('Router.complete', () => {
  it("rejects with the caller's abort reason when a provider turns the abort into its own error", async () => {
    const b = fakeProvider('b');
    const own = {
      async complete(request: { signal?: AbortSignal | undefined }) {
        await new Promise<void>((resolve) =>
          request.signal?.addEventListener('abort', () => resolve()),
        );
        throw new Error('request cancelled');
      },
    };
    const router = createRouter({
      deployments: [
        { id: 'own', group: 'chat', provider: own as never, model: 'm' },
        { id: 'b', group: 'chat', provider: b, model: 'm', priority: 1 },
      ],
    });
    const controller = new AbortController();
    const call = router
      .complete({ model: 'chat', messages: HI, signal: controller.signal })
      .catch((e: unknown) => e);
    controller.abort(new Error('user left'));
    expect(await call).toBe(controller.signal.reason);
    expect(b.requests).toHaveLength(0);
    expect(router.stats()).toMatchObject({ cancelled: 1, failures: 0 });
  });

  it('fails as not retryable when the prompt fits no deployment (a retry would overflow again)', async () => {
    const x = fakeProvider('x');
    x.fallback = overflowError({ model: 's', promptTokens: 9_000, contextWindow: 8_192 });
    const y = fakeProvider('y');
    const router = createRouter({
      deployments: [
        { id: 'x', group: 'chat', provider: x, model: 's' },
        { id: 'y', group: 'chat', provider: y, model: 's', priority: 1, contextWindow: 4_096 },
      ],
    });
    const error = (await router
      .complete({ model: 'chat', messages: HI })
      .catch((e: unknown) => e)) as RouterError;
    expect(error.attempts.map((a) => a.skipped)).toEqual([undefined, 'window-too-small']);
    expect(error).toMatchObject({ kind: 'context-overflow', retryable: false });
    expect(y.requests).toHaveLength(0);
  });
});

describe('an abort during a fallback', () => {
  /**
   * `small` overflows, so the call moves on to `large`, whose window is looked up first; the
   * caller aborts during that lookup, which fails with the abort as a provider's does.
   */
  function overflowThenLookup() {
    const small = fakeProvider('small');
    small.fallback = overflowError({ model: 's', promptTokens: 9_000, contextWindow: 8_192 });
    const controller = new AbortController();
    const looked: string[] = [];
    const large = Object.assign(fakeProvider('large'), {
      async modelInfo(model: string, options?: { signal?: AbortSignal | undefined }) {
        looked.push(model);
        controller.abort(new Error('user left'));
        throw options?.signal?.reason;
      },
    });
    const router = createRouter({
      deployments: [
        { id: 'small', group: 'chat', provider: small, model: 's' },
        { id: 'large', group: 'chat', provider: large, model: 'l', priority: 1 },
      ],
    });
    const fallbacks: unknown[] = [];
    router.onFallback((e) => fallbacks.push(e));
    const ended = () => {
      expect(looked).toEqual(['l']);
      // Nothing was called after the abort, and no fallback was announced.
      expect(large.requests).toHaveLength(0);
      expect(fallbacks).toEqual([]);
      expect(router.stats()).toMatchObject({ cancelled: 1, failures: 0, fallbacks: 0 });
      expect(router.stats().deployments.large).toMatchObject({ calls: 0, inFlight: 0 });
    };
    return { router, signal: controller.signal, ended };
  }

  it('calls no other deployment once the caller aborted during the window lookup (complete)', async () => {
    const { router, signal, ended } = overflowThenLookup();
    const error = await router.complete({ model: 'chat', messages: HI, signal }).catch((e) => e);
    expect(error).toBe(signal.reason);
    ended();
  });

  it('calls no other deployment once the caller aborted during the window lookup (stream)', async () => {
    const { router, signal, ended } = overflowThenLookup();
    const read = async () => {
      for await (const _ of router.stream({ model: 'chat', messages: HI, signal })) {
        // nothing arrives
      }
    };
    expect(await read().catch((e: unknown) => e)).toBe(signal.reason);
    ended();
  });
});
