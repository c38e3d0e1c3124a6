// A preset of your own: an object with a name, a base URL and any field a built-in preset has,
// checked as the built-in ones are (each error names `preset.<field>` before anything is sent),
// the fields left out taken from the preset it extends or a generic OpenAI-compatible server's.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { completion, json, startServer } from './__fixtures__/server';
import { ask, chats, track, trackServer } from './__fixtures__/setup';
import type { OpenAICustomPreset } from './custom-preset';
import { createOpenAIProvider } from './provider';

afterEach(() => {
  vi.unstubAllEnvs();
});

const hello = json(200, completion({ content: 'hi' }));

async function server() {
  return trackServer(
    await startServer({
      '/v1/chat/completions': hello,
      '/v1/embeddings': json(200, { data: [{ index: 0, embedding: [0.5] }], model: 'e' }),
    }),
  );
}

describe('createOpenAIProvider({ preset: { name, baseUrl, ... } })', () => {
  it('speaks the dialect it names, under its name, with the key variable it names', async () => {
    const srv = await server();
    const { url } = srv;
    vi.stubEnv('GATEWAY_KEY', 'gw-key-0123456789');
    vi.stubEnv('OPENAI_API_KEY', 'sk-must-not-be-sent');
    const preset: OpenAICustomPreset = {
      name: 'gateway',
      baseUrl: url,
      label: 'Gateway',
      apiKeyEnv: 'GATEWAY_KEY',
      maxTokensField: 'max_completion_tokens',
      seedField: 'random_seed',
      streamUsage: false,
      developerRole: 'developer',
      refusedFields: ['logitBias'],
      thinkingEcho: { field: 'reasoning_content', turns: 'all' },
    };
    const provider = track(createOpenAIProvider({ preset }));
    expect(provider.preset).toBe('gateway');
    expect(provider.baseUrl).toBe(url);
    expect(provider.requestFields.chat.has('logitBias')).toBe(false);
    await provider
      .stream({
        ...ask('Hi', { maxTokens: 5, seed: 7 }),
        messages: [
          { role: 'developer', content: 'Be brief.' },
          { role: 'assistant', content: 'Hm', thinking: 'a thought' },
          { role: 'user', content: 'Hi' },
        ],
      })
      [Symbol.asyncIterator]()
      .next();
    const sent = chats(srv)[0]!;
    expect(sent.headers.authorization).toBe('Bearer gw-key-0123456789');
    expect(sent.json).toMatchObject({
      max_completion_tokens: 5,
      random_seed: 7,
      stream: true,
      messages: [
        { role: 'developer' },
        { role: 'assistant', reasoning_content: 'a thought' },
        { role: 'user' },
      ],
    });
    expect(sent.json).not.toHaveProperty('stream_options');
    await expect(provider.complete(ask('Hi', { logitBias: { '1': 1 } }))).rejects.toThrow(
      /^Gateway does not accept `request\.logitBias`/,
    );
    expect(provider.toPrometheus()).toContain('provider="gateway"');
  });

  it('takes the fields left out from the preset it extends, but never its key variable', async () => {
    const srv = await server();
    const { url } = srv;
    vi.stubEnv('GROQ_API_KEY', 'gsk-must-not-be-sent');
    const gpu = track(
      createOpenAIProvider({ preset: { name: 'gpu-box', baseUrl: url, extends: 'ollama' } }),
    );
    // Ollama's image types, its refusal of files and its window of 4096.
    await expect(
      gpu.complete(
        ask('Hi', { messages: [{ role: 'user', content: 'x', images: ['https://x/a.png'] }] }),
      ),
    ).rejects.toThrow(/^gpu-box takes JPEG, PNG, WebP images as base64 data only/);
    await expect(
      gpu.complete(
        ask('Hi', { messages: [{ role: 'user', content: 'x', files: [{ fileId: 'f' }] }] }),
      ),
    ).rejects.toThrow(/^gpu-box does not accept `request\.messages\[\]\.files`/);
    await expect(gpu.complete(ask('word '.repeat(5000)))).rejects.toMatchObject({
      kind: 'context-overflow',
      contextWindow: 4096,
    });
    const groqLike = track(
      createOpenAIProvider({ preset: { name: 'groq-eu', baseUrl: url, extends: 'groq' } }),
    );
    expect(groqLike.requestFields.chat.has('logitBias')).toBe(false);
    await groqLike.complete(ask());
    expect(chats(srv)[0]!.headers.authorization).toBeUndefined();
  });

  it('is a generic OpenAI-compatible server without extends, and needs no key unless it names one', async () => {
    const srv = await server();
    const { url, requests } = srv;
    const provider = track(createOpenAIProvider({ preset: { name: 'proxy', baseUrl: `${url}/` } }));
    expect(provider.baseUrl).toBe(url);
    await provider.complete(ask('Hi', { maxTokens: 3 }));
    await provider.embed({ model: 'e', input: 'x' });
    const [chat, embed] = requests;
    expect(chat!.json).toMatchObject({
      max_tokens: 3,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(embed!.json).toMatchObject({ encoding_format: 'float' });
    expect(chat!.headers.authorization).toBeUndefined();
    // A preset that names a key variable needs it (or a key) at its own address.
    expect(() =>
      createOpenAIProvider({ preset: { name: 'keyed', baseUrl: url, apiKeyEnv: 'KEYED_API_KEY' } }),
    ).toThrow(
      /^Expected `apiKey` \(or the KEYED_API_KEY environment variable\) to be set: keyed refuses/,
    );
    // Every field but the two required ones set to undefined is left out.
    const undefinedFields = Object.fromEntries(
      [
        'extends',
        'label',
        'apiKeyEnv',
        'requestsPerSecond',
        'rateSource',
        'tokens',
        'local',
        'maxTokensField',
        'seedField',
        'dimensionsField',
        'embeddingsEncoding',
        'streamUsage',
        'contextWindow',
        'refusedFields',
        'developerRole',
        'thinkingEcho',
        'imageTypes',
        'fileTypes',
        'embeddingInput',
        'usageAfterFinish',
      ].map((key) => [key, undefined]),
    );
    const leftOut = track(
      createOpenAIProvider({ preset: { name: 'p', baseUrl: url, ...undefinedFields } }),
    );
    await leftOut.complete(ask('Hi', { maxTokens: 4 }));
    expect(requests.at(-1)!.json).toMatchObject({ max_tokens: 4 });
  });

  it.each([
    [
      { baseUrl: 'http://127.0.0.1:1/v1' },
      TypeError,
      'Expected `preset.name` to be a non-empty string',
    ],
    [
      { name: 'groq', baseUrl: 'http://127.0.0.1:1/v1' },
      RangeError,
      "a name other than a built-in preset's",
    ],
    [
      { name: 'sk-proj-abcdefghijklmnopqrstuvwx', baseUrl: 'http://127.0.0.1:1/v1' },
      RangeError,
      '[redacted]',
    ],
    [{ name: 'p' }, TypeError, 'Expected `preset.baseUrl` to be a URL'],
    [{ name: 'p', baseUrl: 'not a url' }, RangeError, 'Expected `preset.baseUrl` to be a URL'],
    [
      { name: 'p', baseUrl: 'https://u:hunter2@x.test/v1' },
      RangeError,
      '`preset.baseUrl` to be a URL without credentials',
    ],
    [
      { name: 'p', baseUrl: 'http://x.test/v1', baseURL: 'x' },
      TypeError,
      'Unknown option `preset.baseURL`: did you mean `preset.baseUrl`?',
    ],
    [
      { name: 'p', baseUrl: 'http://x.test/v1', extends: 'azure' },
      RangeError,
      '`preset.extends` to be one of',
    ],
    [
      { name: 'p', baseUrl: 'http://x.test/v1', requestsPerSecond: 0 },
      RangeError,
      '`preset.requestsPerSecond`',
    ],
    [
      { name: 'p', baseUrl: 'http://x.test/v1', apiKeyEnv: 'MY KEY' },
      RangeError,
      '`preset.apiKeyEnv`',
    ],
    [
      { name: 'p', baseUrl: 'http://x.test/v1', refusedFields: ['logprob'] },
      RangeError,
      '`preset.refusedFields[0]`',
    ],
    [
      { name: 'p', baseUrl: 'http://x.test/v1', maxTokensField: 'max_new_tokens' },
      RangeError,
      '`preset.maxTokensField`',
    ],
    [
      { name: 'p', baseUrl: 'http://x.test/v1', thinkingEcho: { field: 'thinking', turns: 'all' } },
      RangeError,
      '`preset.thinkingEcho.field`',
    ],
    [
      { name: 'p', baseUrl: 'http://x.test/v1', contextWindow: 0.5 },
      RangeError,
      '`preset.contextWindow`',
    ],
    [
      { name: 'p', baseUrl: 'http://x.test/v1', embeddingInput: { maxitems: 5 } },
      TypeError,
      '`preset.embeddingInput.maxitems`',
    ],
    [
      { name: 'p', baseUrl: 'http://x.test/v1', imageTypes: 'image/png' },
      TypeError,
      '`preset.imageTypes`',
    ],
    [{ name: ' ', baseUrl: 'http://x.test/v1' }, RangeError, '`preset.name`'],
    [{ name: '\u00a0', baseUrl: 'http://x.test/v1' }, RangeError, '`preset.name`'],
    [
      { name: 'p', baseUrl: 'http://x.test/v1', imageTypes: ['png'] },
      RangeError,
      '`preset.imageTypes[0]`',
    ],
    [
      { name: 'p', baseUrl: 'http://x.test/v1', fileTypes: ['pdf'] },
      RangeError,
      '`preset.fileTypes[0]`',
    ],
    [
      { name: 'p', baseUrl: 'http://x.test/v1', fileTypes: [''] },
      RangeError,
      '`preset.fileTypes[0]`',
    ],
    [
      { name: 'p', baseUrl: 'http://x.test/v1', imageTypes: ['Image/PNG'] },
      RangeError,
      '`preset.imageTypes[0]`',
    ],
    [{ name: 'p', baseUrl: 'http://x.test/v1', fileTypes: [] }, RangeError, '`preset.fileTypes`'],
    [
      { name: 'p', baseUrl: 'http://x.test/v1', imageTypes: [7] },
      TypeError,
      '`preset.imageTypes[0]`',
    ],
    [{ name: 'p', baseUrl: 'http://x.test/v1', tokens: 'llama' }, RangeError, '`preset.tokens`'],
    [{ name: 'p', baseUrl: 'http://x.test/v1', local: 'yes' }, TypeError, '`preset.local`'],
  ])('refuses preset %#, naming the field', (preset, type, text) => {
    const make = () => createOpenAIProvider({ preset: preset as never });
    expect(make).toThrow(type);
    expect(make).toThrow(text);
  });

  it('refuses an apiKeyEnv holding a key rather than a name, never showing it', () => {
    for (const key of [
      'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z',
      'gsk_ABCDEF0123456789abcdef0123456789abcdef0123456789AB',
      'ABCDEF0123456789ABCDEF0123456789',
      'AbcdEfghIjklMnopQrstUvwx',
      'sk-proj-abcdefghijklmnop0123',
    ]) {
      const make = () =>
        createOpenAIProvider({
          preset: { name: 'gw', baseUrl: 'https://gw.example.com/v1', apiKeyEnv: key },
        });
      expect(make).toThrow(RangeError);
      expect(make).toThrow('`preset.apiKeyEnv` to be the name of an environment variable');
      expect(make).toThrow('[redacted]');
      expect(make).not.toThrow(key);
    }
  });

  it('takes environment variable names as apiKeyEnv, naming them when the key is missing', () => {
    for (const name of ['OPENAI_API_KEY', 'MY_GATEWAY_KEY', 'HUGGINGFACEHUB_API_TOKEN', 'my_key']) {
      const before = process.env[name];
      delete process.env[name];
      const make = () =>
        createOpenAIProvider({
          preset: { name: 'gw', baseUrl: 'https://gw.example.com/v1', apiKeyEnv: name },
        });
      try {
        expect(make).toThrow(`(or the ${name} environment variable) to be set`);
      } finally {
        if (before !== undefined) process.env[name] = before;
      }
    }
  });

  it('takes a key-shaped name when the environment holds a variable of that name', () => {
    const name = 'myGatewayApiKeyValue';
    const make = () =>
      createOpenAIProvider({
        preset: { name: 'gw', baseUrl: 'https://gw.example.com/v1', apiKeyEnv: name },
      });
    delete process.env[name];
    expect(make).toThrow('[redacted]');
    process.env[name] = 'gw-key-1234';
    try {
      expect(make().preset).toBe('gw');
    } finally {
      delete process.env[name];
    }
  });

  it('refuses a preset that is neither a name nor an object, saying both are taken', () => {
    for (const preset of [5, ['openai'], null]) {
      expect(() => createOpenAIProvider({ preset: preset as never })).toThrow(TypeError);
    }
    expect(() => createOpenAIProvider({ preset: 5 as never })).toThrow(/or a preset object/);
    expect(() => createOpenAIProvider({ preset: 'groqq' as never })).toThrow(RangeError);
  });
});
