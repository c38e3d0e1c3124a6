// What the provider learnt about a model (its `/api/show` info, its context window) is forgotten
// when the provider itself changes that model: create, delete, copy (the destination) and pull.
import { type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { isModelNotFoundError } from './errors';
import { createOllamaProvider, type OllamaProvider } from './provider';

const open: Array<OllamaSim | OllamaProvider> = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function setup(): Promise<{ sim: OllamaSim; provider: OllamaProvider }> {
  const sim = await startOllamaSim({ loadTimeMs: 0, defaultNumCtx: 4_096 });
  const provider = createOllamaProvider({ baseUrl: sim.url, retry: { baseDelayMs: 1 } });
  open.push(provider, sim);
  return { sim, provider };
}

async function drain(iterable: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of iterable);
}

const sentNumCtx = (sim: OllamaSim) =>
  sim.requests
    .filter((r) => r.path === '/api/generate')
    .map((r) => (r.body as { options?: { num_ctx?: number } }).options?.num_ctx);
const words = (n: number) => 'lorem ipsum dolor sit amet '.repeat(Math.ceil(n / 5));

describe('model changes made through the provider', () => {
  it('forget the model info and window of a recreated model, however its name is spelled', async () => {
    const { sim, provider } = await setup();
    await drain(
      provider.create({ model: 'mine', from: 'llama3.2', parameters: { num_ctx: 2048 } }),
    );
    expect((await provider.modelInfo('mine')).defaultNumCtx).toBe(2048);
    // Unloaded after it: the recreated model's window is its Modelfile's, not a loaded runner's.
    await provider.generate({ model: 'mine', prompt: 'hi' });
    await drain(
      provider.create({ model: 'Mine:latest', from: 'llama3.2', parameters: { num_ctx: 16_384 } }),
    );
    expect((await provider.modelInfo('mine')).defaultNumCtx).toBe(16_384);
    // About 3,300 tokens: over the old window (2048), within the new one: no num_ctx to send.
    await provider.generate({ model: 'mine', prompt: words(2_500) });
    expect(sentNumCtx(sim)).toEqual([undefined, undefined]);
  });

  it('forget a deleted model (`mine2:latest` is `mine2`) and a copy destination', async () => {
    const { provider } = await setup();
    await drain(provider.create({ model: 'mine2', from: 'llama3.2' }));
    await provider.modelInfo('mine2');
    await provider.deleteModel('mine2:latest');
    expect(isModelNotFoundError(await provider.modelInfo('mine2').catch((e: unknown) => e))).toBe(
      true,
    );

    await drain(provider.create({ model: 'src', from: 'llama3.2', parameters: { num_ctx: 8192 } }));
    await drain(
      provider.create({ model: 'dest', from: 'llama3.2', parameters: { num_ctx: 2048 } }),
    );
    expect((await provider.modelInfo('dest')).defaultNumCtx).toBe(2048);
    await provider.copyModel({ source: 'src', destination: 'dest:latest' });
    expect((await provider.modelInfo('dest')).defaultNumCtx).toBe(8192);
  });

  it('forget a pulled model', async () => {
    const { sim, provider } = await setup();
    await drain(
      provider.create({ model: 'llama3.2', from: 'llama3.2', parameters: { num_ctx: 2048 } }),
    );
    expect((await provider.modelInfo('llama3.2')).defaultNumCtx).toBe(2048);
    await drain(provider.pull({ model: 'llama3.2:latest' }));
    const shows = () => sim.requests.filter((r) => r.path === '/api/show').length;
    const before = shows();
    await provider.modelInfo('llama3.2');
    expect(shows()).toBe(before + 1);
  });
});
