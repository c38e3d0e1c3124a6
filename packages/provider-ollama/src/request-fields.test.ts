// `requestFields`: the top-level fields a request may hold, as `@x/router` reads them to drop
// another provider's fields. Each one listed is accepted, and a field left out is refused.

import { afterEach, describe, expect, it } from 'vitest';
import { createOllamaProvider, type OllamaProvider } from './provider';

const open: OllamaProvider[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

/** A provider whose calls would find nothing listening: only what validation says is looked at. */
function provider(): OllamaProvider {
  const ollama = createOllamaProvider({
    baseUrl: 'http://127.0.0.1:9',
    retry: false,
    cache: false,
  });
  open.push(ollama);
  return ollama;
}

const HI = [{ role: 'user' as const, content: 'Hi' }];

describe('OllamaProvider.requestFields', () => {
  it("lists Ollama's own chat and embed fields, and none of OpenAI's", () => {
    const { chat, embed } = provider().requestFields;
    for (const field of [
      'model',
      'messages',
      'think',
      'keepAlive',
      'numCtx',
      'options',
      'format',
    ]) {
      expect(chat.has(field)).toBe(true);
    }
    for (const field of ['responseFormat', 'logitBias', 'reasoningEffort', 'tags']) {
      expect(chat.has(field)).toBe(false);
    }
    expect([...embed].sort()).toEqual([
      'cache',
      'dimensions',
      'input',
      'keepAlive',
      'model',
      'options',
      'signal',
      'truncate',
    ]);
  });

  it('accepts every chat field it lists, and refuses one it does not', () => {
    const ollama = provider();
    for (const field of ollama.requestFields.chat) {
      if (field === 'model' || field === 'messages') continue;
      expect(() => ollama.stream({ model: 'm', messages: HI, [field]: undefined })).not.toThrow();
    }
    expect(ollama.requestFields.chat.has('responseFormat')).toBe(false);
    expect(() =>
      ollama.stream({ model: 'm', messages: HI, responseFormat: undefined } as never),
    ).toThrow(/^Unknown option `request\.responseFormat`/);
  });

  it('accepts every embed field it lists, and refuses one it does not', async () => {
    const ollama = provider();
    for (const field of ollama.requestFields.embed) {
      if (field === 'model' || field === 'input') continue;
      const error = await ollama
        .embed({ model: 'm', input: 'a', [field]: undefined })
        .catch((e: unknown) => e);
      expect(error).not.toBeInstanceOf(TypeError);
    }
    await expect(
      ollama.embed({ model: 'm', input: 'a', encodingFormat: 'float' } as never),
    ).rejects.toThrow(/^Unknown option `request\.encodingFormat`/);
  });
});
