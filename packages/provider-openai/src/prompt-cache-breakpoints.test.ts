// Explicit prompt-cache breakpoints (gpt-5.6 and later, openai-node 7.5.0): `cacheBreakpoint: true`
// on a message's text or on an image, audio or file part, sent as `prompt_cache_breakpoint`, and
// `promptCacheOptions` as `prompt_cache_options`; checked before sending, OpenAI's own.
import { describe, expect, it } from 'vitest';
import { hello } from './__fixtures__/server';
import { ask, chats, setup } from './__fixtures__/setup';
import type { OpenAIPresetName } from './presets';
import type { ChatRequest, OpenAIChatMessage } from './types';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk';
const WAV = 'UklGRiQAAABXQVZFZm10IBAAAAABAAEA';
const PDF = 'JVBERi0xLjQKJcfsj6IKNSAwIG9iago=';
const BREAKPOINT = { mode: 'explicit' };

const marked: ChatRequest = {
  model: 'gpt-5.6',
  messages: [
    { role: 'system', content: 'A long, stable system prompt.', cacheBreakpoint: true },
    {
      role: 'user',
      content: 'Read these.',
      images: [PNG, { image: PNG, detail: 'low', cacheBreakpoint: true }],
      audio: [{ data: WAV, format: 'wav', cacheBreakpoint: true }],
      files: [
        { fileId: 'file-abc', cacheBreakpoint: true },
        { filename: 'a.pdf', data: PDF, cacheBreakpoint: false },
      ],
    },
  ],
  promptCacheOptions: { mode: 'explicit', ttl: '30m' },
};

describe('cacheBreakpoint and promptCacheOptions', () => {
  it('sends each breakpoint as prompt_cache_breakpoint on its part, the options as prompt_cache_options', async () => {
    const { server, provider } = await setup({ '/chat/completions': hello });
    await provider.complete(marked);
    const body = chats(server)[0]!.json as Record<string, unknown>;
    expect(body.prompt_cache_options).toEqual({ mode: 'explicit', ttl: '30m' });
    expect(body.messages).toEqual([
      {
        role: 'system',
        content: [
          {
            type: 'text',
            text: 'A long, stable system prompt.',
            prompt_cache_breakpoint: BREAKPOINT,
          },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Read these.' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
          {
            type: 'image_url',
            image_url: { url: `data:image/png;base64,${PNG}`, detail: 'low' },
            prompt_cache_breakpoint: BREAKPOINT,
          },
          {
            type: 'input_audio',
            input_audio: { data: WAV, format: 'wav' },
            prompt_cache_breakpoint: BREAKPOINT,
          },
          { type: 'file', file: { file_id: 'file-abc' }, prompt_cache_breakpoint: BREAKPOINT },
          {
            type: 'file',
            file: { filename: 'a.pdf', file_data: `data:application/pdf;base64,${PDF}` },
          },
        ],
      },
    ]);
  });

  it('leaves promptCacheOptions out of the cache key, not the breakpoints', async () => {
    const { server, provider } = await setup({ '/chat/completions': hello });
    const base = ask('Hi', { temperature: 0 });
    await provider.complete(base);
    const routed = await provider.complete({ ...base, promptCacheOptions: { ttl: '30m' } });
    expect(routed.cached).toBe(true);
    expect(chats(server)).toHaveLength(1);
    const messages: OpenAIChatMessage[] = [{ role: 'user', content: 'Hi', cacheBreakpoint: true }];
    const split = await provider.complete({ ...base, messages });
    expect(split.cached).toBe(false);
    expect(chats(server)).toHaveLength(2);
  });

  it('refuses malformed breakpoints and options before sending, naming the field', async () => {
    const { server, provider } = await setup({ '/chat/completions': hello });
    const on = (request: unknown) => provider.complete(request as ChatRequest);
    const user = (extra: Record<string, unknown>) => ({
      model: 'gpt-5.6',
      messages: [{ role: 'user', content: 'Hi', ...extra }],
    });
    await expect(on(user({ cacheBreakpoint: 'yes' }))).rejects.toThrow(
      new TypeError(
        'Expected `request.messages[0].cacheBreakpoint` to be a boolean, got `"yes"` (string)',
      ),
    );
    await expect(on(user({ images: [{ image: PNG, cacheBreakpoint: 1 }] }))).rejects.toThrow(
      /^Expected `request\.messages\[0\]\.images\[0\]\.cacheBreakpoint` to be a boolean/,
    );
    await expect(
      on(user({ audio: [{ data: WAV, format: 'wav', cacheBreakpoint: {} }] })),
    ).rejects.toThrow(/`request\.messages\[0\]\.audio\[0\]\.cacheBreakpoint`/);
    await expect(on(user({ files: [{ fileId: 'f', cacheBreakpoint: 'x' }] }))).rejects.toThrow(
      /`request\.messages\[0\]\.files\[0\]\.cacheBreakpoint`/,
    );
    const textless = {
      model: 'gpt-5.6',
      messages: [{ role: 'user', content: '', images: [PNG], cacheBreakpoint: true }],
    };
    await expect(on(textless)).rejects.toThrow(RangeError);
    await expect(on(textless)).rejects.toThrow(/`request\.messages\[0\]\.cacheBreakpoint`/);
    const options = (promptCacheOptions: unknown, extra = {}) => ({
      ...user(extra),
      promptCacheOptions,
    });
    await expect(on(options('explicit'))).rejects.toThrow(
      /^Expected `request\.promptCacheOptions` to be/,
    );
    await expect(on(options({ mode: 'always' }))).rejects.toThrow(
      new RangeError(
        'Expected `request.promptCacheOptions.mode` to be one of "implicit", "explicit", got `"always"` (string)',
      ),
    );
    await expect(on(options({ ttl: '24h' }))).rejects.toBeInstanceOf(RangeError);
    await expect(on(options({ ttl: '30m', scope: 'org' }))).rejects.toThrow(
      /^Unknown option `request\.promptCacheOptions\.scope`/,
    );
    // "explicit" without an explicit breakpoint: no prompt caching at all, as OpenAI's docs say.
    const uncached = on(options({ mode: 'explicit' }, { cacheBreakpoint: false }));
    await expect(uncached).rejects.toBeInstanceOf(RangeError);
    await expect(on(options({ mode: 'explicit' }))).rejects.toThrow(
      /`request\.promptCacheOptions\.mode`.*turns prompt caching off/,
    );
    expect(chats(server)).toHaveLength(0);
    // "implicit", or a breakpoint beside "explicit", is sent.
    await on(options({ mode: 'implicit' }));
    await on(options({ mode: 'explicit' }, { cacheBreakpoint: true }));
    expect(chats(server)).toHaveLength(2);
  });

  it("is refused before sending on a preset whose server is not OpenAI's, unsupportedBy: 'server'", async () => {
    const presets: OpenAIPresetName[] = ['groq', 'mistral', 'ollama', 'vllm'];
    const breakpoint: OpenAIChatMessage[] = [
      { role: 'user', content: 'Hi', cacheBreakpoint: true },
    ];
    for (const preset of presets) {
      const { server, provider } = await setup(
        { '/chat/completions': hello },
        { preset, apiKey: 'sk-test' },
      );
      const options = await provider
        .complete(ask('Hi', { promptCacheOptions: { mode: 'implicit' } }))
        .catch((e: unknown) => e);
      expect(options).toBeInstanceOf(TypeError);
      expect((options as Error).message).toMatch(/does not accept `request\.promptCacheOptions`/);
      expect(options).toHaveProperty('unsupportedBy', 'server');
      const marked = await provider
        .complete(ask('Hi', { messages: breakpoint }))
        .catch((e: unknown) => e);
      expect((marked as Error).message).toMatch(
        /does not accept `request\.messages\[0\]\.cacheBreakpoint`/,
      );
      expect(marked).toHaveProperty('unsupportedBy', 'server');
      expect(provider.requestFields.chat.has('promptCacheOptions')).toBe(false);
      expect(chats(server)).toHaveLength(0);
      // Left out or false, nothing is refused.
      await provider.complete(
        ask('Hi', { messages: [{ role: 'user', content: 'Hi', cacheBreakpoint: false }] }),
      );
      expect(chats(server)).toHaveLength(1);
    }
    // A part's breakpoint, found wherever it is.
    const groq = await setup({ '/chat/completions': hello }, { preset: 'groq', apiKey: 'sk-test' });
    const files: OpenAIChatMessage[] = [
      { role: 'user', content: 'Hi', files: [{ fileId: 'f', cacheBreakpoint: true }] },
    ];
    await expect(groq.provider.complete(ask('Hi', { messages: files }))).rejects.toThrow(
      /^Groq does not accept `request\.messages\[0\]\.files\[0\]\.cacheBreakpoint`/,
    );
    const { provider } = await setup({ '/chat/completions': hello });
    expect(provider.requestFields.chat.has('promptCacheOptions')).toBe(true);
  });
});
