import {
  type BaseChatRequest,
  type BaseChatResponse,
  CircuitOpenError,
  ContextOverflowError,
  chatResponse,
  LocalLimitError,
} from '@x/provider-core';
import { createOllamaProvider } from '@x/provider-ollama';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { apiError, fakeProvider, HI, ORIGIN } from './__fixtures__/fake-provider';
import { linkedState, pair } from './__fixtures__/routers';
import { isRouterError, RouterError } from './errors';
import { createRouter } from './router';

// Router.complete: the order it tries deployments in, what counts as a reason to fall back, and
// the request and answer types it takes from its providers.

describe('Router.complete', () => {
  it("calls the deployment's provider with its own model name, and says who served", async () => {
    const { a, router } = pair();
    const answer = await router.complete({ model: 'chat', messages: HI, temperature: 0 });
    expect(a.requests[0]).toEqual({ model: 'model-a', messages: HI, temperature: 0 });
    expect(answer).toMatchObject({
      content: 'from a',
      route: { group: 'chat', deployment: 'a', servedBy: 'chat', model: 'model-a', attempts: [] },
    });
  });

  it('rejects a model group it does not know with a RangeError, and a request that is no object', async () => {
    const { router } = pair();
    // @ts-expect-error a misspelt group does not compile; from JavaScript it is a RangeError
    await expect(router.complete({ model: 'chta', messages: HI })).rejects.toThrow(
      new RangeError(
        'Expected `request.model` to be one of the router\'s model groups ("chat"), got `"chta"` (string)',
      ),
    );
    await expect(router.complete(null as never)).rejects.toThrow(TypeError);
  });

  it.each([
    ['a 401 (its key)', () => apiError(401)],
    ['a 403', () => apiError(403)],
    ['a 408', () => apiError(408)],
    ['a 409 (a conflict on its side, retried by OpenAI clients)', () => apiError(409)],
    ['a 425', () => apiError(425)],
    ['a 429 of an exhausted quota (not retryable)', () => apiError(429, { retryable: false })],
    [
      'an open breaker',
      () => new CircuitOpenError({ retryAfterMs: 100, cause: undefined, origin: ORIGIN }),
    ],
    [
      'a local limit',
      () =>
        new LocalLimitError({
          message: 'queue full',
          retryAfterMs: undefined,
          cause: undefined,
          origin: ORIGIN,
        }),
    ],
    ['an unknown error of a provider not built on the core', () => new Error('socket hang up')],
    ['a model missing on that deployment', () => apiError(404, { kind: 'model-not-found' })],
  ])('falls back after %s', async (_name, error) => {
    const { a, router } = pair();
    a.script = [error()];
    expect((await router.complete({ model: 'chat', messages: HI })).route.deployment).toBe('b');
  });

  it.each([
    ['a TypeError', () => new TypeError('bad')],
    ['a RangeError', () => new RangeError('bad')],
    ['a 422', () => apiError(422)],
    ['an AbortError of its own', () => new DOMException('stop', 'AbortError')],
  ])('rejects with %s as is', async (_name, error) => {
    const { a, b, router } = pair();
    const thrown = error();
    a.script = [thrown];
    await expect(router.complete({ model: 'chat', messages: HI })).rejects.toBe(thrown);
    expect(b.requests).toHaveLength(0);
  });

  it('moves to the fallback groups in their declared order, not transitively', async () => {
    const providers = ['s', 'm', 'l', 'xl'].map((id) => fakeProvider(id));
    for (const p of providers.slice(0, 2)) p.fallback = apiError(503);
    const router = createRouter({
      deployments: providers.map((provider, i) => ({
        id: provider.name,
        group: ['small', 'medium', 'large', 'xl'][i]!,
        provider,
        model: provider.name,
      })),
      fallbacks: { small: ['medium', 'large'], medium: ['xl'] },
    });
    const answer = await router.complete({ model: 'small', messages: HI });
    expect(answer.route).toMatchObject({ group: 'small', deployment: 'l', servedBy: 'large' });
    expect(answer.route.attempts.map((x) => x.deployment)).toEqual(['s', 'm']);
    expect(providers[3]!.requests).toHaveLength(0);
  });

  it('tries context fallback groups only after a context overflow', async () => {
    const small = fakeProvider('small');
    const long = fakeProvider('long');
    const router = createRouter({
      deployments: [
        { id: 'small', group: 'chat', provider: small, model: 's' },
        { id: 'long', group: 'chat-long', provider: long, model: 'l', contextWindow: 200_000 },
      ],
      contextFallbacks: { chat: ['chat-long'] },
    });
    small.script = [apiError(503)];
    await expect(router.complete({ model: 'chat', messages: HI })).rejects.toSatisfy(isRouterError);
    expect(long.requests).toHaveLength(0);
    small.script = [
      new ContextOverflowError({
        origin: ORIGIN,
        model: 's',
        source: 'estimate',
        promptTokens: 9_000,
        contextWindow: 8_192,
      }),
    ];
    const answer = await router.complete({ model: 'chat', messages: HI });
    expect(answer.route).toMatchObject({ deployment: 'long', servedBy: 'chat-long' });
  });

  it('passes over a deployment at maxConcurrent, and serves only deployments with the tags asked for', async () => {
    vi.useFakeTimers();
    try {
      const a = fakeProvider('a', { delayMs: 100 });
      const b = fakeProvider('b', { delayMs: 100 });
      const router = createRouter({
        deployments: [
          { id: 'a', group: 'chat', provider: a, model: 'm', maxConcurrent: 1, tags: ['eu'] },
          { id: 'b', group: 'chat', provider: b, model: 'm', priority: 1, tags: ['us'] },
        ],
      });
      const first = router.complete({ model: 'chat', messages: HI });
      const second = router.complete({ model: 'chat', messages: HI });
      await vi.advanceTimersByTimeAsync(100);
      expect((await first).route.deployment).toBe('a');
      expect((await second).route.deployment).toBe('b');
      const eu = router.complete({ model: 'chat', messages: HI, tags: ['eu'] });
      const busy = router
        .complete({ model: 'chat', messages: HI, tags: ['eu'] })
        .catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(100);
      expect((await eu).route.deployment).toBe('a');
      expect(a.requests.at(-1)).not.toHaveProperty('tags');
      expect(await busy).toMatchObject({
        code: 'X_ROUTER_ALL_FAILED',
        kind: 'local-limit',
        attempts: [{ deployment: 'a', skipped: 'busy', error: { code: 'X_ROUTER_BUSY' } }],
      });
      await expect(
        router.complete({ model: 'chat', messages: HI, tags: ['asia'] }),
      ).rejects.toThrow(RangeError);
    } finally {
      vi.useRealTimers();
    }
  });

  it('fails with a RouterError whose retryAfterMs is the soonest end of a cooldown', async () => {
    vi.useFakeTimers();
    try {
      const { a, b, router } = pair({ cooldown: { failures: 1, durationMs: 4_000 } });
      a.fallback = apiError(503);
      b.fallback = apiError(503);
      await router.complete({ model: 'chat', messages: HI }).catch(() => {});
      await vi.advanceTimersByTimeAsync(1_000);
      const error = (await router
        .complete({ model: 'chat', messages: HI })
        .catch((e: unknown) => e)) as RouterError;
      expect(error).toBeInstanceOf(RouterError);
      expect(error).toMatchObject({ kind: 'circuit-open', retryable: true, retryAfterMs: 3_000 });
      expect(error.attempts.map((x) => x.skipped)).toEqual(['cooldown', 'cooldown']);
      expect(error.errors).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('takes its kind from the last call that failed, not from a deployment passed over after it', async () => {
    const { state, link } = linkedState();
    const { a, router } = pair({ state });
    a.fallback = apiError(500);
    // b, tried after a, is out of rotation: its skip comes last among the attempts
    link().cooldown('b', 30_000, 'failures');
    const error = (await router
      .complete({ model: 'chat', messages: HI })
      .catch((e: unknown) => e)) as RouterError;
    expect(error.attempts.map((x) => x.skipped)).toEqual([undefined, 'cooldown']);
    expect(error.kind).toBe('api');
  });

  it("passes on a Retry-After when cooldowns are off, the soonest of the deployments'", async () => {
    const { a, b, router } = pair({ cooldown: false });
    a.fallback = apiError(429, { retryAfterMs: 5_000 });
    b.fallback = apiError(429, { retryAfterMs: 2_000 });
    const error = await router.complete({ model: 'chat', messages: HI }).catch((e: unknown) => e);
    expect(error).toMatchObject({ retryable: true, retryAfterMs: 2_000 });
  });

  it('gives no retryAfterMs when a deployment a retry could go to is still in rotation', async () => {
    vi.useFakeTimers();
    try {
      const { a, b, router } = pair({ cooldown: { failures: 2, durationMs: 4_000 } });
      a.script = [apiError(503), apiError(503)];
      await router.complete({ model: 'chat', messages: HI });
      await router.complete({ model: 'chat', messages: HI }); // a's second failure cools it down
      b.script = [apiError(500)]; // b's first failure leaves it in rotation
      const error = (await router
        .complete({ model: 'chat', messages: HI })
        .catch((e: unknown) => e)) as RouterError;
      expect(error.attempts.map((x) => x.skipped)).toEqual(['cooldown', undefined]);
      expect(error).toMatchObject({ retryable: true, retryAfterMs: undefined });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('types', () => {
  it('takes the request fields of every provider it routes to, and adds route to their answers', async () => {
    const ollama = createOllamaProvider({ baseUrl: 'http://127.0.0.1:9' });
    const openaiLike = {
      async complete(request: BaseChatRequest & { responseFormat?: { type: 'json_object' } }) {
        return { ...chatResponse({ content: 'x', model: request.model }), id: 'cmpl-1' };
      },
    };
    const router = createRouter({
      deployments: [
        { group: 'g', provider: ollama, model: 'llama3.2' },
        { group: 'g', provider: openaiLike, model: 'gpt-4o-mini' },
      ],
    });
    type Request = Parameters<typeof router.complete>[0];
    expectTypeOf<{ model: 'g'; messages: []; think: true }>().toExtend<Request>();
    expectTypeOf<{
      model: 'g';
      messages: [];
      responseFormat: { type: 'json_object' };
    }>().toExtend<Request>();
    expectTypeOf<{ model: 'g'; messages: []; tags: ['eu'] }>().toExtend<Request>();
    const typo = () =>
      // @ts-expect-error `thinkk` is a field of no provider's request
      router.complete({ model: 'g', messages: [], thinkk: true });
    expectTypeOf(typo).toBeFunction();
    type Answer = Awaited<ReturnType<typeof router.complete>>;
    expectTypeOf<Answer>().toExtend<BaseChatResponse & { route: { deployment: string } }>();
    expect(router.groups).toEqual(['g']);
    await ollama.close();
  });
});
