import { isProviderError } from '@x/provider-core';
import { isOllamaStreamError } from '@x/provider-ollama';
import { describe, expect, it, vi } from 'vitest';
import { ask, chats, useSimulatorPair } from './__fixtures__/routers';

// Against real servers: two simulators on 127.0.0.1 and a router whose group `chat` tries `a`
// first and `b` second (__fixtures__/routers.ts). Real clock (real sockets). A stream falls
// back only until its first chunk.

const { setup } = useSimulatorPair();

describe('streams', () => {
  const collect = async (
    iterable: AsyncIterable<{ content: string; done: boolean; response?: unknown }>,
  ) => {
    const chunks: { content: string; done: boolean; response?: unknown }[] = [];
    for await (const chunk of iterable) chunks.push(chunk);
    return chunks;
  };

  it('falls back while no chunk has arrived, and the last chunk says who served it', async () => {
    const { simA, simB, router } = await setup();
    simA.setFaults([{ route: '/api/chat', fault: { kind: 'status', status: 503 } }]);
    const chunks = await collect(router.stream(ask));
    const last = chunks.at(-1)!;
    expect(last.done).toBe(true);
    expect(last.response).toMatchObject({
      route: { deployment: 'b', attempts: [{ deployment: 'a', error: { statusCode: 503 } }] },
    });
    expect(chunks.length).toBeGreaterThan(2);
    expect([chats(simA), chats(simB)]).toEqual([1, 1]);
  });

  it('falls back when the stream ends before its first chunk', async () => {
    const { simA, router } = await setup();
    simA.setFaults([{ route: '/api/chat', fault: { kind: 'end-without-done', afterChunks: 0 } }]);
    const chunks = await collect(router.stream(ask));
    expect(chunks.at(-1)!.response).toMatchObject({
      route: { deployment: 'b', attempts: [{ error: { kind: 'incomplete-stream' } }] },
    });
  });

  it('falls back when the connection breaks before the first chunk', async () => {
    const { simA, router } = await setup();
    simA.setFaults([{ route: '/api/chat', fault: { kind: 'destroy', afterChunks: 0 } }]);
    const chunks = await collect(router.stream(ask));
    expect(chunks.at(-1)!.response).toMatchObject({
      route: { deployment: 'b', attempts: [{ error: { kind: 'connection' } }] },
    });
  });

  it('never falls back once a chunk reached the caller: the error reaches it', async () => {
    const { simA, simB, router } = await setup();
    simA.setFaults([
      { route: '/api/chat', fault: { kind: 'error-line', afterChunks: 2, error: 'boom' } },
    ]);
    const received: string[] = [];
    const error = await (async () => {
      for await (const chunk of router.stream(ask)) received.push(chunk.content);
    })().catch((e: unknown) => e);
    expect(isOllamaStreamError(error)).toBe(true);
    expect(received).toHaveLength(2);
    expect(simB.stats().requests).toBe(0);
    expect(router.stats()).toMatchObject({ failures: 1, fallbacks: 0, streams: 1 });
    expect(chats(simA)).toBe(1);
  });

  it('never falls back after a chunk when the connection breaks', async () => {
    const { simA, simB, router } = await setup();
    // A pause after the first chunk lets it reach the caller before the connection breaks.
    const fault = [
      { kind: 'stall', ms: 50, afterChunks: 1 },
      { kind: 'destroy', afterChunks: 2 },
    ] as const;
    simA.setFaults([{ route: '/api/chat', fault }]);
    const received: string[] = [];
    const error = await (async () => {
      for await (const chunk of router.stream(ask)) received.push(chunk.content);
    })().catch((e: unknown) => e);
    expect(received.length).toBeGreaterThanOrEqual(1);
    expect(isProviderError(error)).toBe(true);
    expect(simB.stats().requests).toBe(0);
  });

  it('cools down a deployment that breaks every stream after its first chunks', async () => {
    // No breaker: the router's own cooldown is under test, not the provider's breaker.
    const { simA, simB, router } = await setup({
      a: { breaker: false },
      router: { cooldown: { failures: 3, windowMs: 60_000 } },
    });
    // A pause after the first chunk lets it reach the caller before the connection breaks.
    const fault = [
      { kind: 'stall', ms: 20, afterChunks: 1 },
      { kind: 'destroy', afterChunks: 3 },
    ] as const;
    simA.setFaults([{ route: '/api/chat', fault }]);
    const cooldowns: unknown[] = [];
    router.onCooldown((e) => cooldowns.push(e));
    for (let i = 0; i < 3; i++) {
      const received: string[] = [];
      const error = await (async () => {
        for await (const chunk of router.stream(ask)) received.push(chunk.content);
      })().catch((e: unknown) => e);
      expect(isProviderError(error)).toBe(true);
      expect(received.length).toBeGreaterThanOrEqual(1);
      // Its first chunk still measured its time to the first token (until the cooldown clears it).
      if (i === 0) expect(router.stats().deployments.a!.latencyMs.stream).toBeGreaterThan(0);
    }
    expect(cooldowns).toMatchObject([{ deployment: 'a', reason: 'failures', source: 'local' }]);
    expect(router.stats().deployments.a).toMatchObject({
      status: 'cooling',
      successes: 0,
      failures: 3,
    });
    const chunks = await collect(router.stream(ask));
    expect(chunks.at(-1)!.response).toMatchObject({ route: { deployment: 'b', attempts: [] } });
    expect([chats(simA), chats(simB)]).toEqual([3, 1]);
  });

  it("aborts the provider's request when the caller stops reading", async () => {
    const { simA, router } = await setup();
    simA.setFaults([{ route: '/api/chat', fault: { kind: 'stall', ms: 60_000, afterChunks: 2 } }]);
    for await (const chunk of router.stream(ask)) {
      if (chunk.content.length > 0) break;
    }
    await vi.waitFor(() => expect(simA.stats().aborted).toBe(1), { timeout: 5_000 });
    expect(router.stats()).toMatchObject({ cancelled: 1, inFlight: 0, failures: 0 });
    expect(router.stats().deployments.a!.inFlight).toBe(0);
  });
});
