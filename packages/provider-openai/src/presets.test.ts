import { rateLimitPresets } from '@x/rate-limit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { completion, json } from './__fixtures__/server';
import { ask, chats, setup, track } from './__fixtures__/setup';
import { openAIPresets } from './presets';
import { createOpenAIProvider } from './provider';

afterEach(() => {
  vi.unstubAllEnvs();
});

const hello = json(200, completion({ content: 'hi' }));

describe('openAIPresets', () => {
  it('names the base URL, key variable, rate and token method of every API', () => {
    expect(
      Object.fromEntries(
        Object.entries(openAIPresets).map(([name, p]) => [
          name,
          [p.baseUrl, p.apiKeyEnv, p.requestsPerSecond, p.tokens, p.local],
        ]),
      ),
    ).toEqual({
      openai: ['https://api.openai.com/v1', 'OPENAI_API_KEY', 60, 'openai', false],
      gemini: [
        'https://generativelanguage.googleapis.com/v1beta/openai',
        'GEMINI_API_KEY',
        15,
        'gemini',
        false,
      ],
      perplexity: ['https://api.perplexity.ai', 'PERPLEXITY_API_KEY', 5, 'perplexity', false],
      groq: ['https://api.groq.com/openai/v1', 'GROQ_API_KEY', 0.5, 'ollama', false],
      mistral: ['https://api.mistral.ai/v1', 'MISTRAL_API_KEY', 1, 'mistral', false],
      deepseek: ['https://api.deepseek.com/v1', 'DEEPSEEK_API_KEY', 10, 'openai', false],
      together: ['https://api.together.xyz/v1', 'TOGETHER_API_KEY', 10, 'ollama', false],
      vllm: ['http://localhost:8000/v1', undefined, 100, 'ollama', true],
      lmstudio: ['http://localhost:1234/v1', undefined, 10, 'ollama', true],
      ollama: ['http://localhost:11434/v1', undefined, 10, 'ollama', true],
    });
    expect(openAIPresets.openai.requestsPerSecond).toBe(rateLimitPresets.openai.ratePerSecond);
    expect(openAIPresets.gemini.requestsPerSecond).toBe(rateLimitPresets.gemini.ratePerSecond);
    expect(openAIPresets.perplexity.requestsPerSecond).toBe(
      rateLimitPresets.perplexity.ratePerSecond,
    );
    expect(Object.isFrozen(openAIPresets.groq)).toBe(true);
  });

  it("calls the preset's address with its rate when only a key is given", async () => {
    const groq = track(createOpenAIProvider({ preset: 'groq', apiKey: 'gsk_test_0123456789' }));
    expect(groq.baseUrl).toBe('https://api.groq.com/openai/v1');
    expect(groq.preset).toBe('groq');
    expect(groq.rateLimiter!.limits[0]).toMatchObject({ name: 'requests', ratePerSecond: 0.5 });
    const local = track(createOpenAIProvider({ preset: 'vllm' }));
    expect(local.baseUrl).toBe('http://localhost:8000/v1');
  });

  it("writes maxTokens in the preset's field, and prices a local server at 0", async () => {
    const { server, provider } = await setup(
      { '/chat/completions': hello },
      { preset: 'lmstudio' },
    );
    const answer = await provider.complete({ ...ask('x', { maxTokens: 9 }), model: 'qwen2.5-7b' });
    expect(chats(server)[0]!.json).toMatchObject({ max_tokens: 9 });
    expect(chats(server)[0]!.json).not.toHaveProperty('max_completion_tokens');
    expect(answer.costUsd).toBe(0);
  });
});

describe('fields a preset server refuses', () => {
  it.each([
    [
      'groq',
      { logitBias: { '42': 5 } },
      'Groq does not accept `request.logitBias` (its API refuses `logit_bias`',
    ],
    ['groq', { logprobs: false }, 'Groq does not accept `request.logprobs`'],
    [
      'mistral',
      { topLogprobs: 2 },
      'Mistral does not accept `request.topLogprobs` (its API refuses `top_logprobs`',
    ],
    ['mistral', { user: 'u-1' }, 'Mistral does not accept `request.user`'],
  ] as const)('%s: refuses %o before sending, naming it', async (preset, fields, message) => {
    const { server, provider } = await setup({ '/chat/completions': hello }, { preset });
    const request = { ...ask('x'), ...fields };
    await expect(provider.complete(request)).rejects.toBeInstanceOf(TypeError);
    await expect(provider.complete(request)).rejects.toThrow(message);
    expect(() => provider.stream(request)).toThrow(message);
    expect(chats(server)).toHaveLength(0);
  });

  it("refuses a message's name for Groq and Mistral (not a tool result's), and sends it to OpenAI", async () => {
    const named = {
      model: 'm',
      messages: [{ role: 'user' as const, content: 'hi', name: 'ada' }],
    };
    const groq = await setup({ '/chat/completions': hello }, { preset: 'groq' });
    await expect(groq.provider.complete(named)).rejects.toThrow(
      'Groq does not accept `request.messages[].name`',
    );
    expect(chats(groq.server)).toHaveLength(0);
    const mistral = await setup({ '/chat/completions': hello }, { preset: 'mistral' });
    await expect(mistral.provider.complete(named)).rejects.toThrow(
      'Mistral does not accept `request.messages[].name`',
    );
    await mistral.provider.complete({
      model: 'm',
      messages: [
        { role: 'user', content: 'time?' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'c1', name: 'clock', arguments: {} }],
        },
        { role: 'tool', content: '12:00', toolCallId: 'c1', name: 'clock' },
      ],
    });
    expect(chats(mistral.server)).toHaveLength(1);
    const openai = await setup({ '/chat/completions': hello }, { preset: 'openai' });
    await openai.provider.complete({ ...named, logitBias: { '42': 5 } });
    expect(chats(openai.server)[0]!.json).toMatchObject({
      messages: [{ name: 'ada' }],
      logit_bias: { '42': 5 },
    });
  });
});

describe('createOpenAIProvider environment', () => {
  it('reads OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID and OPENAI_PROJECT_ID as the official client does', async () => {
    const { server } = await setup({ '/chat/completions': hello });
    vi.stubEnv('OPENAI_API_KEY', '  sk-from-env-0123456789  ');
    vi.stubEnv('OPENAI_BASE_URL', `${server.url}/`);
    vi.stubEnv('OPENAI_ORG_ID', 'org-123');
    vi.stubEnv('OPENAI_PROJECT_ID', 'proj_456');
    const provider = track(createOpenAIProvider());
    expect(provider.baseUrl).toBe(server.url);
    await provider.complete(ask());
    const { headers } = chats(server)[0]!;
    expect(headers.authorization).toBe('Bearer sk-from-env-0123456789');
    expect(headers['openai-organization']).toBe('org-123');
    expect(headers['openai-project']).toBe('proj_456');
  });

  it('prefers the options over the environment, and reads only the preset own key variable', async () => {
    const { server } = await setup({ '/chat/completions': hello });
    vi.stubEnv('OPENAI_API_KEY', 'sk-openai-env-key');
    vi.stubEnv('GROQ_API_KEY', 'gsk-groq-env-key');
    vi.stubEnv('OPENAI_BASE_URL', 'http://127.0.0.1:9/v1');
    const explicit = track(createOpenAIProvider({ baseUrl: server.url, apiKey: 'sk-option' }));
    await explicit.complete(ask());
    const groq = track(createOpenAIProvider({ preset: 'groq', baseUrl: server.url }));
    await groq.complete(ask());
    expect(chats(server).map((r) => r.headers.authorization)).toEqual([
      'Bearer sk-option',
      'Bearer gsk-groq-env-key',
    ]);
  });

  it('throws TypeError at construction when a hosted API at its own address has no key', () => {
    vi.stubEnv('OPENAI_API_KEY', '   ');
    vi.stubEnv('GROQ_API_KEY', '');
    expect(() => createOpenAIProvider()).toThrow(/OPENAI_API_KEY/);
    expect(() => createOpenAIProvider({ preset: 'groq' })).toThrow(/GROQ_API_KEY/);
    // Another address (a proxy, a local server) may need none; nor does a key callback.
    track(createOpenAIProvider({ baseUrl: 'http://127.0.0.1:9/v1' }));
    track(createOpenAIProvider({ getApiKey: () => 'k' }));
    track(createOpenAIProvider({ preset: 'ollama' }));
  });
});

describe('createOpenAIProvider options', () => {
  it('throws TypeError naming the closest key for an unknown option, at any depth', () => {
    expect(() => createOpenAIProvider({ presett: 'groq' } as never)).toThrow(
      /Unknown option `presett`: did you mean `preset`\?/,
    );
    expect(() =>
      createOpenAIProvider({
        baseUrl: 'http://127.0.0.1:9/v1',
        rateLimit: { ratePerSecond: 1e9 } as never,
      }),
    ).toThrow(
      // @x/rate-limit's name for it
      /Unknown option `rateLimit.ratePerSecond`: did you mean `rateLimit.requestsPerSecond`\?/,
    );
    expect(() =>
      createOpenAIProvider({ baseUrl: 'http://127.0.0.1:9/v1', timeouts: { idelMs: 1 } as never }),
    ).toThrow(/did you mean `timeouts.idleMs`/);
  });

  it('throws TypeError or RangeError for invalid values', () => {
    const base = { baseUrl: 'http://127.0.0.1:9/v1' };
    expect(() => createOpenAIProvider({ preset: 'azure' as never })).toThrow(RangeError);
    expect(() => createOpenAIProvider({ baseUrl: 'ftp://x/v1' })).toThrow(RangeError);
    expect(() => createOpenAIProvider({ baseUrl: 'http://x/v1?q=1' })).toThrow(RangeError);
    expect(() => createOpenAIProvider({ baseUrl: 5 as never })).toThrow(TypeError);
    expect(() => createOpenAIProvider({ ...base, contextWindows: { m: 0 } })).toThrow(RangeError);
    expect(() => createOpenAIProvider({ ...base, authHeader: 'bad header' })).toThrow(RangeError);
    expect(() => createOpenAIProvider({ ...base, authHeader: 5 as never })).toThrow(TypeError);
    expect(() => createOpenAIProvider({ ...base, completeAs: 'json' as never })).toThrow(
      /completeAs/,
    );
    expect(() => createOpenAIProvider({ ...base, learnLimits: 'yes' as never })).toThrow(TypeError);
    expect(() => createOpenAIProvider({ ...base, tokens: { onOverflow: 'raise' } })).toThrow(
      RangeError,
    );
    expect(() => createOpenAIProvider({ ...base, timeouts: { totalMs: 2 ** 31 } })).toThrow(
      RangeError,
    );
  });

  it('keeps the base URL path and drops its trailing slash', () => {
    const provider = track(
      createOpenAIProvider({ baseUrl: 'https://gateway.example/openai/v1/', apiKey: 'k-123' }),
    );
    expect(provider.baseUrl).toBe('https://gateway.example/openai/v1');
  });

  it('refuses a query in the base URL without repeating it (a gateway key may be there)', () => {
    expect(() =>
      createOpenAIProvider({
        baseUrl: 'https://gateway.example/v1?key=sk-query-SECRET',
        apiKey: 'k',
      }),
    ).toThrow(
      new RangeError(
        'Expected `baseUrl` to be a URL without query or fragment (a key goes in `apiKey`, other parameters in `headers`), got `"https://gateway.example/v1?[redacted]"` (string)',
      ),
    );
  });
});
