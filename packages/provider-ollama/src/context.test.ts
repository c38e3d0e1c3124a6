import { type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { isContextOverflowError } from './errors';
import type { OllamaProviderOptions } from './options';
import { createOllamaProvider, type OllamaProvider } from './provider';

const sims: OllamaSim[] = [];
const providers: OllamaProvider[] = [];

afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function setup(defaultNumCtx: number, options: OllamaProviderOptions = {}) {
  const sim = await startOllamaSim({ loadTimeMs: 0, defaultNumCtx });
  sims.push(sim);
  const provider = createOllamaProvider({ baseUrl: sim.url, ...options });
  providers.push(provider);
  return { sim, provider };
}

const chats = (sim: OllamaSim) =>
  sim.requests.filter((r) => r.path === '/api/chat').map((r) => r.body as Record<string, unknown>);
const loadedWindow = async (provider: OllamaProvider) =>
  (await provider.ps()).find((m) => m.name.startsWith('llama3.2'))?.contextLength;
const words = (n: number) => 'lorem ipsum dolor sit amet '.repeat(Math.ceil(n / 5));

describe('num_ctx', () => {
  it('sends no num_ctx for a prompt that fits, so the loaded window stays the server default', async () => {
    const { sim, provider } = await setup(16_384);
    await provider.complete({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] });
    expect(await loadedWindow(provider)).toBe(16_384);
    // About 6,000 tokens: more than 4,096 (the old fixed choice) but within the server's window.
    const long = words(4_500);
    const answer = await provider.complete({
      model: 'llama3.2',
      messages: [{ role: 'user', content: long }],
    });
    expect(answer.truncated).toBe(false);
    for (const body of chats(sim))
      expect((body.options as { num_ctx?: number })?.num_ctx).toBeUndefined();
    expect(await loadedWindow(provider)).toBe(16_384);
  });

  it('raises the window once for a prompt the loaded window cannot hold, then keeps sending it', async () => {
    const { sim, provider } = await setup(4_096);
    await provider.complete({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] });
    const long = words(4_500);
    await provider.complete({ model: 'llama3.2', messages: [{ role: 'user', content: long }] });
    await provider.complete({ model: 'llama3.2', messages: [{ role: 'user', content: 'again' }] });
    const sent = chats(sim).map((b) => (b.options as { num_ctx?: number } | undefined)?.num_ctx);
    expect(sent[0]).toBeUndefined();
    expect(sent[1]).toBeGreaterThanOrEqual(8_192);
    // Kept for the model: the next request does not make Ollama reload it back.
    expect(sent[2]).toBe(sent[1]);
    expect(provider.stats().contextRaises).toBe(1);
    expect(await loadedWindow(provider)).toBe(sent[1]);
  });

  it('uses the window tokens.numCtx pins, sent with every request', async () => {
    const { sim, provider } = await setup(16_384, { tokens: { numCtx: 8_192 } });
    await provider.complete({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] });
    expect((chats(sim)[0]!.options as { num_ctx?: number }).num_ctx).toBe(8_192);
  });

  it('refuses before sending a prompt longer than the trained length', async () => {
    const { sim, provider } = await setup(4_096);
    const error = await provider
      .complete({ model: 'llama3.2', messages: [{ role: 'user', content: words(200_000) }] })
      .catch((e: unknown) => e);
    expect(isContextOverflowError(error)).toBe(true);
    expect(error).toMatchObject({ trainedContextLength: 131_072 });
    expect(chats(sim)).toHaveLength(0);
  });
});
