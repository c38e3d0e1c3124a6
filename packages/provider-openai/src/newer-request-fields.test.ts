// OpenAI's newer request fields (openai-node v7.5.0's ChatCompletionCreateParams): `verbosity`,
// `service_tier`, `prompt_cache_key` and `safety_identifier`, typed, checked before sending, sent
// as given, refused where a preset's server refuses them; and `extraBody.stream_options` kept.
import { describe, expect, it } from 'vitest';
import { completion, json, sse, streamOf } from './__fixtures__/server';
import { ask, chats, collect, setup } from './__fixtures__/setup';
import type { ChatRequest } from './types';

const hello = json(200, completion({ content: 'hi' }));
const newer: Partial<ChatRequest> = {
  verbosity: 'low',
  serviceTier: 'flex',
  promptCacheKey: 'faq-v2',
  safetyIdentifier: 'user-7f3a',
};

describe('verbosity, serviceTier, promptCacheKey, safetyIdentifier', () => {
  it('are sent in their snake_case fields, by complete() and stream()', async () => {
    const { server, provider } = await setup({ '/chat/completions': sse(streamOf('hi')) });
    await provider.complete(ask('Hi', newer));
    await collect(provider.stream(ask('Hi', { ...newer, cache: 'bypass' })));
    for (const sent of chats(server)) {
      expect(sent.json).toMatchObject({
        verbosity: 'low',
        service_tier: 'flex',
        prompt_cache_key: 'faq-v2',
        safety_identifier: 'user-7f3a',
      });
    }
    expect(chats(server)).toHaveLength(2);
  });

  it.each([
    [
      { verbosity: 'max' },
      RangeError,
      'Expected `request.verbosity` to be one of "low", "medium", "high"',
    ],
    [{ verbosity: 1 }, TypeError, 'Expected `request.verbosity` to be one of'],
    [
      { serviceTier: 'standard' },
      RangeError,
      'Expected `request.serviceTier` to be one of "auto", "default", "flex", "scale", "priority", "fast"',
    ],
    [{ serviceTier: null }, TypeError, 'Expected `request.serviceTier` to be one of'],
    [{ promptCacheKey: 5 }, TypeError, 'Expected `request.promptCacheKey` to be a string'],
    [{ safetyIdentifier: {} }, TypeError, 'Expected `request.safetyIdentifier` to be a string'],
  ])('refuses %j before sending, naming the field', async (extra, type, message) => {
    const { server, provider } = await setup({ '/chat/completions': hello });
    const request = ask('Hi', extra as Partial<ChatRequest>);
    const error = await provider.complete(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toContain(message);
    expect(() => provider.stream(request)).toThrow(type);
    expect(chats(server)).toHaveLength(0);
  });

  it('names them for a key spelled another way', async () => {
    const { provider } = await setup({ '/chat/completions': hello });
    const cases = [
      ['serviceTeir', 'serviceTier'],
      ['promptCachekey', 'promptCacheKey'],
      ['safetyIdentifer', 'safetyIdentifier'],
      ['verbosty', 'verbosity'],
    ];
    for (const [given, known] of cases) {
      expect(() => provider.stream({ ...ask(), [given!]: 'x' } as never)).toThrow(
        `Unknown option \`request.${given}\`: did you mean \`request.${known}\`?`,
      );
    }
  });

  it('are refused before sending where Mistral answers 4xx, and sent where it takes them', async () => {
    const { server, provider } = await setup(
      { '/chat/completions': hello },
      { preset: 'mistral', apiKey: 'sk-test' },
    );
    // A field Mistral takes in no form is a TypeError; a value of one it takes, a RangeError.
    for (const [extra, field, type] of [
      [{ verbosity: 'high' }, 'request.verbosity', TypeError],
      [{ safetyIdentifier: 'u' }, 'request.safetyIdentifier', TypeError],
      [{ serviceTier: 'flex' }, 'request.serviceTier', RangeError],
    ] as const) {
      const error = await provider.complete(ask('Hi', extra)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(type);
      expect((error as Error).message).toContain(`\`${field}\``);
      expect((error as Error).message).toMatch(/^Mistral /);
    }
    expect(chats(server)).toHaveLength(0);
    await provider.complete(ask('Hi', { serviceTier: 'auto', promptCacheKey: 'k' }));
    expect(chats(server)[0]!.json).toMatchObject({ service_tier: 'auto', prompt_cache_key: 'k' });
    expect(provider.requestFields.chat.has('verbosity')).toBe(false);
    expect(provider.requestFields.chat.has('safetyIdentifier')).toBe(false);
    expect(provider.requestFields.chat.has('serviceTier')).toBe(true);
  });

  it("are refused before sending where the server has no tiers (Ollama's and vLLM's /v1), but 'auto'", async () => {
    const tierless = [
      { preset: 'ollama' as const },
      {
        preset: { name: 'my-ollama', baseUrl: 'http://127.0.0.1:9/v1', extends: 'ollama' as const },
      },
      { preset: 'vllm' as const },
    ];
    for (const options of tierless) {
      const { server, provider } = await setup({ '/chat/completions': hello }, options);
      for (const serviceTier of ['flex', 'priority', 'default', 'scale', 'fast'] as const) {
        const request = ask('Hi', { serviceTier });
        const error = await provider.complete(request).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RangeError);
        const { message } = error as Error;
        expect(message).toMatch(/^(Ollama|my-ollama|vLLM) ignores `service_tier`/);
        expect(message).toContain(`\`request.serviceTier\` "${serviceTier}" is refused`);
        expect(message).toContain('set "auto" for this preset');
        expect(() => provider.stream(request)).toThrow(RangeError);
      }
      expect(chats(server)).toHaveLength(0);
      await provider.complete(ask('Hi', { serviceTier: 'auto' }));
      expect(chats(server)[0]!.json).toMatchObject({ service_tier: 'auto' });
      expect(provider.requestFields.chat.has('serviceTier')).toBe(true);
    }
    // LM Studio's server is closed source: what it does with a tier is its own to say.
    const lmstudio = await setup({ '/chat/completions': hello }, { preset: 'lmstudio' });
    await lmstudio.provider.complete(ask('Hi', { serviceTier: 'flex' }));
    expect(chats(lmstudio.server)[0]!.json).toMatchObject({ service_tier: 'flex' });
  });

  it('share a cache entry when only the tier, cache key or safety id differ, not the verbosity', async () => {
    const { server, provider } = await setup({ '/chat/completions': hello });
    const base = ask('Hi', { temperature: 0 });
    await provider.complete(base);
    const routed = await provider.complete({ ...base, ...newer, verbosity: undefined });
    expect(routed.cached).toBe(true);
    expect(chats(server)).toHaveLength(1);
    const terse = await provider.complete({ ...base, verbosity: 'low' });
    expect(terse.cached).toBe(false);
    expect(chats(server)).toHaveLength(2);
  });

  it("share a cache entry when only extraBody's prompt_cache_retention or prompt_cache_options differ", async () => {
    const { server, provider } = await setup({ '/chat/completions': hello });
    const base = ask('Hi', { temperature: 0 });
    await provider.complete(base);
    const kept = await provider.complete({
      ...base,
      extraBody: { prompt_cache_retention: '24h', prompt_cache_options: { scope: 'org' } },
    });
    expect(kept.cached).toBe(true);
    const inMemory = await provider.complete({
      ...base,
      extraBody: { prompt_cache_retention: 'in-memory' },
    });
    expect(inMemory.cached).toBe(true);
    expect(chats(server)).toHaveLength(1);
    // Sent as given when the call does reach the server.
    await provider.complete({
      ...base,
      cache: 'bypass',
      extraBody: { prompt_cache_retention: '24h' },
    });
    expect(chats(server)[1]!.json).toMatchObject({ prompt_cache_retention: '24h' });
  });
});

describe('extraBody.stream_options', () => {
  it("keeps vLLM's continuous_usage_stats beside include_usage, and stays out of a whole answer's body", async () => {
    const { server, provider } = await setup(
      { '/chat/completions': sse(streamOf('hi')) },
      { preset: 'vllm', cache: false },
    );
    const extraBody = { stream_options: { continuous_usage_stats: true } };
    await provider.complete(ask('Hi', { extraBody }));
    expect(chats(server)[0]!.json).toMatchObject({
      stream: true,
      stream_options: { continuous_usage_stats: true, include_usage: true },
    });
    const other = await setup(
      { '/chat/completions': hello },
      { preset: 'vllm', cache: false, completeAs: 'whole' },
    );
    expect((await other.provider.complete(ask('Hi', { extraBody }))).content).toBe('hi');
    const [sent] = chats(other.server);
    expect(sent!.json).not.toHaveProperty('stream_options');
    expect(sent!.json).not.toHaveProperty('stream');
  });
});
