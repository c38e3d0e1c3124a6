import { afterEach, describe, expect, it, vi } from 'vitest';
import { ask, cores, lineCore, streamed } from './__fixtures__/line-core';
import {
  type ContextPlanner,
  createErrorKit,
  isProviderError,
  mapHttpStatus,
  type Operation,
  ProviderCore,
  type Transport,
  type TransportResponse,
} from './index';

// A metadata call (`request()`: a model lookup, a model list) is not the request a caller waits
// for, so its deadline names the request it sent (method and path) and what it asked for, never
// "the whole answer", which read as the chat's own answer. A lookup the core makes before a
// request (the context window planner's) says that request was not sent.

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(cores.splice(0).map((c) => c.destroy()));
});

/** A custom transport that never answers; it follows its signal and records every path asked. */
function silent(paths: string[]): Transport {
  return (url, options) => {
    paths.push(new URL(url).pathname);
    return new Promise<TransportResponse>((_resolve, reject) => {
      options.signal?.addEventListener('abort', () => reject(options.signal?.reason), {
        once: true,
      });
    });
  };
}

async function failure(pending: Promise<unknown>, ms: number): Promise<Error> {
  const caught = pending.then(
    () => undefined,
    (error: unknown) => error,
  );
  await vi.advanceTimersByTimeAsync(ms);
  const error = await caught;
  expect(isProviderError(error) && error.kind).toBe('timeout');
  return error as Error;
}

describe('ProviderCore.request deadline messages', () => {
  it('names the method and the path sent when the whole answer never comes', async () => {
    vi.useFakeTimers();
    const paths: string[] = [];
    const core = lineCore('http://127.0.0.1:9/v1', {
      transport: silent(paths),
      timeouts: { firstTokenMs: 300 },
    });
    const error = await failure(core.request({ endpoint: '/models', method: 'GET' }), 301);
    expect(error.message).toBe(
      'Timed out after 300 ms waiting for the server to answer GET /v1/models (timeouts.firstTokenMs)',
    );
    expect(error).toMatchObject({ timeout: 'firstToken', timeoutMs: 300 });
    expect(paths).toEqual(['/v1/models']);
  });

  it('says what the call asks for when the provider gives its purpose, without the query', async () => {
    vi.useFakeTimers();
    const core = lineCore('http://127.0.0.1:9', {
      transport: silent([]),
      timeouts: { firstTokenMs: 300 },
    });
    const pending = core.request({
      endpoint: '/api/show?verbose=1',
      method: 'POST',
      payload: { model: 'm' },
      purpose: 'the details of model "m"',
    });
    const error = await failure(pending, 301);
    expect(error.message).toBe(
      'Timed out after 300 ms waiting for the server to answer POST /api/show (the details of model "m") (timeouts.firstTokenMs)',
    );
  });

  it('names the request when the total deadline ends the call', async () => {
    vi.useFakeTimers();
    const core = lineCore('http://127.0.0.1:9', {
      transport: silent([]),
      timeouts: { firstTokenMs: 10_000, totalMs: 200 },
    });
    const error = await failure(core.request({ endpoint: '/api/tags', method: 'GET' }), 201);
    expect(error.message).toBe(
      'Timed out after 200 ms waiting for the server to answer GET /api/tags (timeouts.totalMs)',
    );
    expect(error).toMatchObject({ timeout: 'total' });
  });
});

describe('a lookup made before a request', () => {
  /** A core whose context planner looks each model up with `request()` (`/show`) first. */
  function lookingUp(
    paths: string[],
    keys: Pick<ConstructorParameters<typeof ProviderCore>[0]['options'], 'getApiKey'> = {},
  ): ProviderCore {
    const origin = { provider: 'demo', label: 'Demo' };
    const planner: ContextPlanner<unknown> = {
      requested: () => undefined,
      known: () => undefined,
      lookup: async (model, signal) => {
        await core.request({
          endpoint: '/show',
          method: 'POST',
          payload: { model },
          model,
          purpose: `the details of model "${model}"`,
          signal,
        });
        return { window: 4096, send: undefined, trained: undefined };
      },
    };
    const core: ProviderCore = new ProviderCore({
      identity: { id: 'demo', label: 'Demo', pkg: 'provider-demo', tokens: 'openai' },
      baseUrl: 'http://127.0.0.1:9/v1',
      options: {
        cache: false,
        breaker: false,
        rateLimit: false,
        retry: false,
        transport: silent(paths),
        timeouts: { firstTokenMs: 300 },
        ...keys,
      },
      kit: createErrorKit(origin),
      httpError: mapHttpStatus(origin),
      auth: (key) => ({ authorization: `Bearer ${key}` }),
      local: false,
      defaults: { requestsPerSecond: 100, breaker: {} },
      planner,
    });
    cores.push(core);
    return core;
  }

  const checked: Operation<typeof ask, never> = {
    ...(streamed as unknown as Operation<typeof ask, never>),
    checksContext: true,
    prompt: (request) => ({ messages: request.messages }),
  };

  it('says the request was not sent, naming both, when the lookup times out', async () => {
    vi.useFakeTimers();
    const paths: string[] = [];
    const core = lookingUp(paths);
    const error = await failure(core.complete(checked, ask), 301);
    expect(error.message).toBe(
      'Timed out after 300 ms waiting for the server to answer POST /v1/show (the details of model "m"), a lookup made before POST /v1/reply; that request was not sent (timeouts.firstTokenMs)',
    );
    expect(error).toMatchObject({ timeout: 'firstToken', timeoutMs: 300 });
    expect(paths).toEqual(['/v1/show']);
  });

  it('says the deadline ran from the getApiKey() call when the lookup waited for a slow key', async () => {
    vi.useFakeTimers();
    const paths: string[] = [];
    // The key comes 200 ms into the 300 ms: the server had only the last 100 ms to answer.
    const core = lookingUp(paths, {
      getApiKey: () => new Promise<string>((resolve) => setTimeout(resolve, 200, 'sk-slow-vault')),
    });
    const error = await failure(core.complete(checked, ask), 301);
    // Before, the lookup's own error kept the clause, but said again for the request it dropped it.
    expect(error.message).toBe(
      'Timed out after 300 ms waiting for the server to answer POST /v1/show (the details of model "m"), counted from the getApiKey() call, a lookup made before POST /v1/reply; that request was not sent (timeouts.firstTokenMs)',
    );
    expect(error).toMatchObject({ timeout: 'firstToken', timeoutMs: 300 });
    expect((error.cause as Error).message).toBe(
      'Timed out after 300 ms waiting for the server to answer POST /v1/show (the details of model "m"), counted from the getApiKey() call (timeouts.firstTokenMs)',
    );
    expect(paths).toEqual(['/v1/show']);
  });

  it('keeps any other error of a lookup as it is (lookupFailure)', () => {
    const core = lookingUp([]);
    const other = new Error('not a deadline');
    expect(core.lookupFailure(other, checked)).toBe(other);
  });
});
