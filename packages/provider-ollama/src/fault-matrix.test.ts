// The fault matrix: the provider against @x/ollama-sim with injected faults.
import { isBreakerOpenError } from '@x/breaker';
import { until } from '@x/internal/testing';
import { describe, expect, it, vi } from 'vitest';
import { ask, collect } from './__fixtures__/server';
import { chatsAt, simSetup } from './__fixtures__/sim-provider';
import {
  isCircuitOpenError,
  isContextOverflowError,
  isIncompleteStreamError,
  isModelNotFoundError,
  isOllamaStreamError,
  isOllamaTimeoutError,
  isServerBusyError,
} from './errors';
import type { StreamChunk } from './types';

const { setup } = simSetup();

describe('fault matrix against @x/ollama-sim', () => {
  it('retries a 503 burst, opens the breaker, then recovers through a probe', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'performance'] });
    const { sim, provider } = await setup({
      breaker: { failureThreshold: 3, successThreshold: 1, openTimeoutMs: 10_000 },
      rateLimit: false,
    });
    sim.setFaults([
      {
        route: '/api/chat',
        sequence: [
          { kind: 'status', status: 503 },
          { kind: 'status', status: 503 },
          { kind: 'status', status: 503 },
        ],
      },
    ]);
    const first = await provider.complete(ask()).catch((e) => e);
    expect(isServerBusyError(first)).toBe(true);
    expect(chatsAt(sim)).toBe(3);
    expect(provider.breaker?.state).toBe('open');

    const second = await provider.complete(ask()).catch((e) => e);
    // Refused fast without a request: the provider's typed error, the breaker's as its cause.
    expect(isCircuitOpenError(second)).toBe(true);
    expect(isBreakerOpenError((second as Error).cause)).toBe(true);
    expect(chatsAt(sim)).toBe(3);
    const health = await provider.health();
    expect(health).toMatchObject({
      status: 'unhealthy',
      reachable: true,
      breaker: { state: 'open' },
    });
    expect(health.reasons).toContain('circuit breaker open');
    expect(provider.toPrometheus()).toContain(
      'x_provider_ollama_breaker_state{provider="ollama",state="open"} 1',
    );

    vi.advanceTimersByTime(10_000);
    const third = await provider.complete(ask());
    expect(third.content.length).toBeGreaterThan(0);
    expect(provider.breaker?.state).toBe('closed');
    expect(chatsAt(sim)).toBe(4);
    expect(provider.stats()).toMatchObject({
      retries: 2,
      breakerTransitions: { open: 1, 'half-open': 1, closed: 1 },
      failuresByCode: { X_PROVIDER_OLLAMA_SERVER_BUSY: 1, X_PROVIDER_OLLAMA_CIRCUIT_OPEN: 1 },
    });
  });

  it('throws OllamaStreamError with the partial content on a mid-stream error line', async () => {
    const { sim, provider } = await setup();
    sim.setFaults([
      { route: '/api/chat', fault: { kind: 'error-line', afterChunks: 2, error: 'boom' } },
    ]);
    const seen: string[] = [];
    const error = await (async () => {
      for await (const chunk of provider.stream(ask())) seen.push(chunk.content);
    })().catch((e) => e);
    expect(isOllamaStreamError(error)).toBe(true);
    expect(error.serverMessage).toContain('boom');
    expect(error.partial.chunks).toBe(2);
    expect(error.partial.content).toBe(seen.join(''));
    expect(chatsAt(sim)).toBe(1);
  });

  it('throws IncompleteStreamError when the stream ends without done', async () => {
    const { sim, provider } = await setup();
    sim.setFaults([{ route: '/api/chat', fault: { kind: 'end-without-done', afterChunks: 3 } }]);
    const error = await collect(provider.stream(ask())).catch((e) => e);
    expect(isIncompleteStreamError(error)).toBe(true);
    expect(error.partial.chunks).toBe(3);
  });

  it('decodes UTF-8 characters split across socket writes', async () => {
    const text = 'Ünïcödé — 你好世界 🌍🚀 done, '.repeat(3);
    const { sim, provider } = await setup({}, { reply: () => text });
    sim.setFaults([{ route: '/api/chat', fault: { kind: 'split', every: 7 } }]);
    const chunks = await collect(provider.stream(ask()));
    expect(chunks.at(-1)!.response!.content).toBe(text);
    const answer = await provider.complete(ask('again'));
    expect(answer.content).toBe(text);
  }, 30_000); // hundreds of 7-byte writes: room for a loaded runner

  it('throws an idle OllamaTimeoutError when the server stalls mid-stream', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { sim, provider } = await setup({ timeouts: { idleMs: 2_000 }, rateLimit: false });
    sim.setFaults([{ route: '/api/chat', fault: { kind: 'stall', ms: 600_000, afterChunks: 1 } }]);
    const seen: StreamChunk[] = [];
    const pending = (async () => {
      for await (const chunk of provider.stream(ask())) seen.push(chunk);
    })().catch((e) => e);
    await until(() => seen.length === 1);
    await vi.advanceTimersByTimeAsync(2_100);
    const error = await pending;
    expect(isOllamaTimeoutError(error)).toBe(true);
    expect(error.timeout).toBe('idle');
    expect(error.partial.content).toBe(seen[0]!.content);
    expect(chatsAt(sim)).toBe(1);
  });

  it('ends a streamed half-open probe that outlives probeTimeoutMs, and reopens the breaker', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const { sim, provider } = await setup({
      breaker: { failureThreshold: 1, openTimeoutMs: 1_000, probeTimeoutMs: 3_000 },
      timeouts: { idleMs: 600_000 },
      rateLimit: false,
      retry: false,
    });
    provider.breaker?.open();
    await vi.advanceTimersByTimeAsync(1_001);
    sim.setFaults([{ route: '/api/chat', fault: { kind: 'stall', ms: 600_000, afterChunks: 1 } }]);
    const seen: StreamChunk[] = [];
    const pending = (async () => {
      for await (const chunk of provider.stream(ask())) seen.push(chunk);
    })().catch((e) => e);
    await until(() => seen.length === 1);
    await vi.advanceTimersByTimeAsync(3_100);
    const error = await pending;
    expect(error).toBeInstanceOf(Error);
    expect(provider.breaker?.state).toBe('open');
  });

  it('leaves nothing in flight in the pool and nothing queued in the limiter after aborts', async () => {
    const { sim, provider } = await setup(
      { rateLimit: { requestsPerSecond: 0.05, burst: 1 } },
      { tokensPerSecond: 20 },
    );
    const streaming = new AbortController();
    const seen: string[] = [];
    const first = (async () => {
      for await (const chunk of provider.stream(ask('x', { signal: streaming.signal }))) {
        seen.push(chunk.content);
      }
    })().catch((e) => e);
    await until(() => seen.length > 0);
    // The bucket is empty now: this one waits in the limiter's queue.
    const queued = new AbortController();
    const second = provider.complete(ask('y', { signal: queued.signal })).catch((e) => e);
    await until(() => provider.rateLimiter!.stats().queued === 1);
    queued.abort(new Error('gave up waiting'));
    streaming.abort(new Error('enough'));
    expect((await first).message).toBe('enough');
    expect((await second).message).toBe('gave up waiting');
    // Sockets settle asynchronously after an abort: wait for the pool to be idle, then check.
    await until(() => {
      const { running, pending, queued } = provider.pool!.stats().totals;
      return running === 0 && pending === 0 && queued === 0;
    });
    expect(provider.pool!.stats().totals).toMatchObject({ running: 0, pending: 0, queued: 0 });
    expect(provider.rateLimiter!.stats().queued).toBe(0);
    expect(provider.stats().inFlight).toBe(0);
    expect(chatsAt(sim)).toBe(1);
  });

  it('frees the breaker probe slot when a probing stream is aborted', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'performance'] });
    const { sim, provider } = await setup(
      {
        breaker: { failureThreshold: 1, successThreshold: 1, openTimeoutMs: 1_000 },
        retry: false,
        rateLimit: false,
      },
      { tokensPerSecond: 50 },
    );
    await provider.modelInfo('llama3.2');
    sim.setFaults([{ route: '/api/chat', sequence: [{ kind: 'status', status: 503 }] }]);
    await expect(provider.complete(ask())).rejects.toMatchObject({ statusCode: 503 });
    expect(provider.breaker!.state).toBe('open');
    vi.advanceTimersByTime(1_000);
    const controller = new AbortController();
    const seen: string[] = [];
    const probe = (async () => {
      for await (const chunk of provider.stream(ask('probe', { signal: controller.signal }))) {
        seen.push(chunk.content);
      }
    })().catch((e) => e);
    await until(() => seen.length > 0);
    controller.abort(new Error('not needed any more'));
    expect((await probe).message).toBe('not needed any more');
    // The aborted probe counted for nothing and gave its slot back: the next call probes.
    expect(provider.breaker!.state).toBe('half-open');
    const answer = await provider.complete(ask('next'));
    expect(answer.content.length).toBeGreaterThan(0);
    expect(provider.breaker!.state).toBe('closed');
  });

  it('flags silent truncation when prompt_eval_count comes back far below the estimate', async () => {
    const { sim, provider } = await setup({ tokens: { onOverflow: 'allow', numCtx: 256 } });
    const truncations: unknown[] = [];
    provider.onTruncated((event) => truncations.push(event));
    const long = 'The quick brown fox jumps over the lazy dog. '.repeat(120);
    const response = await provider.complete(ask(long));
    const sent = sim.requests.find((r) => r.path === '/api/chat')!;
    expect((sent.body as { options: { num_ctx: number } }).options.num_ctx).toBe(256);
    expect(response.truncated).toBe(true);
    expect(response.usage.promptTokens).toBeLessThan(response.estimatedPromptTokens! / 2);
    expect(truncations).toEqual([
      expect.objectContaining({
        model: 'llama3.2',
        numCtx: 256,
        promptEvalCount: response.usage.promptTokens,
      }),
    ]);
    expect(provider.stats().truncations).toBe(1);
  });

  it('throws ContextOverflowError before sending when the prompt does not fit and onOverflow is error', async () => {
    const { sim, provider } = await setup({ tokens: { numCtx: 256, onOverflow: 'error' } });
    const long = 'The quick brown fox jumps over the lazy dog. '.repeat(120);
    const error = await provider.complete(ask(long)).catch((e) => e);
    expect(isContextOverflowError(error)).toBe(true);
    expect(error).toMatchObject({
      contextWindow: 256,
      trainedContextLength: 131072,
      source: 'estimate',
    });
    expect(error.promptTokens).toBeGreaterThan(256);
    expect(chatsAt(sim)).toBe(0);
  });

  it('raises num_ctx up to the trained length and keeps it for the model when configured', async () => {
    const { sim, provider } = await setup({ tokens: { numCtx: 256, onOverflow: 'raise' } });
    const raised: unknown[] = [];
    provider.onContextRaised((e) => raised.push(e));
    const long = 'The quick brown fox jumps over the lazy dog. '.repeat(120);
    const response = await provider.complete(ask(long));
    expect(response.truncated).toBe(false);
    expect(response.numCtx).toBeGreaterThan(256);
    await provider.complete(ask('short one'));
    const sent = sim.requests
      .filter((r) => r.path === '/api/chat')
      .map((r) => (r.body as { options: { num_ctx: number } }).options.num_ctx);
    expect(sent).toEqual([response.numCtx, response.numCtx]);
    expect(raised).toEqual([expect.objectContaining({ from: 256, to: response.numCtx })]);
  });

  it('throws ModelNotFoundError before any chat request for a model that is not pulled', async () => {
    const { sim, provider } = await setup();
    const error = await provider.complete(ask('hi', { model: 'llama3.3:70b' })).catch((e) => e);
    expect(isModelNotFoundError(error)).toBe(true);
    expect(error.model).toBe('llama3.3:70b');
    expect(chatsAt(sim)).toBe(0);
    const streamed = await collect(
      provider.stream(ask('hi', { model: 'llama3.3:70b', cache: 'bypass' })),
    ).catch((e) => e);
    expect(isModelNotFoundError(streamed)).toBe(true);
  });

  it('retries connection refusals while the server restarts', async () => {
    const { sim, provider } = await setup({
      retry: { baseDelayMs: 50, maxDelayMs: 100, retries: 10 },
      breaker: false,
    });
    await provider.modelInfo('llama3.2');
    await sim.stop();
    const pending = provider.complete(ask());
    setTimeout(() => void sim.restart(), 30);
    const response = await pending;
    expect(response.attempts).toBeGreaterThan(1);
  });
});
