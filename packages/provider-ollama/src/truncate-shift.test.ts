// `truncate` and `shift` of chat and generate (api.ChatRequest, api.GenerateRequest), through the
// public API against @x/ollama-sim: sent only when set, part of the cache key, and `truncate: false`
// turning a silent cut into a ContextOverflowError.

import { type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { isContextOverflowError } from './errors';
import { createOllamaProvider, type OllamaProvider, type OllamaProviderOptions } from './index';
import type { ChatRequest, GenerateRequest } from './types';

const open: Array<OllamaSim | OllamaProvider> = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function setup(
  options: OllamaProviderOptions = {},
): Promise<{ sim: OllamaSim; provider: OllamaProvider }> {
  const sim = await startOllamaSim({ loadTimeMs: 0 });
  const provider = createOllamaProvider({ baseUrl: sim.url, retry: false, ...options });
  open.push(provider, sim);
  return { sim, provider };
}

const bodiesAt = (sim: OllamaSim, path: string) =>
  sim.requests.filter((r) => r.path === path).map((r) => r.body as Record<string, unknown>);

const chat = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content }],
  ...extra,
});

/** About 6,500 tokens: more than the simulator's default window of 4096. */
const LONG = 'lorem ipsum '.repeat(2000);

describe('truncate and shift', () => {
  it('are sent as given by complete(), stream(), generate() and streamGenerate(), and left out when unset', async () => {
    const { sim, provider } = await setup({ cache: false });
    const fields = { truncate: false, shift: false };
    await provider.complete(chat('one', fields));
    for await (const _ of provider.stream(chat('two', fields)));
    await provider.generate({ model: 'llama3.2', prompt: 'three', ...fields });
    for await (const _ of provider.streamGenerate({
      model: 'llama3.2',
      prompt: 'four',
      ...fields,
    }));
    await provider.complete(chat('five', { truncate: true }));
    await provider.generate({ model: 'llama3.2', prompt: 'six' });
    const chats = bodiesAt(sim, '/api/chat');
    const generates = bodiesAt(sim, '/api/generate');
    for (const body of [chats[0], chats[1], generates[0], generates[1]]) {
      expect(body).toMatchObject({ truncate: false, shift: false });
    }
    expect(chats[2]).toMatchObject({ truncate: true });
    expect(chats[2]).not.toHaveProperty('shift');
    expect(generates[2]).not.toHaveProperty('truncate');
    expect(generates[2]).not.toHaveProperty('shift');
  });

  it('are refused before sending when they are not booleans', async () => {
    const { sim, provider } = await setup();
    await expect(provider.complete(chat('hi', { truncate: 'no' as never }))).rejects.toThrow(
      /request\.truncate/,
    );
    await expect(
      provider.generate({ model: 'llama3.2', prompt: 'hi', shift: 0 as never }),
    ).rejects.toThrow(/request\.shift/);
    expect(sim.requests.filter((r) => r.path.startsWith('/api/'))).toHaveLength(0);
  });

  it('make requests that differ only in them not share a cached answer', async () => {
    const { sim, provider } = await setup();
    const base = chat('Why is the sky blue?', { temperature: 0 });
    const plain = await provider.complete(base);
    const strict = await provider.complete({ ...base, truncate: false });
    const noShift = await provider.complete({ ...base, shift: false });
    const again = await provider.complete({ ...base, truncate: false });
    expect([plain.cached, strict.cached, noShift.cached, again.cached]).toEqual([
      false,
      false,
      false,
      true,
    ]);
    expect(bodiesAt(sim, '/api/chat')).toHaveLength(3);
    const prompt: GenerateRequest = { model: 'llama3.2', prompt: 'hi', temperature: 0 };
    await provider.generate(prompt);
    expect(await provider.generate({ ...prompt, truncate: false })).toMatchObject({
      cached: false,
    });
    expect(bodiesAt(sim, '/api/generate')).toHaveLength(2);
  });

  it('truncate: false turns a prompt cut silently into a ContextOverflowError from the server', async () => {
    const { sim, provider } = await setup({ tokens: { onOverflow: 'allow' } });
    const cut = await provider.complete(chat(LONG));
    expect(cut.truncated).toBe(true);
    for (const call of [
      () => provider.complete(chat(LONG, { truncate: false })),
      () => provider.generate({ model: 'llama3.2', prompt: LONG, truncate: false }),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(isContextOverflowError(error)).toBe(true);
      expect(error).toMatchObject({ source: 'server', model: 'llama3.2', retryable: false });
    }
    expect(sim.stats().truncatedPrompts).toBe(1);
  });
});
