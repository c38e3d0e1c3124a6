import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import { undefinedOptionsRefused } from '@x/internal/testing';
import { startOllamaSim } from '@x/ollama-sim';
import {
  type BaseChatRequest,
  type BaseChatResponse,
  CircuitOpenError,
  ContextOverflowError,
  chatResponse,
  isProviderError,
  LocalLimitError,
} from '@x/provider-core';
import { createOllamaProvider } from '@x/provider-ollama';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { apiError, fakeProvider, HI, ORIGIN } from './__fixtures__/fake-provider';
import { linkedState } from './__fixtures__/routers';
import { isRouterClosedError, isRouterError, RouterClosedError, RouterError } from './errors';
import { createRouter } from './router';

function pair(options: Record<string, unknown> = {}) {
  const a = fakeProvider('a');
  const b = fakeProvider('b');
  const router = createRouter({
    deployments: [
      { id: 'a', group: 'chat', provider: a, model: 'model-a' },
      { id: 'b', group: 'chat', provider: b, model: 'model-b', priority: 1 },
    ],
    ...options,
  });
  return { a, b, router };
}

describe('createRouter', () => {
  it('throws a TypeError naming an unknown option and the closest known one', () => {
    const deployments = [{ group: 'g', provider: fakeProvider('a'), model: 'm' }];
    expect(() => createRouter({ deployments, fallback: {} } as never)).toThrow(
      new TypeError('Unknown option `fallback`: did you mean `fallbacks`?'),
    );
    expect(() => createRouter({ deployments, cooldown: { duration: 1 } } as never)).toThrow(
      new TypeError('Unknown option `cooldown.duration`: did you mean `cooldown.durationMs`?'),
    );
    expect(() =>
      createRouter({ deployments: [{ ...deployments[0]!, weigth: 2 }] } as never),
    ).toThrow(
      new TypeError(
        'Unknown option `deployments[0].weigth`: did you mean `deployments[0].weight`?',
      ),
    );
    expect(() => createRouter({ deployments, latency: { exploraton: 1 } } as never)).toThrow(
      /Unknown option `latency.exploraton`: did you mean `latency.exploration`\?/,
    );
  });

  it('throws TypeError for a wrong type and RangeError for a wrong value, before anything runs', () => {
    const provider = fakeProvider('a');
    const d = { group: 'g', provider, model: 'm' };
    expect(() => createRouter({ deployments: [] })).toThrow(RangeError);
    expect(() => createRouter({ deployments: 'x' } as never)).toThrow(
      new TypeError('Expected `deployments` to be an array of deployments, got `"x"` (string)'),
    );
    expect(() => createRouter({ deployments: [{ ...d, provider: {} }] } as never)).toThrow(
      /Expected `deployments\[0\]\.provider` to be a provider with complete\(\), stream\(\) or embed\(\)/,
    );
    expect(() => createRouter({ deployments: [{ ...d, weight: 0 }] })).toThrow(RangeError);
    expect(() => createRouter({ deployments: [{ ...d, weight: '1' }] } as never)).toThrow(
      TypeError,
    );
    expect(() => createRouter({ deployments: [{ ...d, priority: 1.5 }] })).toThrow(RangeError);
    expect(() => createRouter({ deployments: [{ ...d, maxConcurrent: 0 }] })).toThrow(RangeError);
    expect(() => createRouter({ deployments: [{ ...d, group: '' }] })).toThrow(RangeError);
    expect(() => createRouter({ deployments: [{ ...d, tags: 'eu' }] } as never)).toThrow(TypeError);
    expect(() => createRouter({ deployments: [d, { ...d, id: 'g/0' }] })).toThrow(
      new RangeError(
        'Expected `deployments[1].id` to be an id no other deployment has, got `"g/0"` (string)',
      ),
    );
    expect(() => createRouter({ deployments: [d], strategy: 'fastest' } as never)).toThrow(
      RangeError,
    );
    expect(() => createRouter({ deployments: [d], strategy: 1 } as never)).toThrow(TypeError);
    expect(() => createRouter({ deployments: [d], fallbacks: { g: ['nope'] } })).toThrow(
      new RangeError(
        'Expected `fallbacks.g[0]` to be another model group ("g"), got `"nope"` (string)',
      ),
    );
    expect(() => createRouter({ deployments: [d], fallbacks: { g: ['g'] } })).toThrow(RangeError);
    expect(() => createRouter({ deployments: [d], contextFallbacks: { x: [] } })).toThrow(
      RangeError,
    );
    expect(() => createRouter({ deployments: [d], cooldown: { durationMs: 2 ** 31 } })).toThrow(
      RangeError,
    );
    expect(() => createRouter({ deployments: [d], cooldown: { failures: 0 } })).toThrow(RangeError);
    expect(() => createRouter({ deployments: [d], latency: { smoothing: 0 } })).toThrow(RangeError);
    expect(() => createRouter({ deployments: [d], random: 4 } as never)).toThrow(TypeError);
    expect(() => createRouter({ deployments: [d], state: {} } as never)).toThrow(TypeError);
  });

  it('never repeats a secret in an option error: a Redis URL for state, a key for a provider', () => {
    const dep = { group: 'chat', provider: fakeProvider('a'), model: 'm' };
    const messages = [
      () =>
        createRouter({
          deployments: [dep],
          state: 'redis://:hunter2secret@redis.local:6379',
        } as never),
      () =>
        createRouter({
          deployments: [
            { group: 'chat', model: 'm', provider: { apiKey: 'sk-proj-SECRETSECRET1234567890' } },
          ],
        } as never),
    ].map((build) => {
      try {
        build();
      } catch (error) {
        expect(error).toBeInstanceOf(TypeError);
        return (error as Error).message;
      }
      throw new Error('createRouter accepted it');
    });
    expect(messages[0]).toMatch(/^Expected `state` to be a router state/);
    expect(messages[1]).toMatch(/^Expected `deployments\[0\]\.provider` to be a provider/);
    for (const message of messages) {
      expect(message).not.toContain('hunter2secret');
      expect(message).not.toContain('SECRETSECRET');
    }
  });

  it('names deployments `<group>/<n>` when they have no id', async () => {
    const router = createRouter({
      deployments: [
        { group: 'chat', provider: fakeProvider('a'), model: 'm' },
        { group: 'embed', provider: fakeProvider('b'), model: 'e' },
        { group: 'chat', provider: fakeProvider('c'), model: 'm' },
      ],
    });
    expect(Object.keys(router.stats().deployments)).toEqual(['chat/0', 'embed/0', 'chat/1']);
    expect(router.groups).toEqual(['chat', 'embed']);
  });
});

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

describe('Router.embed and Router.stream', () => {
  it('embeds through the group, and passes over a deployment whose provider cannot', async () => {
    const a = fakeProvider('a');
    const b = fakeProvider('b');
    const noEmbed = { complete: a.complete };
    const router = createRouter({
      deployments: [
        { id: 'chat-only', group: 'embed', provider: noEmbed, model: 'x' },
        { id: 'b', group: 'embed', provider: b, model: 'e', priority: 1 },
      ],
    });
    const answer = await router.embed({ model: 'embed', input: 'hello' });
    expect(answer).toMatchObject({
      embeddings: [[1, 0]],
      route: { deployment: 'b', attempts: [] },
    });
    expect(router.stats()).toMatchObject({ embeddings: 1, successes: 1 });
    expect(router.stats().deployments['chat-only']!.skipped).toBe(1);
  });

  it('throws at once for a stream request naming an unknown group', () => {
    const { router } = pair();
    expect(() => router.stream({ model: 'nope', messages: HI })).toThrow(RangeError);
  });
});

describe('events', () => {
  it('reports answers, fallbacks and failures to listeners and diagnostics channels', async () => {
    const { a, b, router } = pair();
    const seen: [string, unknown][] = [];
    router.onResponse((e) => seen.push(['response', e]));
    router.onFallback((e) => seen.push(['fallback', e]));
    router.onError((e) => seen.push(['error', e]));
    const channel: unknown[] = [];
    const onMessage = (message: unknown) => channel.push(message);
    subscribe('x:router:fallback', onMessage);
    try {
      a.script = [apiError(503)];
      await router.complete({ model: 'chat', messages: HI });
      a.script = [apiError(503)];
      b.script = [apiError(502)];
      await router.complete({ model: 'chat', messages: HI }).catch(() => {});
    } finally {
      unsubscribe('x:router:fallback', onMessage);
    }
    const fallback = {
      operation: 'complete',
      group: 'chat',
      from: 'a',
      reason: 'error',
      code: 'X_PROVIDER_FAKE_API',
      kind: 'api',
      message: 'Fake /chat answered 503: status 503',
    };
    expect(seen).toEqual([
      ['fallback', fallback],
      [
        'response',
        {
          operation: 'complete',
          group: 'chat',
          deployment: 'b',
          servedBy: 'chat',
          fallbacks: 1,
          latencyMs: expect.any(Number),
        },
      ],
      ['fallback', fallback],
      [
        'error',
        {
          operation: 'complete',
          group: 'chat',
          code: 'X_ROUTER_ALL_FAILED',
          name: 'RouterError',
          message: expect.stringContaining('Every deployment of "chat" failed'),
          calls: 2,
        },
      ],
    ]);
    expect(channel).toEqual([fallback, fallback]);
  });

  it('reports a throwing listener as a process warning and still answers', async () => {
    const { router } = pair();
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      router.onResponse(() => {
        throw new Error('listener bug');
      });
      const answer = await router.complete({ model: 'chat', messages: HI });
      expect(answer.route.deployment).toBe('a');
      await vi.waitFor(() => expect(warnings).toHaveLength(1));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings[0]).toMatchObject({
      name: 'XListenerError',
      code: 'X_ROUTER_LISTENER_ERROR',
      message: "@x/router: a 'response' listener threw: Error: listener bug",
    });
  });
});

describe('stats and toPrometheus', () => {
  it('counts calls, fallbacks and each deployment, and never resets', async () => {
    const { a, router } = pair();
    a.script = [apiError(503)];
    await router.complete({ model: 'chat', messages: HI });
    await router.complete({ model: 'chat', messages: HI });
    const stats = router.stats();
    expect(stats).toMatchObject({
      requests: 2,
      successes: 2,
      failures: 0,
      inFlight: 0,
      fallbacks: 1,
      strategy: 'weighted-random',
      groups: { chat: { requests: 2, successes: 2, failures: 0, fallbacks: 1 } },
      state: { kind: 'local' },
    });
    expect(stats.deployments.a).toMatchObject({
      group: 'chat',
      model: 'model-a',
      status: 'healthy',
      calls: 2,
      successes: 1,
      failures: 1,
      inFlight: 0,
      breaker: undefined,
    });
    expect(JSON.parse(JSON.stringify(stats))).toEqual(JSON.parse(JSON.stringify(router.stats())));
  });

  it('is what util.inspect (console.log) prints, not an empty Router {}', () => {
    const { router } = pair();
    const text = inspect(router);
    expect(text).toMatch(/^Router \{\s+requests: 0,/);
    expect(text).toContain("strategy: 'weighted-random'");
    expect(text).not.toMatch(/RouterRuntime|Router \{\}/);
    expect(inspect({ a: { b: router } }, { depth: 1 })).toBe('{ a: { b: [Router] } }');
  });

  it('renders every metric as x_router_* in a text format a parser reads', async () => {
    const { a, router } = pair();
    a.script = [apiError(503)];
    await router.complete({ model: 'chat', messages: HI });
    const text = router.toPrometheus();
    const samples = new Map<string, number>();
    for (const line of text.trimEnd().split('\n')) {
      if (line.startsWith('#')) {
        expect(line).toMatch(/^# (HELP|TYPE) x_router_[a-z_]+ .+$/);
        continue;
      }
      const match =
        /^(x_router_[a-z_]+)(\{[a-z_]+="(?:[^"\\]|\\.)*"(?:,[a-z_]+="(?:[^"\\]|\\.)*")*\})? (\S+)$/.exec(
          line,
        );
      expect(match, line).not.toBeNull();
      samples.set(`${match![1]}${match![2] ?? ''}`, Number(match![3]));
    }
    expect(samples.get('x_router_requests_total{group="chat"}')).toBe(1);
    expect(samples.get('x_router_fallbacks_total{group="chat"}')).toBe(1);
    expect(samples.get('x_router_deployment_failures_total{deployment="a",group="chat"}')).toBe(1);
    expect(samples.get('x_router_deployment_status{deployment="a",status="healthy"}')).toBe(1);
    expect(samples.get('x_router_in_flight')).toBe(0);
  });
});

describe('Router.close', () => {
  it('refuses new calls with RouterClosedError, leaves providers open, and is idempotent', async () => {
    const { a, router } = pair();
    const first = router.close();
    expect(router.close()).toBe(first);
    await first;
    expect(router.closed).toBe(true);
    const error = await router.complete({ model: 'chat', messages: HI }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RouterClosedError);
    expect(isRouterClosedError(error)).toBe(true);
    expect(isProviderError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'X_ROUTER_CLOSED', kind: 'closed', retryable: false });
    expect(() => router.stream({ model: 'chat', messages: HI })).toThrow(RouterClosedError);
    expect(a.closed).toBe(false);
  });

  it('closes every provider once with closeProviders: true, at the end of an `await using` scope', async () => {
    const shared = fakeProvider('shared');
    {
      await using router = createRouter({
        deployments: [
          { id: 'x', group: 'g', provider: shared, model: 'a' },
          { id: 'y', group: 'g', provider: shared, model: 'b' },
        ],
        closeProviders: true,
      });
      await router.complete({ model: 'g', messages: HI });
    }
    expect(shared.closed).toBe(true);
  });

  it('lets the attempt in flight end before it closes the providers', async () => {
    // A real provider refuses a call not yet sent once it is closed: the router must not close it
    // under a call it accepted (here one made in the same tick as close()).
    const sim = await startOllamaSim({ loadTimeMs: 0 });
    try {
      const ollama = createOllamaProvider({ baseUrl: sim.url });
      const router = createRouter({
        deployments: [{ id: 'local', group: 'chat', provider: ollama, model: 'llama3.2' }],
        closeProviders: true,
      });
      const inFlight = router.complete({ model: 'chat', messages: HI });
      const closing = router.close();
      const refused = await router
        .complete({ model: 'chat', messages: HI })
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(RouterClosedError);
      expect((await inFlight).route.deployment).toBe('local');
      await closing;
      expect(router.stats().inFlight).toBe(0);
      await expect(
        ollama.complete({ model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }] }),
      ).rejects.toMatchObject({ kind: 'closed' });
    } finally {
      await sim.close();
    }
  });

  it('starts no other attempt for a call in flight once closed, and closes when it ends', async () => {
    const failing = fakeProvider('failing', { delayMs: 5 });
    failing.fallback = apiError(503);
    const spare = fakeProvider('spare');
    const router = createRouter({
      deployments: [
        { id: 'first', group: 'chat', provider: failing, model: 'm', priority: 0 },
        { id: 'second', group: 'chat', provider: spare, model: 'm', priority: 1 },
      ],
      closeProviders: true,
    });
    const inFlight = router.complete({ model: 'chat', messages: HI }).catch((e: unknown) => e);
    const closing = router.close();
    expect(await inFlight).toBeInstanceOf(RouterClosedError);
    await closing;
    expect(spare.requests).toHaveLength(0);
    expect(failing.closed && spare.closed).toBe(true);
  });

  it('closes every provider even when one throws, then rejects with that error', async () => {
    const broken = new Error('close failed');
    const first = fakeProvider('first');
    first.close = () => {
      throw broken;
    };
    const second = fakeProvider('second');
    const router = createRouter({
      deployments: [
        { id: 'x', group: 'g', provider: first, model: 'a' },
        { id: 'y', group: 'g', provider: second, model: 'b' },
      ],
      closeProviders: true,
    });
    await expect(router.close()).rejects.toBe(broken);
    expect(second.closed).toBe(true);
    // Idempotent: a second caller gets the same outcome, not a second round of closes.
    await expect(router.close()).rejects.toBe(broken);
  });
});

describe('an option set to undefined', () => {
  it('is the same as leaving it out, for every option createRouter accepts', async () => {
    const deployments = [{ id: 'a', group: 'chat', model: 'm', provider: fakeProvider('a') }];
    expect(
      await undefinedOptionsRefused(
        (o) => createRouter(o as never),
        { deployments },
        (r) => r.close(),
      ),
    ).toEqual([]);
  });
});
