import { isProviderError } from '@x/provider-core';
import { describe, expect, it, vi } from 'vitest';
import { ask, chats, useSimulatorPair } from './__fixtures__/routers';
import { isRouterError } from './errors';

// Against real servers: two simulators on 127.0.0.1 and a router whose group `chat` tries `a`
// first and `b` second (__fixtures__/routers.ts). Real clock (real sockets). The failures
// that are the caller's own, or its abort, end the call at the first deployment.

const { setup } = useSimulatorPair();

describe('no fallback', () => {
  it.each([
    ['a 400', { kind: 'status', status: 400, error: 'invalid message' }],
    [
      'a 500 that is the caller mistake',
      { kind: 'status', status: 500, error: 'option "num_ctx" must be of type integer' },
    ],
  ] as const)('rejects with %s as is and calls no other deployment', async (_name, fault) => {
    const { simA, simB, router } = await setup();
    simA.setFaults([{ route: '/api/chat', fault }]);
    const error = await router.complete(ask).catch((e: unknown) => e);
    expect(isProviderError(error)).toBe(true);
    expect(isRouterError(error)).toBe(false);
    expect(error).toMatchObject({ statusCode: fault.status });
    expect([chats(simA), chats(simB)]).toEqual([1, 0]);
  });

  it('rejects a malformed request with a TypeError before anything is sent', async () => {
    const { simA, simB, router } = await setup();
    const error = await router
      .complete({ model: 'chat', messages: [{ role: 'user', content: 42 as never }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(simA.stats().requests + simB.stats().requests).toBe(0);
  });

  it('rejects a misspelt message key with the TypeError naming it, and accepts a reply pushed back', async () => {
    const { simA, simB, router } = await setup();
    const typo = { role: 'user', content: 'Hi', imgaes: [] } as { role: 'user'; content: string };
    await expect(router.complete({ model: 'chat', messages: [typo] })).rejects.toThrow(
      new TypeError(
        'Unknown option `request.messages[0].imgaes`: did you mean `request.messages[0].images`?',
      ),
    );
    expect(simA.stats().requests + simB.stats().requests).toBe(0);

    const tools = [{ type: 'function' as const, function: { name: 'get_current_weather' } }];
    const messages = [{ role: 'user', content: 'What is the weather in Paris?' }];
    const first = await router.complete({ model: 'chat', messages, tools });
    expect(first.message.toolCalls).toHaveLength(1);
    const again = await router.complete({
      model: 'chat',
      messages: [...messages, first.message, { role: 'tool', content: '21 °C' }],
      tools,
    });
    expect(again.content.length).toBeGreaterThan(0);
  });

  it("names the router's own `tags` for a misspelt one, and leaves the provider's keys to it", async () => {
    const { simA, simB, router } = await setup();
    for (const key of ['tag', 'Tags', 'tgas']) {
      const request = { ...ask, [key]: ['eu'] } as typeof ask;
      const hint = new TypeError(
        `Unknown option \`request.${key}\`: did you mean \`request.tags\`?`,
      );
      await expect(router.complete(request)).rejects.toThrow(hint);
      await expect(
        (async () => {
          for await (const _ of router.stream(request));
        })(),
      ).rejects.toThrow(hint);
    }
    // A misspelt key of the provider's keeps the provider's own hint.
    await expect(router.complete({ ...ask, temprature: 0 } as typeof ask)).rejects.toThrow(
      new TypeError('Unknown option `request.temprature`: did you mean `request.temperature`?'),
    );
    expect(simA.stats().requests + simB.stats().requests).toBe(0);
  });

  it("rejects with the caller's abort reason and tries nothing else", async () => {
    const { simA, simB, router } = await setup();
    simA.setFaults([{ route: '/api/chat', fault: { kind: 'latency', ms: 60_000 } }]);
    const controller = new AbortController();
    const pending = router.complete({ ...ask, signal: controller.signal }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(chats(simA)).toBe(1), { timeout: 5_000 });
    const errors: unknown[] = [];
    router.onError((e) => errors.push(e));
    controller.abort(new Error('user left'));
    expect(await pending).toBe(controller.signal.reason);
    expect(simB.stats().requests).toBe(0);
    // A cancellation, not a failure: no error event, no failure of the call or of `a`.
    expect(router.stats()).toMatchObject({ failures: 0, failuresByCode: {}, cancelled: 1 });
    expect(router.stats().deployments.a).toMatchObject({
      status: 'healthy',
      inFlight: 0,
      failures: 0,
    });
    expect(errors).toEqual([]);
  });

  it('rejects at once with an aborted signal', async () => {
    const { simA, router } = await setup();
    const signal = AbortSignal.abort(new Error('before'));
    await expect(router.complete({ ...ask, signal })).rejects.toBe(signal.reason);
    expect(simA.stats().requests).toBe(0);
  });
});
