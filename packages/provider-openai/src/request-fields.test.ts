// `requestFields`: the top-level fields a request may hold on a preset, as `@x/router` reads them
// to drop another provider's fields. Each one listed is accepted, and a field left out is refused.

import { afterEach, describe, expect, it } from 'vitest';
import type { OpenAIPresetName } from './presets';
import { createOpenAIProvider, type OpenAIProvider } from './provider';

const open: OpenAIProvider[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

/** A provider whose calls would find nothing listening: only what validation says is looked at. */
function provider(preset: OpenAIPresetName = 'openai'): OpenAIProvider {
  const openai = createOpenAIProvider({
    preset,
    baseUrl: 'http://127.0.0.1:9/v1',
    apiKey: 'sk-test',
    retry: false,
    cache: false,
  });
  open.push(openai);
  return openai;
}

const HI = [{ role: 'user' as const, content: 'Hi' }];

describe('OpenAIProvider.requestFields', () => {
  it("lists OpenAI's own chat and embed fields, and none of Ollama's", () => {
    const { chat, embed } = provider().requestFields;
    for (const field of ['model', 'messages', 'responseFormat', 'logitBias', 'reasoningEffort']) {
      expect(chat.has(field)).toBe(true);
    }
    for (const field of ['think', 'keepAlive', 'numCtx', 'options', 'format', 'tags']) {
      expect(chat.has(field)).toBe(false);
    }
    expect([...embed].sort()).toEqual([
      'cache',
      'dimensions',
      'encodingFormat',
      'input',
      'model',
      'signal',
      'user',
    ]);
  });

  it("leaves out the chat fields the preset's server refuses", () => {
    const groq = provider('groq').requestFields.chat;
    for (const field of ['logprobs', 'topLogprobs', 'logitBias'])
      expect(groq.has(field)).toBe(false);
    expect(groq.has('user')).toBe(true);
    const mistral = provider('mistral').requestFields.chat;
    expect(mistral.has('user')).toBe(false);
    expect(mistral.has('responseFormat')).toBe(true);
  });

  it('accepts every chat field it lists, and refuses one it does not', () => {
    for (const name of ['openai', 'groq', 'mistral'] as const) {
      const openai = provider(name);
      for (const field of openai.requestFields.chat) {
        if (field === 'model' || field === 'messages') continue;
        expect(() => openai.stream({ model: 'm', messages: HI, [field]: undefined })).not.toThrow();
      }
    }
    expect(() =>
      provider().stream({ model: 'm', messages: HI, think: undefined } as never),
    ).toThrow(/^Unknown option `request\.think`/);
  });

  it('accepts every embed field it lists, and refuses one it does not', async () => {
    const openai = provider();
    for (const field of openai.requestFields.embed) {
      if (field === 'model' || field === 'input') continue;
      const error = await openai
        .embed({ model: 'm', input: 'a', [field]: undefined })
        .catch((e: unknown) => e);
      expect(error).not.toBeInstanceOf(TypeError);
    }
    await expect(
      openai.embed({ model: 'm', input: 'a', keepAlive: '5m' } as never),
    ).rejects.toThrow(/^Unknown option `request\.keepAlive`/);
  });
});
