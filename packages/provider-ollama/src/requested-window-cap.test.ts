import { describe, expect, it } from 'vitest';
import { simSetup } from './__fixtures__/sim-provider';
import { isContextOverflowError } from './errors';
import type { ChatRequest } from './types';

const { setup } = simSetup();

/** About 160,000 tokens: past llama3.2's trained 131,072, far within a requested 1,000,000. */
const huge = 'word '.repeat(160_000);
/** About 80,000 tokens: within the trained length, past any window a server picks itself. */
const large = 'word '.repeat(80_000);
const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content }],
  ...extra,
});
const sentWindows = (sim: { requests: readonly { path: string; body: unknown }[] }) =>
  sim.requests
    .filter((r) => r.path === '/api/chat')
    .map((r) => (r.body as { options?: { num_ctx?: number } }).options?.num_ctx);

describe("a request's own window past the model's trained length", () => {
  it.each([
    ['numCtx', { numCtx: 1_000_000 }],
    ['options.num_ctx', { options: { num_ctx: 1_000_000 } }],
  ] as const)(
    'ends with the same ContextOverflowError as without it when %s is set, before sending',
    async (_, extra) => {
      const { sim, provider } = await setup({ cache: false });
      const error = await provider.complete(ask(huge, extra)).catch((e: unknown) => e);
      expect(isContextOverflowError(error)).toBe(true);
      const plain = await provider.complete(ask(huge)).catch((e: unknown) => e);
      expect(isContextOverflowError(plain)).toBe(true);
      for (const e of [error, plain]) {
        expect(e).toMatchObject({
          model: 'llama3.2',
          contextWindow: 131_072,
          trainedContextLength: 131_072,
        });
      }
      expect(sentWindows(sim)).toEqual([]);
    },
  );

  it('runs a prompt that fits the trained length in it, and says so, when numCtx asks for more', {
    timeout: 30_000,
  }, async () => {
    const { sim, provider } = await setup({ cache: false });
    const seen: unknown[] = [];
    provider.onTruncated((event) => seen.push(event));
    const answer = await provider.complete(ask(large, { numCtx: 1_000_000 }));
    expect(answer.truncated).toBe(false);
    expect(seen).toEqual([]);
    // The window the answer ran with, sent as the server will use it (as `tokens.numCtx` is).
    expect(answer.numCtx).toBe(131_072);
    // A short prompt shows it on the wire (the simulator logs no body above 64 KiB).
    await provider.complete(ask('hi', { options: { num_ctx: 1_000_000 } }));
    expect(sentWindows(sim).at(-1)).toBe(131_072);
  });

  it("flags as truncated a prompt past the trained length sent with onOverflow: 'allow'", {
    timeout: 30_000,
  }, async () => {
    const { provider } = await setup({ cache: false, tokens: { onOverflow: 'allow' } });
    const answer = await provider.complete(ask(huge, { numCtx: 1_000_000 }));
    expect(answer.usage.promptTokens).toBeLessThan(131_072);
    expect(answer.truncated).toBe(true);
  });

  it('keeps a requested window within the trained length as asked', {
    timeout: 30_000,
  }, async () => {
    const { sim, provider } = await setup({ cache: false });
    const answer = await provider.complete(ask('hi', { numCtx: 8_192 }));
    expect(answer.numCtx).toBe(8_192);
    const error = await provider
      .complete(ask('word '.repeat(10_000), { numCtx: 8_192 }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ contextWindow: 8_192, trainedContextLength: 131_072 });
    expect(sentWindows(sim)).toEqual([8_192]);
  });
});
