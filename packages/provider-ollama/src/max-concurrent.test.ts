// Real clock throughout: the calls run against a real @x/ollama-sim on 127.0.0.1, whose answers
// take real time to generate, and the queue timeout is a real timer.

import { until } from '@x/internal/testing';
import { type OllamaSim, type OllamaSimOptions, startOllamaSim } from '@x/ollama-sim';
import { createConcurrencyLimiter, isConcurrencyTimeoutError } from '@x/rate-limit';
import { afterEach, describe, expect, it } from 'vitest';
import { isLocalLimitError, isOllamaError } from './errors';
import type { OllamaProviderOptions } from './options';
import { createOllamaProvider, type OllamaProvider } from './provider';
import type { ChatRequest } from './types';

const sims: OllamaSim[] = [];
const providers: OllamaProvider[] = [];

afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function setup(
  options: OllamaProviderOptions,
  simOptions: OllamaSimOptions = {},
): Promise<{ sim: OllamaSim; provider: OllamaProvider }> {
  const sim = await startOllamaSim({
    loadTimeMs: 0,
    numParallel: 4,
    tokensPerSecond: 1_000,
    responseTokens: { min: 8, max: 8 },
    ...simOptions,
  });
  sims.push(sim);
  const provider = createOllamaProvider({
    baseUrl: sim.url,
    rateLimit: false,
    cache: false,
    retry: false,
    ...options,
  });
  providers.push(provider);
  return { sim, provider };
}

const ask = (content: string, signal?: AbortSignal): ChatRequest => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content }],
  ...(signal === undefined ? {} : { signal }),
});

/** 50 calls at once, half buffered, half streamed to their end. */
function fifty(provider: OllamaProvider): Promise<unknown[]> {
  return Promise.all(
    Array.from({ length: 50 }, async (_, i) => {
      if (i % 2 === 0) return provider.complete(ask(`question ${i}`));
      let last: unknown;
      for await (const chunk of provider.stream(ask(`question ${i}`))) last = chunk;
      return last;
    }),
  );
}

describe('maxConcurrent (real clock, real simulator)', () => {
  it('keeps the server at 4 calls in flight or fewer for 50 concurrent calls', async () => {
    const { sim, provider } = await setup({ maxConcurrent: 4 });
    let peak = 0;
    const watch = setInterval(() => {
      peak = Math.max(peak, provider.concurrencyLimiter?.active ?? 0);
    }, 1);
    try {
      const answers = await fifty(provider);
      expect(answers).toHaveLength(50);
    } finally {
      clearInterval(watch);
    }
    // The simulator queues what exceeds its 4 parallel slots: nothing ever waited there.
    expect(sim.stats().peakQueued).toBe(0);
    expect(sim.stats().byRoute['/api/chat']).toBe(50);
    expect(peak).toBeLessThanOrEqual(4);
    const stats = provider.concurrencyLimiter!.stats();
    expect(stats).toMatchObject({ maxConcurrent: 4, active: 0, queued: 0, admitted: 50 });
    // The calls did queue, in the process rather than at the server.
    expect(stats.waited).toBeGreaterThan(0);
    expect(stats.released).toBe(50);
  });

  it('lets the server queue the same 50 calls without maxConcurrent (the control)', async () => {
    const { sim, provider } = await setup({});
    await fifty(provider);
    expect(sim.stats().peakQueued).toBeGreaterThan(0);
    expect(provider.concurrencyLimiter).toBeUndefined();
  });

  it('frees the slot when a stream is aborted midway, and a waiting call then runs', async () => {
    const { provider } = await setup({ maxConcurrent: 1 }, { tokensPerSecond: 20 });
    const controller = new AbortController();
    const stream = provider.stream(ask('a long answer', controller.signal));
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    expect(provider.concurrencyLimiter!.active).toBe(1);
    const waiting = provider.complete(ask('next in line'));
    await until(() => provider.concurrencyLimiter!.queued === 1);
    controller.abort(new Error('caller left'));
    await expect(iterator.next()).rejects.toThrow('caller left');
    const answer = await waiting;
    expect(answer.content.length).toBeGreaterThan(0);
    expect(provider.concurrencyLimiter!.stats()).toMatchObject({ active: 0, released: 2 });
  });

  it('frees the place of a call aborted while it waits, rejecting with its reason', async () => {
    const { provider } = await setup({ maxConcurrent: 1 }, { tokensPerSecond: 20 });
    const holder = provider.stream(ask('holds the slot'))[Symbol.asyncIterator]();
    await holder.next();
    const controller = new AbortController();
    const waiting = provider.complete(ask('gives up', controller.signal));
    await until(() => provider.concurrencyLimiter!.queued === 1);
    controller.abort(new Error('no longer needed'));
    await expect(waiting).rejects.toThrow('no longer needed');
    expect(provider.concurrencyLimiter!.queued).toBe(0);
    await holder.return?.(undefined);
    expect(provider.concurrencyLimiter!.active).toBe(0);
  });

  it('frees the slot when the caller breaks out of a stream', async () => {
    const { provider } = await setup({ maxConcurrent: 1 }, { tokensPerSecond: 20 });
    for await (const chunk of provider.stream(ask('one chunk is enough'))) {
      expect(chunk.done).toBe(false);
      break;
    }
    expect(provider.concurrencyLimiter!.active).toBe(0);
    const answer = await provider.complete(ask('the slot is free'));
    expect(answer.content.length).toBeGreaterThan(0);
  });

  it('frees the slot of a stream iterated to its end, and of a call ending in a typed error', async () => {
    const { provider } = await setup(
      { maxConcurrent: 1 },
      {
        faults: {
          rules: [{ route: '/api/chat', sequence: [null, { kind: 'status', status: 500 }] }],
        },
      },
    );
    const chunks = [];
    for await (const chunk of provider.stream(ask('to the end'))) chunks.push(chunk);
    expect(chunks.at(-1)?.done).toBe(true);
    expect(provider.concurrencyLimiter!.active).toBe(0);
    const failure = await provider.complete(ask('fails')).catch((error: unknown) => error);
    expect(isOllamaError(failure)).toBe(true);
    expect(provider.concurrencyLimiter!.stats()).toMatchObject({ active: 0, released: 2 });
  });

  it('rejects with a retryable LocalLimitError when the queue timeout runs out', async () => {
    const slots = createConcurrencyLimiter({ maxConcurrent: 1, timeoutMs: 50 });
    const { provider } = await setup({ maxConcurrent: slots }, { tokensPerSecond: 5 });
    const holder = provider.stream(ask('holds the slot'))[Symbol.asyncIterator]();
    await holder.next();
    const error = await provider.complete(ask('waits too long')).catch((e: unknown) => e);
    expect(isOllamaError(error)).toBe(true);
    expect(isLocalLimitError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'X_PROVIDER_OLLAMA_LOCAL_LIMIT',
      kind: 'local-limit',
      retryable: true,
    });
    expect(isConcurrencyTimeoutError((error as Error).cause)).toBe(true);
    await holder.return?.(undefined);
    // A limiter given by the caller is shared: closing the provider leaves it open.
    await provider.close();
    expect(slots.stats().closed).toBe(false);
    expect(slots.active).toBe(0);
  });

  it('rejects a call still waiting for a slot with ProviderClosedError when the provider closes', async () => {
    const { provider } = await setup({ maxConcurrent: 1 }, { tokensPerSecond: 20 });
    const holder = provider.stream(ask('holds the slot'))[Symbol.asyncIterator]();
    await holder.next();
    const waiting = provider.complete(ask('still waiting')).catch((e: unknown) => e);
    await until(() => provider.concurrencyLimiter!.queued === 1);
    await provider.close();
    const error = await waiting;
    expect(isOllamaError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'X_PROVIDER_OLLAMA_CLOSED', kind: 'closed' });
    await holder.return?.(undefined);
  });

  it('shows the calls in flight and queued as gauges, and closes a limiter of its own', async () => {
    const { provider } = await setup({ maxConcurrent: 2 });
    await provider.complete(ask('hello'));
    const text = provider.toPrometheus();
    expect(text).toContain('x_provider_ollama_concurrency_active{provider="ollama"} 0');
    expect(text).toContain('x_provider_ollama_concurrency_queued{provider="ollama"} 0');
    const limiter = provider.concurrencyLimiter!;
    await provider.close();
    expect(limiter.stats().closed).toBe(true);
  });
});

describe('createOllamaProvider({ maxConcurrent })', () => {
  it('throws the house argument errors before anything is sent', () => {
    expect(() => createOllamaProvider({ maxConcurrent: 0 })).toThrow(
      new RangeError('Expected `maxConcurrent` to be an integer >= 1, got `0` (number)'),
    );
    expect(() => createOllamaProvider({ maxConcurrent: 2.5 })).toThrow(RangeError);
    expect(() => createOllamaProvider({ maxConcurrent: '4' as never })).toThrow(
      new TypeError(
        'Expected `maxConcurrent` to be an integer >= 1, a limiter from createConcurrencyLimiter(), or false, got `"4"` (string)',
      ),
    );
    expect(() => createOllamaProvider({ maxConcurent: 4 } as never)).toThrow(/maxConcurrent/);
  });
});
