// Input a preset's server refuses (or silently loses), refused before anything is sent with an
// error naming the field (a TypeError for a field or form the server takes in no value, a
// RangeError for a value it refuses); the presets whose servers take it still send it.
import { describe, expect, it } from 'vitest';
import { completion, json, type TestServer, vectors } from './__fixtures__/server';
import { ask, atOpenAI, chats, setup } from './__fixtures__/setup';
import { simSetup } from './__fixtures__/sim-setup';
import type { OpenAIPresetName } from './presets';
import type { ChatRequest, EmbedRequest } from './types';

const hello = json(200, completion({ content: 'hi' }));

const embeds = (server: TestServer) => server.requests.filter((r) => r.path === '/v1/embeddings');

async function embedding(preset: OpenAIPresetName) {
  return setup({ '/embeddings': vectors }, { preset, apiKey: 'sk-test', cache: false });
}

describe('topLogprobs', () => {
  it('without logprobs: true is refused before sending, from complete() and stream()', async () => {
    const { server, provider } = await setup({ '/chat/completions': hello });
    // Left out, `logprobs` is missing (a TypeError); `false` is the right type, the wrong value.
    for (const [logprobs, type] of [
      [undefined, TypeError],
      [false, RangeError],
    ] as const) {
      const request = ask('x', { topLogprobs: 3, logprobs });
      await expect(provider.complete(request)).rejects.toThrow(type);
      await expect(provider.complete(request)).rejects.toThrow(
        'Expected `request.logprobs` to be true when `request.topLogprobs` is set',
      );
      expect(() => provider.stream(request)).toThrow('`request.logprobs`');
    }
    expect(chats(server)).toHaveLength(0);
    await provider.complete(ask('x', { topLogprobs: 3, logprobs: true }));
    expect(chats(server)[0]!.json).toMatchObject({ logprobs: true, top_logprobs: 3 });
  });
});

describe('unsupportedBy', () => {
  it("marks what only this preset's server refuses `unsupportedBy: 'server'`, not the caller's mistakes", async () => {
    const refusal = async (preset: OpenAIPresetName, request: ChatRequest) => {
      const { provider } = await setup(
        { '/chat/completions': hello },
        { preset, apiKey: 'sk-test' },
      );
      return provider.complete(request).catch((e: unknown) => e);
    };
    const gif = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
    const refused = [
      await refusal('ollama', ask('x', { serviceTier: 'flex' })),
      await refusal('mistral', ask('x', { verbosity: 'low' })),
      await refusal('ollama', {
        model: 'm',
        messages: [{ role: 'user', content: 'x', images: [gif] }],
      }),
    ];
    expect(refused.map((e) => (e as Error).message)).toEqual([
      expect.stringContaining('`request.serviceTier` "flex"'),
      expect.stringContaining('`request.verbosity`'),
      expect.stringContaining('`request.messages[0].images[0]` is a GIF image'),
    ]);
    for (const error of refused) expect(error).toHaveProperty('unsupportedBy', 'server');
    // OpenAI's own limits, at its host.
    const { provider } = atOpenAI();
    const stops = await provider
      .complete(ask('x', { stop: ['a', 'b', 'c', 'd', 'e'] }))
      .catch((e: unknown) => e);
    expect(stops).toHaveProperty('unsupportedBy', 'server');
    // No server takes `topLogprobs` without `logprobs`.
    const mistake = await refusal('ollama', ask('x', { topLogprobs: 2 }));
    expect(mistake).toBeInstanceOf(TypeError);
    expect(mistake).not.toHaveProperty('unsupportedBy');
  });
});

describe('embeddings input', () => {
  it.each([
    ['an empty text', '', '`request.input`: an empty text'],
    ['an empty text in a list', ['ok', ''], '`request.input[1]`: an empty text'],
    [
      '2049 texts',
      Array.from({ length: 2049 }, () => 'a'),
      '`request.input`: 2049 items (at most 2048 a request)',
    ],
    [
      '2049 token ids',
      Array.from({ length: 2049 }, () => 1),
      '`request.input`: 2049 items (at most 2048 a request)',
    ],
  ])('OpenAI refuses %s before sending, naming the field', async (_, input, message) => {
    // At OpenAI's own host: the `openai` preset at a gateway sends them (documented-limits.test.ts).
    const { provider, sent } = atOpenAI();
    const request = { model: 'text-embedding-3-small', input } as EmbedRequest;
    // Input of the right type with a wrong value: a RangeError, as @x/provider-ollama's `input: ''`.
    await expect(provider.embed(request)).rejects.toThrow(RangeError);
    await expect(provider.embed(request)).rejects.toThrow(`OpenAI does not accept ${message}`);
    expect(sent()).toBe(0);
  });

  it('OpenAI takes 2048 texts, and token ids', async () => {
    const { server, provider } = await embedding('openai');
    const many = Array.from({ length: 2048 }, () => 'a');
    await expect(provider.embed({ model: 'e', input: many })).resolves.toMatchObject({
      embeddings: { length: 2048 },
    });
    await provider.embed({ model: 'e', input: [[1, 2], [3]] });
    expect(embeds(server)).toHaveLength(2);
  });

  it('Ollama refuses token ids before sending', async () => {
    const { server, provider } = await embedding('ollama');
    for (const input of [
      [1, 2, 3],
      [[1, 2], [3]],
    ]) {
      await expect(provider.embed({ model: 'nomic-embed-text', input })).rejects.toThrow(
        'Ollama does not accept `request.input`: token ids',
      );
    }
    expect(embeds(server)).toHaveLength(0);
  });

  it('Ollama embeds an empty text, alone or in a list, one vector each', async () => {
    // Its /v1 sends `input: ""` on as `[""]` and embeds every item of a list (since v0.2.6).
    const { sim, provider } = await simSetup();
    const one = await provider.embed({ model: 'nomic-embed-text', input: '' });
    expect(one.embeddings).toHaveLength(1);
    const two = await provider.embed({ model: 'nomic-embed-text', input: ['a', ''] });
    expect(two.embeddings).toHaveLength(2);
    const sent = sim.requests.filter((r) => r.path === '/v1/embeddings');
    expect(sent.map((r) => (r.body as { input: unknown }).input)).toEqual(['', ['a', '']]);
  });

  it('vLLM and the other servers are sent empty texts and token ids, theirs to judge', async () => {
    for (const preset of ['vllm', 'together', 'gemini'] as const) {
      const { server, provider } = await embedding(preset);
      await provider.embed({ model: 'e', input: '' });
      await provider.embed({ model: 'e', input: ['ok', ''] });
      await provider.embed({ model: 'e', input: [[1, 2], [3]] });
      expect(embeds(server).map((r) => r.json!.input)).toEqual(['', ['ok', ''], [[1, 2], [3]]]);
    }
  });
});

describe('images on the ollama preset', () => {
  const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0]);
  const gif = Uint8Array.from(Buffer.from('GIF89a\x01\x00\x01\x00'));
  const look = (images: readonly (string | Uint8Array)[]) =>
    ask('look', { messages: [{ role: 'user', content: 'look', images }] });

  it.each([
    [[gif], '`request.messages[0].images[0]` is a GIF image'],
    [[jpeg, Buffer.from(gif).toString('base64')], '`request.messages[0].images[1]` is a GIF image'],
    [['data:image/gif;base64,R0lGODlh'], 'is a GIF image'],
    [['https://example.com/cat.png'], 'is a URL (give the bytes or base64 instead)'],
    [['data:image/bmp;base64,Qk0='], 'is a `image/bmp` image'],
  ])(
    'refuses image set %#, which Ollama cannot decode, before sending',
    async (images, message) => {
      const { server, provider } = await setup(
        { '/chat/completions': hello },
        { preset: 'ollama' },
      );
      const error = await provider.complete(look(images)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RangeError);
      expect((error as Error).message).toMatch(
        /^Ollama takes JPEG, PNG, WebP images as base64 data only: `request\.messages\[0\]\.images\[\d\]` is /,
      );
      expect((error as Error).message).toContain(message);
      expect(() => provider.stream(look(images))).toThrow(message);
      expect(chats(server)).toHaveLength(0);
    },
  );

  it('sends JPEG bytes, PNG base64 and a WebP data URL', async () => {
    const { server, provider } = await setup({ '/chat/completions': hello }, { preset: 'ollama' });
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).toString('base64');
    await provider.complete(look([jpeg, png, 'data:image/webp;base64,UklGRg==']));
    const sent = (chats(server)[0]!.json!.messages as Array<{ content: unknown }>)[0]!.content;
    expect(sent).toMatchObject([
      { type: 'text' },
      { image_url: { url: expect.stringMatching(/^data:image\/jpeg;base64,/) } },
      { image_url: { url: expect.stringMatching(/^data:image\/png;base64,/) } },
      { image_url: { url: 'data:image/webp;base64,UklGRg==' } },
    ]);
  });

  it('leaves GIFs and URLs to the servers that take them (vLLM, OpenAI)', async () => {
    for (const preset of ['vllm', 'openai'] as const) {
      const { server, provider } = await setup(
        { '/chat/completions': hello },
        { preset, apiKey: 'sk-test' },
      );
      await provider.complete(look([gif, 'https://example.com/cat.png']));
      expect(chats(server)).toHaveLength(1);
    }
  });
});

describe("what Ollama's /v1 ignores", () => {
  const weather = {
    type: 'function' as const,
    function: { name: 'get_weather', parameters: { type: 'object', properties: {} } },
  };
  const withTools = (extra: Partial<ChatRequest>) =>
    ask('Weather?', { tools: [weather], ...extra });
  const ollamaLike = [
    { preset: 'ollama' as const },
    { preset: { name: 'my-ollama', baseUrl: 'http://127.0.0.1:9/v1', extends: 'ollama' as const } },
  ];

  // A value of a field the server takes in other values is a RangeError; a field it ignores in
  // every value, a TypeError.
  it.each([
    [
      { toolChoice: 'required' },
      'ignores `tool_choice`',
      '`request.toolChoice` "required"',
      RangeError,
    ],
    [{ toolChoice: 'none' }, 'ignores `tool_choice`', '`request.toolChoice` "none"', RangeError],
    [
      { toolChoice: { type: 'function', function: { name: 'get_weather' } } },
      'ignores `tool_choice`',
      '`request.toolChoice` is refused',
      RangeError,
    ],
    [
      { parallelToolCalls: false },
      'ignores `parallel_tool_calls`',
      '`request.parallelToolCalls`',
      RangeError,
    ],
    [{ logitBias: { '50256': -100 } }, 'ignores `logit_bias`', '`request.logitBias`', TypeError],
    [{ verbosity: 'low' }, 'ignores `verbosity`', '`request.verbosity`', TypeError],
  ])(
    'refuses %j before sending, saying the server ignores it',
    async (extra, ignores, field, type) => {
      for (const options of ollamaLike) {
        const { server, provider } = await setup({ '/chat/completions': hello }, options);
        const request = withTools(extra as Partial<ChatRequest>);
        const error = await provider.complete(request).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(type);
        const { message } = error as Error;
        expect(message).toMatch(/^(Ollama|my-ollama) ignores /);
        expect(message).toContain(ignores);
        expect(message).toContain('drops it without an error');
        expect(message).toContain(field);
        expect(message).not.toMatch(/4xx/);
        expect(() => provider.stream(request)).toThrow(type);
        expect(chats(server)).toHaveLength(0);
      }
    },
  );

  it('sends what it honours: toolChoice "auto", parallelToolCalls true, and either without tools', async () => {
    const { server, provider } = await setup({ '/chat/completions': hello }, { preset: 'ollama' });
    await provider.complete(withTools({ toolChoice: 'auto', parallelToolCalls: true }));
    await provider.complete(ask('Hi', { toolChoice: 'required', parallelToolCalls: false }));
    expect(chats(server)).toHaveLength(2);
    expect(chats(server)[0]!.json).toMatchObject({
      tool_choice: 'auto',
      parallel_tool_calls: true,
    });
    expect(chats(server)[1]!.json).not.toHaveProperty('tool_choice');
    expect(provider.requestFields.chat.has('logitBias')).toBe(false);
    expect(provider.requestFields.chat.has('verbosity')).toBe(false);
    expect(provider.requestFields.chat.has('toolChoice')).toBe(true);
  });

  it('leaves the other presets to send them', async () => {
    for (const preset of ['vllm', 'lmstudio', 'openai'] as const) {
      const { server, provider } = await setup(
        { '/chat/completions': hello },
        { preset, apiKey: 'sk-test' },
      );
      await provider.complete(
        withTools({ toolChoice: 'required', parallelToolCalls: false, logitBias: { '1': 5 } }),
      );
      expect(chats(server)[0]!.json).toMatchObject({
        tool_choice: 'required',
        parallel_tool_calls: false,
        logit_bias: { '1': 5 },
      });
    }
  });
});
