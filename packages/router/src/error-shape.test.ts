import { freePort } from '@x/internal/testing';
import { chatResponse } from '@x/provider-core';
import { describe, expect, it } from 'vitest';
import { HI, textChunk } from './__fixtures__/fake-provider';
import { isRouterError, type RouterError } from './errors';
import { createRouter } from './router';
import type { RouteAttempt } from './types';

/**
 * Providers not built on @x/provider-core (a user's own function, another SDK's client) are read
 * by the shape of what they throw: an HTTP status, a socket error code, a cause chain.
 */

/** A provider of the user's own whose every call throws `error()`. */
function throwing(error: () => unknown) {
  let calls = 0;
  return {
    calls: () => calls,
    complete: async () => {
      calls++;
      throw error();
    },
  };
}

function answering() {
  let calls = 0;
  return {
    calls: () => calls,
    complete: async (r: { model: string }) => {
      calls++;
      return chatResponse({ content: 'ok', model: r.model });
    },
  };
}

/** What `openai`'s client rejects with on an error status: `status` and a `Headers`. */
class APIError extends Error {
  constructor(
    readonly status: number,
    readonly headers: Headers,
  ) {
    super(`${status} status code (no body)`);
    this.name = 'APIError';
  }
}

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/** What Node's `fetch` rejects with when nothing listens on the port: a real one. */
async function refusedFetch(): Promise<unknown> {
  const port = await freePort();
  return fetch(`http://127.0.0.1:${port}/`).then(
    () => new Error('expected a refused connection'),
    (error: unknown) => error,
  );
}

const ask = { model: 'chat', messages: HI } as const;

async function failure(errors: Array<() => unknown>) {
  const providers = errors.map(throwing);
  const router = createRouter({
    deployments: providers.map((provider, i) => ({
      id: `d${i}`,
      group: 'chat',
      provider,
      model: 'm',
    })),
  });
  const error = await router.complete(ask).catch((e: unknown) => e);
  await router.close();
  expect(isRouterError(error)).toBe(true);
  return { error: error as RouterError, providers };
}

describe('RouterError.retryable for errors of other providers', () => {
  it.each([
    ['a 429 (status)', () => Object.assign(new Error('slow down'), { status: 429 }), 'server-busy'],
    [
      'a 503 (statusCode)',
      () => Object.assign(new Error('busy'), { statusCode: 503 }),
      'server-busy',
    ],
    ['an openai-shaped 500', () => new APIError(500, new Headers()), 'api'],
    ['a reset socket', () => withCode('socket hang up', 'ECONNRESET'), 'connection'],
    [
      "fetch's TypeError caused by ECONNREFUSED",
      () =>
        new TypeError('fetch failed', { cause: withCode('connect ECONNREFUSED', 'ECONNREFUSED') }),
      'connection',
    ],
    [
      'an AggregateError of refusals two causes deep',
      () =>
        new Error('request failed', {
          cause: new TypeError('fetch failed', {
            cause: new AggregateError([withCode('connect ECONNREFUSED ::1', 'ECONNREFUSED')]),
          }),
        }),
      'connection',
    ],
    ['an ETIMEDOUT', () => withCode('connect ETIMEDOUT', 'ETIMEDOUT'), 'timeout'],
  ] as const)('is true, and every deployment is tried, for %s', async (_, make, kind) => {
    const { error, providers } = await failure([make, make]);
    expect(error.retryable).toBe(true);
    expect(error.kind).toBe(kind);
    expect(providers.map((p) => p.calls())).toEqual([1, 1]);
  });

  it('is true for the TypeError of a real fetch to a refused port, which now falls back', async () => {
    const refused = await refusedFetch();
    expect(refused).toBeInstanceOf(TypeError);
    const { error, providers } = await failure([() => refused, () => refused]);
    expect(error.retryable).toBe(true);
    expect(providers.map((p) => p.calls())).toEqual([1, 1]);
  });

  it('is false for a 401 (the deployment key), which still falls back', async () => {
    const { error, providers } = await failure([
      () => Object.assign(new Error('bad key'), { status: 401 }),
      () => Object.assign(new Error('bad key'), { status: 401 }),
    ]);
    expect(error.retryable).toBe(false);
    expect(providers.map((p) => p.calls())).toEqual([1, 1]);
  });

  it('is false, without a throw, for a cyclic cause chain and a throwing getter', async () => {
    const cyclic = () => {
      const a = new Error('a');
      const b = new Error('b', { cause: a });
      Object.defineProperty(a, 'cause', { value: b });
      Object.defineProperty(b, 'status', {
        get() {
          throw new Error('hostile getter');
        },
      });
      return a;
    };
    const { error, providers } = await failure([cyclic, cyclic]);
    expect(error.retryable).toBe(false);
    expect(providers.map((p) => p.calls())).toEqual([1, 1]);
  });
});

describe('classification of errors of other providers', () => {
  it("ends the call with a 400 (the caller's request), calling no other deployment", async () => {
    const bad = Object.assign(new Error('invalid request'), { status: 400 });
    const a = throwing(() => bad);
    const b = answering();
    const router = createRouter({
      deployments: [
        { id: 'a', group: 'chat', provider: a, model: 'm' },
        { id: 'b', group: 'chat', provider: b, model: 'm', priority: 1 },
      ],
    });
    await expect(router.complete(ask)).rejects.toBe(bad);
    expect(b.calls()).toBe(0);
    await router.close();
  });

  it('moves a 400 context_length_exceeded (openai-shaped) to the context fallback group', async () => {
    const tooLong = Object.assign(new APIError(400, new Headers()), {
      code: 'context_length_exceeded',
    });
    const a = throwing(() => tooLong);
    const c = answering();
    const router = createRouter({
      deployments: [
        { id: 'a', group: 'chat', provider: a, model: 'm' },
        { id: 'c', group: 'long', provider: c, model: 'm' },
      ],
      contextFallbacks: { chat: ['long'] },
    });
    const answer = await router.complete(ask);
    expect(answer.route).toMatchObject({ deployment: 'c', attempts: [{ deployment: 'a' }] });
    expect(router.stats().deployments.a!.status).toBe('healthy');
    await router.close();
  });

  it("cools a deployment for its 429's Retry-After (openai-shaped headers)", async () => {
    const a = throwing(() => new APIError(429, new Headers({ 'retry-after': '20' })));
    const b = answering();
    const router = createRouter({
      deployments: [
        { id: 'a', group: 'chat', provider: a, model: 'm' },
        { id: 'b', group: 'chat', provider: b, model: 'm', priority: 1 },
      ],
      cooldown: { failures: 3, windowMs: 10_000, durationMs: 5_000 },
    });
    const cooldowns: unknown[] = [];
    router.onCooldown((e) => cooldowns.push(e));
    expect((await router.complete(ask)).route.deployment).toBe('b');
    expect(cooldowns).toEqual([
      expect.objectContaining({ deployment: 'a', reason: 'retry-after', durationMs: 20_000 }),
    ]);
    expect((await router.complete(ask)).route).toMatchObject({ deployment: 'b', attempts: [] });
    expect(a.calls()).toBe(1);
    await router.close();
  });
});

describe('hostile cause chains', () => {
  const throwingTrap = () => {
    throw new Error('hostile trap');
  };
  const revoked = () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  };
  it.each([
    ['a Proxy cause whose every read throws', () => new Proxy({}, { get: throwingTrap })],
    ['a revoked Proxy cause', revoked],
    ['a revoked Proxy two causes deep', () => new Error('inner', { cause: revoked() })],
  ])('fall back, the call not rejected by the trap, for %s', async (_, cause) => {
    const a = throwing(() => new Error('request failed', { cause: cause() }));
    const b = answering();
    const router = createRouter({
      deployments: [
        { id: 'a', group: 'chat', provider: a, model: 'm' },
        { id: 'b', group: 'chat', provider: b, model: 'm', priority: 1 },
      ],
    });
    const answer = await router.complete(ask);
    expect(answer.route).toMatchObject({ deployment: 'b', attempts: [{ deployment: 'a' }] });
    expect(router.stats().deployments.a!.failures).toBeGreaterThan(0);
    await router.close();
  });

  it('fall back for an error whose `errors` is a Proxy array with a throwing trap', async () => {
    const errors = new Proxy([withCode('refused', 'ECONNREFUSED')], {
      get(target, key) {
        if (key === '0' || key === 'length') return Reflect.get(target, key);
        throw new Error('hostile trap');
      },
    });
    const a = throwing(() => Object.assign(new Error('request failed'), { errors }));
    const b = answering();
    const router = createRouter({
      deployments: [
        { id: 'a', group: 'chat', provider: a, model: 'm' },
        { id: 'b', group: 'chat', provider: b, model: 'm', priority: 1 },
      ],
    });
    const answer = await router.complete(ask);
    expect(answer.route).toMatchObject({ deployment: 'b', attempts: [{ deployment: 'a' }] });
    await router.close();
  });

  it("ends the call with an AbortError whose cause is a socket's code (the caller's abort)", async () => {
    const aborted = Object.assign(new Error('This operation was aborted'), {
      name: 'AbortError',
      cause: withCode('socket hang up', 'ECONNRESET'),
    });
    const a = throwing(() => aborted);
    const b = answering();
    const router = createRouter({
      deployments: [
        { id: 'a', group: 'chat', provider: a, model: 'm' },
        { id: 'b', group: 'chat', provider: b, model: 'm', priority: 1 },
      ],
    });
    await expect(router.complete(ask)).rejects.toBe(aborted);
    expect(b.calls()).toBe(0);
    await router.close();
  });
});

describe('hostile thrown values', () => {
  const throwingTrap = () => {
    throw new Error('hostile trap');
  };
  const revoked = () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  };
  const values: Array<[string, () => unknown]> = [
    ['a revoked Proxy', revoked],
    ['a Proxy whose every read throws', () => new Proxy({}, { get: throwingTrap })],
    [
      'a Proxy of a TypeError whose every read throws',
      () => new Proxy(new TypeError('bad'), { get: throwingTrap }),
    ],
    [
      'a Proxy whose prototype cannot be read',
      () => new Proxy(new Error('x'), { getPrototypeOf: throwingTrap }),
    ],
    [
      "a provider error's brand on a Proxy whose kind cannot be read",
      () =>
        new Proxy(
          Object.assign(new Error('boom'), {
            [Symbol.for('@x/provider-core/ProviderError')]: true,
            kind: 'server',
          }),
          { get: (t, k, r) => (k === 'kind' ? throwingTrap() : Reflect.get(t, k, r)) },
        ),
    ],
  ];

  /** A provider whose `complete()` and `stream()` both throw `value` before any answer. */
  function throwingBoth(value: unknown) {
    return {
      complete: async () => Promise.reject(value),
      // biome-ignore lint/correctness/useYield: it throws before its first chunk
      stream: async function* () {
        throw value;
      },
    };
  }
  const streamingAnswer = {
    ...answering(),
    stream: async function* () {
      yield textChunk('ok');
    },
  };

  it.each(values)('fall back to the next deployment when %s is thrown', async (_, make) => {
    const value = make();
    const router = createRouter({
      deployments: [
        { id: 'a', group: 'chat', provider: throwingBoth(value), model: 'm' },
        { id: 'b', group: 'chat', provider: streamingAnswer, model: 'm', priority: 1 },
      ],
    });
    const answer = await router.complete(ask);
    expect(answer.route).toMatchObject({ deployment: 'b', attempts: [{ deployment: 'a' }] });
    const chunks: unknown[] = [];
    for await (const chunk of router.stream(ask)) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(0);
    expect(router.stats().deployments.a!.failures).toBe(2);
    await router.close();
  });

  it.each(values)(
    'end the call with a RouterError holding it when %s is thrown and no deployment is left',
    async (_, make) => {
      const value = make();
      const router = createRouter({
        deployments: [{ id: 'a', group: 'chat', provider: throwingBoth(value), model: 'm' }],
      });
      const failures = [
        await router.complete(ask).catch((e: unknown) => e),
        await (async () => {
          for await (const _chunk of router.stream(ask));
        })().catch((e: unknown) => e),
      ];
      for (const failure of failures) {
        expect(isRouterError(failure)).toBe(true);
        const error = failure as RouterError;
        expect(error.errors[0]).toBe(value);
        expect(error.retryable).toBe(false);
        expect(error.attempts).toEqual([
          expect.objectContaining<Partial<RouteAttempt>>({ deployment: 'a' }),
        ]);
        expect(error.attempts[0]!.error).toMatchObject({ name: 'Error', code: 'Error' });
      }
      await router.close();
    },
  );
});
