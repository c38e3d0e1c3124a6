// The window Ollama gives a model it sizes itself (no num_ctx from the request or the Modelfile)
// is its default by memory (4096, 32768 or 262144) or OLLAMA_CONTEXT_LENGTH, capped by the trained
// length. The provider learns it from /api/ps once a model it sent without num_ctx is loaded, and
// then never raises a window below it: a cold model's long first prompt gets the server's own
// window, not a smaller one that other clients' requests without num_ctx would reload it from.
import { type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { createOllamaProvider, type OllamaProvider } from './provider';

const sims: OllamaSim[] = [];
const providers: OllamaProvider[] = [];

afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function setup(defaultNumCtx: number): Promise<{ sim: OllamaSim; provider: OllamaProvider }> {
  const sim = await startOllamaSim({ loadTimeMs: 0, defaultNumCtx });
  sims.push(sim);
  const provider = createOllamaProvider({ baseUrl: sim.url, cache: false });
  providers.push(provider);
  return { sim, provider };
}

const sentNumCtx = (sim: OllamaSim, model: string) =>
  sim.requests
    .filter((r) => r.path === '/api/chat' && (r.body as { model?: string }).model === model)
    .map((r) => (r.body as { options?: { num_ctx?: number } }).options?.num_ctx);
const loadedWindow = async (provider: OllamaProvider, model: string) =>
  (await provider.ps()).find((m) => m.name.startsWith(model))?.contextLength;
/** About 6,000 tokens: over 4,096, within 8,192. */
const long = 'lorem ipsum dolor sit amet '.repeat(900);
const hi = { role: 'user' as const, content: 'hi' };

describe("the server's own window, learnt from a model it sized", () => {
  it("is the window a cold model's long first prompt gets, which others do not reload", async () => {
    const { sim, provider } = await setup(32_768);
    // qwen3:4b, sent without num_ctx, is loaded by the server at its default.
    await provider.complete({ model: 'qwen3:4b', messages: [hi] });
    const answer = await provider.complete({
      model: 'llama3.2',
      messages: [{ role: 'user', content: long }],
    });
    // The next power of two would be 8,192: a quarter of what the server gives by itself.
    expect(sentNumCtx(sim, 'llama3.2')).toEqual([32_768]);
    expect(answer.truncated).toBe(false);
    expect(await loadedWindow(provider, 'llama3.2')).toBe(32_768);
    const loads = sim.stats().loads;
    await fetch(`${sim.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'llama3.2', messages: [hi], stream: false }),
    }).then((r) => r.text());
    expect(sim.stats().loads).toBe(loads);
  });

  it('is the least window a raise sends, so requests without num_ctx do not reload it', async () => {
    const { sim, provider } = await setup(16_384);
    await provider.complete({ model: 'qwen3:4b', messages: [hi] });
    // Another client loads llama3.2 with a small window of its own.
    await fetch(`${sim.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'llama3.2',
        messages: [hi],
        stream: false,
        options: { num_ctx: 4_096 },
      }),
    }).then((r) => r.text());
    expect(await loadedWindow(provider, 'llama3.2')).toBe(4_096);
    await provider.complete({ model: 'llama3.2', messages: [{ role: 'user', content: long }] });
    // The next power of two would be 8,192: below what the server gives a model it sizes.
    expect(sentNumCtx(sim, 'llama3.2')).toEqual([4_096, 16_384]);
    const loads = sim.stats().loads;
    await fetch(`${sim.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'llama3.2', messages: [hi], stream: false }),
    }).then((r) => r.text());
    expect(sim.stats().loads).toBe(loads);
  });

  it('stays unknown without such a model: a cold model is raised from 4,096 as before', async () => {
    const { sim, provider } = await setup(32_768);
    await provider.complete({ model: 'llama3.2', messages: [{ role: 'user', content: long }] });
    expect(sentNumCtx(sim, 'llama3.2')).toEqual([8_192]);
  });
});
