// `think: false` for a gpt-oss model: Ollama serves it through its harmony parser (family `gptoss`
// and a template with harmony's tags: shouldUseHarmony in server/routes.go), which takes levels
// only and ignores `false`: the model reasons anyway (docs/capabilities/thinking.mdx, "the trace
// cannot be fully disabled"). Refused before sending, from the model's `/api/show`, which the
// context windows read anyway. Against @x/ollama-sim serving such a model.

import { defaultModels, type OllamaSim, type SimModel, startOllamaSim } from '@x/ollama-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { createOllamaProvider, type OllamaProvider } from './provider';
import type { ChatRequest } from './types';

/** gpt-oss's template opens and closes each message with harmony's tags. */
const HARMONY_TEMPLATE =
  '<|start|>system<|message|>Reasoning: {{ if .ThinkLevel }}{{ .ThinkLevel }}{{ else }}medium{{ end }}<|end|>{{ range .Messages }}<|start|>{{ .Role }}<|message|>{{ .Content }}<|end|>{{ end }}<|start|>assistant';

const GPT_OSS: SimModel = {
  name: 'gpt-oss:20b',
  family: 'gptoss',
  contextLength: 131072,
  parameterSize: '20.9B',
  capabilities: ['completion', 'tools', 'thinking'],
  template: HARMONY_TEMPLATE,
};

/** A gpt-oss model someone gave a template of their own: Ollama does not use harmony for it. */
const GPT_OSS_CUSTOM: SimModel = {
  ...GPT_OSS,
  name: 'my-oss:latest',
  template: '{{ .System }}\n{{ .Prompt }}',
};

const open: Array<OllamaSim | OllamaProvider> = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function setup(): Promise<{ sim: OllamaSim; provider: OllamaProvider }> {
  const sim = await startOllamaSim({
    loadTimeMs: 0,
    models: [...defaultModels, GPT_OSS, GPT_OSS_CUSTOM],
  });
  const provider = createOllamaProvider({ baseUrl: sim.url, retry: false, cache: false });
  open.push(provider, sim);
  return { sim, provider };
}

const asked = (sim: OllamaSim, path: string) => sim.requests.filter((r) => r.path === path).length;

const chat = (model: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model,
  messages: [{ role: 'user', content: 'Why is the sky blue?' }],
  ...extra,
});

const REFUSED = new RangeError(
  'Expected `request.think` to be "low", "medium" or "high", or left out, for gpt-oss:20b: Ollama serves this gpt-oss model through its harmony parser, which ignores `false` (the model reasons anyway; "low" reasons least), got `false` (boolean)',
);

describe('think: false for a gpt-oss model', () => {
  it('is a RangeError naming request.think and the levels, in every call, sending nothing', async () => {
    const { sim, provider } = await setup();
    await expect(provider.complete(chat('gpt-oss:20b', { think: false }))).rejects.toThrow(REFUSED);
    await expect(
      provider.generate({ model: 'gpt-oss:20b', prompt: 'Why?', think: false }),
    ).rejects.toThrow(REFUSED);
    const streamed = async () => {
      for await (const _ of provider.stream(chat('gpt-oss:20b', { think: false })));
    };
    await expect(streamed()).rejects.toThrow(REFUSED);
    const streamedGenerate = async () => {
      for await (const _ of provider.streamGenerate({
        model: 'gpt-oss:20b',
        prompt: 'Why?',
        think: false,
      }));
    };
    await expect(streamedGenerate()).rejects.toThrow(REFUSED);
    expect(asked(sim, '/api/chat')).toBe(0);
    expect(asked(sim, '/api/generate')).toBe(0);
  });

  it('reads the model from the /api/show the context windows read anyway: one per model', async () => {
    const { sim, provider } = await setup();
    await provider.complete(chat('gpt-oss:20b'));
    expect(asked(sim, '/api/show')).toBe(1);
    await expect(provider.complete(chat('gpt-oss:20b', { think: false }))).rejects.toThrow(
      RangeError,
    );
    await expect(provider.complete(chat('gpt-oss:20b', { think: false }))).rejects.toThrow(
      RangeError,
    );
    expect(asked(sim, '/api/show')).toBe(1);
  });

  it('sends a level, true, and false for other models: a thinking model, a gpt-oss without harmony, a raw prompt', async () => {
    const { sim, provider } = await setup();
    const low = await provider.complete(chat('gpt-oss:20b', { think: 'low' }));
    expect(low.message.thinking).toBeDefined();
    await provider.complete(chat('gpt-oss:20b', { think: true }));
    await provider.complete(chat('qwen3:4b', { think: false }));
    await provider.complete(chat('my-oss', { think: false }));
    await provider.generate({ model: 'gpt-oss:20b', prompt: 'Why?', raw: true, think: false });
    const thinks = sim.requests
      .filter((r) => r.path === '/api/chat' || r.path === '/api/generate')
      .map((r) => (r.body as { think?: unknown }).think);
    expect(thinks).toEqual(['low', true, false, false, false]);
  });
});
