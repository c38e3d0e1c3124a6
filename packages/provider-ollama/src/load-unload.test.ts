// Load and unload requests (an empty prompt, no messages) act on the server: never cached.
import { type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { createOllamaProvider, type OllamaProvider } from './provider';

const open: Array<OllamaSim | OllamaProvider> = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function setup(options: { cache?: { strategy: 'aggressive' } } = {}) {
  const sim = await startOllamaSim({ loadTimeMs: 0 });
  const provider = createOllamaProvider({ baseUrl: sim.url, ...options });
  open.push(provider, sim);
  return { sim, provider };
}

const loaded = async (provider: OllamaProvider) => (await provider.ps()).map((m) => m.name);

describe('load and unload requests', () => {
  it('unload the model every time they are asked, never answered from the cache', async () => {
    const { sim, provider } = await setup();
    const unload = { model: 'llama3.2', prompt: '', keepAlive: 0, temperature: 0 };
    await provider.generate({ model: 'llama3.2', prompt: '' });
    const first = await provider.generate(unload);
    expect(first.finishReason).toBe('unload');
    await provider.generate({ model: 'llama3.2', prompt: '' });
    expect(await loaded(provider)).toEqual(['llama3.2:latest']);
    const second = await provider.generate(unload);
    expect(second).toMatchObject({ cached: false, finishReason: 'unload' });
    expect(await loaded(provider)).toEqual([]);
    expect(sim.requests.filter((r) => r.path === '/api/generate')).toHaveLength(4);
  });

  it('chat with no messages (a load) reaches the server each time, whatever the strategy', async () => {
    const { sim, provider } = await setup({ cache: { strategy: 'aggressive' } });
    for (let i = 0; i < 2; i++) {
      const answer = await provider.complete({ model: 'llama3.2', messages: [], temperature: 0 });
      expect(answer).toMatchObject({ cached: false, finishReason: 'load' });
    }
    for await (const _ of provider.streamGenerate({ model: 'llama3.2', temperature: 0 }));
    for await (const _ of provider.streamGenerate({ model: 'llama3.2', temperature: 0 }));
    expect(sim.requests.filter((r) => r.path === '/api/chat')).toHaveLength(2);
    expect(sim.requests.filter((r) => r.path === '/api/generate')).toHaveLength(2);
  });
});
