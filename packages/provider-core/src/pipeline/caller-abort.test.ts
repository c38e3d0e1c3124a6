import { type Handler, startRouteServer } from '@x/internal/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ask, lineCore } from '../__fixtures__/line-core';
import { Answer } from '../__fixtures__/observed';
import type { BaseChatRequest, BaseChatResponse, Operation, ProviderCore } from '../index';

// A caller's abort is a cancellation: neither a success nor a failure of the provider, whatever
// phase the call was in. The provider's own deadlines stay failures.

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

const chat: Operation<BaseChatRequest, BaseChatResponse> = {
  name: 'chat',
  endpoint: '/reply',
  checksContext: false,
  model: (request) => request.model,
  body: (request, stream) => ({ model: request.model, stream }),
  accumulator: () => new Answer(),
};
/** Read as a stream by `complete()` too. */
const streamed = {
  ...chat,
  stream: { framing: 'ndjson', accept: 'application/x-ndjson' },
} as const;
const NDJSON = { framing: 'ndjson', accept: 'application/x-ndjson' } as const;

/** The replies held open by the server, to end them at the test's close. */
const held: Parameters<Handler>[1][] = [];

/** Headers never come. */
const silent: Handler = (_req, res) => {
  held.push(res);
};
/** Part of the answer, then nothing: the body is being read when the caller aborts. */
const partial: Handler = (_req, res, { json }) => {
  if (json?.stream === true) {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.write('{"delta":"hel"}\n');
  } else {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"text":"hel');
  }
  held.push(res);
};
const whole: Handler = (_req, res, { json }) => {
  if (json?.stream === true) {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.end('{"delta":"hi"}\n{"done":true,"in":1,"out":1}\n');
  } else {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"text":"hi","in":1,"out":1}');
  }
};

async function server(handler: Handler) {
  const s = await startRouteServer({ 'POST /reply': handler });
  cleanup.push(() => {
    for (const res of held.splice(0)) res.destroy();
    return s.close();
  });
  return s;
}

function provider(url: string, options: Parameters<typeof lineCore>[1] = {}) {
  let answered = 0;
  const core = lineCore(
    url,
    { telemetry: false, breaker: { failureThreshold: 1 }, ...options },
    {
      onExchange: () => () => {
        answered++;
      },
    },
  );
  cleanup.push(() => core.close());
  const errors: unknown[] = [];
  core.on('error', (e) => errors.push(e));
  return { core, errors, answered: () => answered };
}

/** What a cancelled call leaves: one cancellation, no failure, no error event, the breaker closed. */
function expectCancelledOnly(core: ProviderCore, errors: unknown[], cancelled = 1) {
  const stats = core.stats();
  expect(stats).toMatchObject({ failures: 0, failuresByCode: {}, cancelled, inFlight: 0 });
  expect(stats.byModel.m).toMatchObject({ failures: 0, cancelled, inFlight: 0 });
  expect(errors).toEqual([]);
  expect(core.breaker?.state).toBe('closed');
  expect(core.breaker?.stats()).toMatchObject({ failures: 0 });
  const text = core.toPrometheus();
  expect(text).toContain(`x_provider_demo_cancelled_total{provider="demo",model="m"} ${cancelled}`);
  expect(text).not.toMatch(/x_provider_demo_failures_total\{[^}]*\} [1-9]/);
}

const reason = new Error('the user left');

// Waits for real I/O (a request arriving, a socket closing) get 5 s, not vi.waitFor's 1 s: a
// loaded CI machine can take longer, and a bug still fails them.
describe('complete() aborted by the caller', () => {
  it('counts as cancelled, not failed, when aborted while waiting for headers (real clock)', async () => {
    const s = await server(silent);
    const { core, errors } = provider(s.url);
    const controller = new AbortController();
    const pending = core.complete(chat, { ...ask, signal: controller.signal });
    await vi.waitFor(() => expect(s.requests).toHaveLength(1), { timeout: 5_000 });
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expectCancelledOnly(core, errors);
  });

  it.each([
    ['a JSON document', chat],
    ['an NDJSON stream', streamed],
  ])(
    'counts as cancelled when aborted while %s is read, total deadline on (real clock)',
    async (_, op) => {
      const s = await server(partial);
      const { core, errors, answered } = provider(s.url, { timeouts: { totalMs: 60_000 } });
      const controller = new AbortController();
      const pending = core.complete(op, { ...ask, signal: controller.signal });
      await vi.waitFor(() => expect(answered()).toBe(1), { timeout: 5_000 });
      controller.abort(reason);
      await expect(pending).rejects.toBe(reason);
      expectCancelledOnly(core, errors);
    },
  );

  it('counts as cancelled when aborted while queued for a concurrency slot (real clock)', async () => {
    const s = await server(silent);
    const { core, errors } = provider(s.url, { maxConcurrent: 1 });
    const first = new AbortController();
    const holding = core.complete(chat, { ...ask, signal: first.signal }).catch((e) => e);
    await vi.waitFor(() => expect(s.requests).toHaveLength(1), { timeout: 5_000 });
    const controller = new AbortController();
    const queued = core.complete(chat, { ...ask, signal: controller.signal });
    controller.abort(reason);
    await expect(queued).rejects.toBe(reason);
    first.abort(reason);
    expect(await holding).toBe(reason);
    expect(s.requests).toHaveLength(1);
    expectCancelledOnly(core, errors, 2);
  });

  it('counts as cancelled when aborted while queued for the rate limit (real clock)', async () => {
    const s = await server(whole);
    const { core, errors } = provider(s.url, {
      rateLimit: { requestsPerSecond: 0.01, burst: 1, timeoutMs: 600_000 },
    });
    await core.complete(chat, ask);
    const controller = new AbortController();
    const queued = core.complete(chat, { ...ask, signal: controller.signal });
    await vi.waitFor(() => expect(core.rateLimiter?.stats().queued).toBe(1), { timeout: 5_000 });
    controller.abort(reason);
    await expect(queued).rejects.toBe(reason);
    expect(s.requests).toHaveLength(1);
    expectCancelledOnly(core, errors);
    expect(core.stats()).toMatchObject({ successes: 1, requests: 2 });
  });

  it.each([
    ['without', {}],
    ['with', { totalMs: 600_000 }],
  ])(
    'counts as cancelled when aborted while waiting out a retry backoff, %s a total deadline (real clock)',
    async (_, timeouts) => {
      const s = await server((_req, res) => {
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '60' });
        res.end('{"error":"busy"}');
      });
      const { core, errors } = provider(s.url, {
        timeouts,
        retry: { retries: 1 },
        breaker: false,
      });
      const controller = new AbortController();
      const pending = core.complete(chat, { ...ask, signal: controller.signal });
      await vi.waitFor(() => expect(core.stats().retries).toBe(1), { timeout: 5_000 });
      controller.abort(reason);
      // At once: not after the 60 s the server asked for.
      await expect(pending).rejects.toBe(reason);
      expect(s.requests).toHaveLength(1);
      expect(core.stats()).toMatchObject({ failures: 0, cancelled: 1, inFlight: 0 });
      expect(errors).toEqual([]);
    },
  );

  it('stays a failure that counts against the breaker when the total deadline ends it (real clock)', async () => {
    const s = await server(silent);
    const { core, errors } = provider(s.url, { timeouts: { totalMs: 50 } });
    const controller = new AbortController();
    await expect(core.complete(chat, { ...ask, signal: controller.signal })).rejects.toMatchObject({
      kind: 'timeout',
      timeout: 'total',
    });
    expect(core.stats()).toMatchObject({ failures: 1, cancelled: 0, inFlight: 0 });
    expect(errors).toHaveLength(1);
    expect(core.breaker?.state).toBe('open');
  });
});

describe('stream() aborted by the caller', () => {
  it('counts as cancelled when aborted while waiting for headers (real clock)', async () => {
    const s = await server(silent);
    const { core, errors } = provider(s.url);
    const controller = new AbortController();
    const iterator = core.stream(chat, NDJSON, { ...ask, signal: controller.signal });
    const next = iterator.next();
    await vi.waitFor(() => expect(s.requests).toHaveLength(1), { timeout: 5_000 });
    controller.abort(reason);
    await expect(next).rejects.toBe(reason);
    expectCancelledOnly(core, errors);
  });

  it('counts as cancelled when aborted between chunks (real clock)', async () => {
    const s = await server(partial);
    const { core, errors } = provider(s.url, { timeouts: { totalMs: 60_000 } });
    const controller = new AbortController();
    const iterator = core.stream(chat, NDJSON, { ...ask, signal: controller.signal });
    await expect(iterator.next()).resolves.toMatchObject({ value: { content: 'hel' } });
    const next = iterator.next();
    controller.abort(reason);
    await expect(next).rejects.toBe(reason);
    expectCancelledOnly(core, errors);
  });

  it('counts as cancelled when aborted while queued for a concurrency slot (real clock)', async () => {
    const s = await server(silent);
    const { core, errors } = provider(s.url, { maxConcurrent: 1 });
    const first = new AbortController();
    const holding = core.complete(chat, { ...ask, signal: first.signal }).catch((e) => e);
    await vi.waitFor(() => expect(s.requests).toHaveLength(1), { timeout: 5_000 });
    const controller = new AbortController();
    const next = core.stream(chat, NDJSON, { ...ask, signal: controller.signal }).next();
    controller.abort(reason);
    await expect(next).rejects.toBe(reason);
    first.abort(reason);
    await holding;
    expectCancelledOnly(core, errors, 2);
  });

  it('counts as cancelled when aborted while queued for the rate limit (real clock)', async () => {
    const s = await server(whole);
    const { core, errors } = provider(s.url, {
      rateLimit: { requestsPerSecond: 0.01, burst: 1, timeoutMs: 600_000 },
    });
    await core.complete(chat, ask);
    const controller = new AbortController();
    const next = core.stream(chat, NDJSON, { ...ask, signal: controller.signal }).next();
    await vi.waitFor(() => expect(core.rateLimiter?.stats().queued).toBe(1), { timeout: 5_000 });
    controller.abort(reason);
    await expect(next).rejects.toBe(reason);
    expectCancelledOnly(core, errors);
  });

  it('stays a failure when the idle deadline ends it after a chunk (real clock)', async () => {
    const s = await server(partial);
    const { core, errors } = provider(s.url, { timeouts: { idleMs: 50 } });
    const controller = new AbortController();
    const iterator = core.stream(chat, NDJSON, { ...ask, signal: controller.signal });
    await iterator.next();
    await expect(iterator.next()).rejects.toMatchObject({ kind: 'timeout', timeout: 'idle' });
    expect(core.stats()).toMatchObject({ failures: 1, cancelled: 0, inFlight: 0 });
    expect(errors).toHaveLength(1);
    expect(core.breaker?.state).toBe('open');
  });
});
