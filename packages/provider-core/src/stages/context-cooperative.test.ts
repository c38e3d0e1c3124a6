import { countTokens } from '@x/tokens';
import { afterEach, describe, expect, it } from 'vitest';
import { destroyAfterEach, startModelServer } from '../__fixtures__/model-server';
import { Answer } from '../__fixtures__/observed';
import {
  type BaseChatRequest,
  type BaseChatResponse,
  createErrorKit,
  isProviderError,
  mapHttpStatus,
  type Operation,
  ProviderCore,
} from '../index';

// A prompt that may fit the window (up to twice it) is counted exactly before it is sent. One
// piece of 'a' × 2e6 (250,000 tokens against a 128k window) took ~1.4 s on an idle machine, the
// event loop held the whole time: no timer, no socket, no abort of the call until it was done.

destroyAfterEach();

const origin = { provider: 'demo', label: 'Demo' };
const created: ProviderCore[] = [];
afterEach(async () => {
  await Promise.all(created.splice(0).map((core) => core.destroy()));
});

const chat: Operation<BaseChatRequest, BaseChatResponse> = {
  name: 'chat',
  endpoint: '/reply',
  checksContext: true,
  stream: { framing: 'ndjson', accept: 'application/x-ndjson' },
  model: (request) => request.model,
  prompt: (request) => ({ messages: request.messages }),
  body: (request) => ({ model: request.model, messages: request.messages }),
  accumulator: () => new Answer(),
};

/** A provider whose models all have a known 128k window, counted as gpt-4o (exactly). */
function provider(url: string, totalMs?: number): ProviderCore {
  const core = new ProviderCore({
    identity: { id: 'demo', label: 'Demo', pkg: 'provider-demo', tokens: 'openai' },
    baseUrl: url,
    options: {
      cache: false,
      breaker: false,
      rateLimit: false,
      retry: false,
      ...(totalMs === undefined ? {} : { timeouts: { totalMs } }),
    },
    kit: createErrorKit(origin),
    httpError: mapHttpStatus(origin),
    auth: (key) => ({ authorization: `Bearer ${key}` }),
    local: false,
    defaults: { requestsPerSecond: 100, breaker: {} },
    planner: {
      requested: () => undefined,
      known: () => ({ window: 128_000, send: undefined }),
      lookup: async () => ({ window: 128_000, send: undefined }),
    },
  });
  created.push(core);
  return core;
}

// 250,000 tokens: under twice the window, so counted exactly (and refused: it does not fit).
const huge = 'a'.repeat(2e6);
const request = (content: string, signal?: AbortSignal) => ({
  model: 'gpt-4o',
  messages: [{ role: 'user' as const, content }],
  ...(signal === undefined ? {} : { signal }),
});

/** Milliseconds the call took, and when (since it started) a 20 ms timer fired. */
async function timed(call: () => Promise<unknown>) {
  const started = performance.now();
  let firedAt = Number.POSITIVE_INFINITY;
  setTimeout(() => {
    firedAt = performance.now() - started;
  }, 20);
  const outcome = await call().then(
    () => undefined,
    (error: unknown) => error,
  );
  return { outcome, firedAt, tookMs: performance.now() - started };
}

describe('the exact count of a long prompt', () => {
  it('leaves the event loop free: a 20 ms timer fires long before the count ends', async () => {
    countTokens('b'.repeat(300)); // the encoding and the long-piece table, loaded beforehand
    const server = await startModelServer();
    const core = provider(server.url);
    const { outcome, firedAt, tookMs } = await timed(() => core.complete(chat, request(huge)));
    expect(isProviderError(outcome) && outcome.kind).toBe('context-overflow');
    expect(outcome).toMatchObject({ promptTokens: 250_007, source: 'estimate' });
    // Blocked, the timer fired only after the whole count (~1.4 s idle, 4-8 s at a load of 10 on
    // 2 cores). In steps, it fires within a turn or two of its time: the longest turn, the first,
    // holds the heuristic pass over the prompt (40-90 ms at load ~3, ~300 ms at load ~10).
    expect(firedAt).toBeLessThan(Math.min(700, tookMs / 2));
    expect(server.received).toEqual([]);
  }, 60_000);

  it("ends the call with its caller's abort, promptly, and sends nothing", async () => {
    const server = await startModelServer();
    const core = provider(server.url);
    const controller = new AbortController();
    const reason = new Error('the caller left');
    setTimeout(() => controller.abort(reason), 30);
    const { outcome, tookMs } = await timed(() =>
      core.complete(chat, request(huge, controller.signal)),
    );
    expect(outcome).toBe(reason);
    expect(tookMs).toBeLessThan(400);
    expect(server.received).toEqual([]);
    expect(core.stats().cancelled).toBe(1);
  }, 60_000);

  it('ends the call at its total deadline with the timeout error, and sends nothing', async () => {
    const server = await startModelServer();
    const core = provider(server.url, 50);
    const { outcome, tookMs } = await timed(() => core.complete(chat, request(huge)));
    expect(isProviderError(outcome) && outcome.kind).toBe('timeout');
    expect(outcome).toMatchObject({ timeout: 'total' });
    expect(tookMs).toBeLessThan(400);
    expect(server.received).toEqual([]);
  }, 60_000);
});
