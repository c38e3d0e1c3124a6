import { describe, expect, it } from 'vitest';
import { fitsContext } from './context';
import { countTokens } from './count-tokens';
import { DATA_SOURCES, MODEL_SOURCES, MODELS, PRICES_AS_OF } from './data/models';
import { encodingForModel } from './encodings';
import { getModelInfo, registerModel } from './models';

describe('getModelInfo', () => {
  it('knows models of at least six providers, each with a documented source', () => {
    const providers = new Set(MODELS.map((m) => m.provider));
    expect([...providers].sort()).toEqual([
      'anthropic',
      'gemini',
      'mistral',
      'ollama',
      'openai',
      'perplexity',
    ]);
    for (const provider of providers) expect(MODEL_SOURCES[provider]).toMatch(/^https:\/\//);
    expect(PRICES_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('names a documented source and a positive context window for every built-in model', () => {
    const ids = new Set<string>();
    for (const model of MODELS) {
      const key = `${model.provider}:${model.id}`;
      expect(ids.has(key), key).toBe(false);
      ids.add(key);
      expect(Number.isInteger(model.contextWindow) && model.contextWindow > 0, key).toBe(true);
      const source = DATA_SOURCES[model.source];
      expect(source, key).toBeDefined();
      expect(source.url, key).toMatch(/^https:\/\//);
      expect(source.date, key).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(source.dateNote.length, key).toBeGreaterThan(0);
    }
    // Repository sources are pinned to the commit that was read, not to a moving branch.
    for (const source of Object.values(DATA_SOURCES)) {
      if ('commit' in source) {
        expect(source.commit).toMatch(/^[0-9a-f]{40}$/);
        expect(source.url).toContain(`/blob/${source.commit}/`);
      }
    }
    // Hosted prices carry the date of the source they were read from.
    expect(getModelInfo('claude-opus-4-5')?.pricing?.asOf).toBe(DATA_SOURCES.litellm.date);
    expect(getModelInfo('llama3.2')?.pricing?.asOf).toBe(DATA_SOURCES['ollama-fixture'].date);
  });

  it('has consistent rows: positive windows, output <= window, non-negative prices', () => {
    for (const model of MODELS) {
      expect(model.contextWindow, model.id).toBeGreaterThan(0);
      expect(model.maxOutputTokens, model.id).toBeLessThanOrEqual(model.contextWindow);
      for (const price of model.price ?? []) expect(price, model.id).toBeGreaterThanOrEqual(0);
    }
  });

  it('returns the documented context windows of local models', () => {
    expect(getModelInfo('llama2')).toMatchObject({ provider: 'ollama', contextWindow: 4096 });
    expect(getModelInfo('mistral')).toMatchObject({ provider: 'ollama', contextWindow: 8192 });
    expect(getModelInfo('llama3')?.contextWindow).toBe(8192);
    expect(getModelInfo('llama3.1')?.contextWindow).toBe(131_072);
    expect(getModelInfo('qwen2.5')?.contextWindow).toBe(32_768);
    expect(getModelInfo('gemma2')?.contextWindow).toBe(8192);
  });

  it.each([
    ['llama3.2:3b-instruct-q4_K_M', 'llama3.2'],
    ['llama3.2:latest', 'llama3.2'],
    ['LLAMA3.1:8B', 'llama3.1'],
    ['ollama/llama3', 'llama3'],
    ['library/qwen2.5:7b', 'qwen2.5'],
    ['mistral:7b-instruct-v0.2-q4_0', 'mistral'],
    ['gemma3:1b-it-qat', 'gemma3:1b'],
    ['gemma3:12b', 'gemma3'],
    ['mistral-small:24b', 'mistral-small'],
  ])('resolves the Ollama tag %s to the family %s', (name, id) => {
    const info = getModelInfo(name);
    expect(info?.id).toBe(id);
    expect(info?.provider).toBe('ollama');
    expect(info?.local).toBe(true);
    expect(info?.pricing).toMatchObject({ input: 0, output: 0 });
  });

  it.each([
    ['gpt-4o-2024-08-06', 'gpt-4o', 'openai'],
    ['openai/gpt-4o-mini', 'gpt-4o-mini', 'openai'],
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5', 'anthropic'],
    ['claude-opus-4-5-20251101', 'claude-opus-4-5', 'anthropic'],
    ['claude-3-haiku-20240307', 'claude-3-haiku', 'anthropic'],
    ['gpt-5.5-2026-04-23', 'gpt-5.5', 'openai'],
    ['gpt-5-mini-2025-08-07', 'gpt-5-mini', 'openai'],
    ['claude-opus-4-1-20250805', 'claude-opus-4-1', 'anthropic'],
    ['models/gemini-2.5-flash', 'gemini-2.5-flash', 'gemini'],
    ['gemini-2.5-flash-lite-preview-06-17', 'gemini-2.5-flash-lite', 'gemini'],
    ['mistral-large-latest', 'mistral-large', 'mistral'],
    ['mistral-large-2512', 'mistral-large', 'mistral'],
    ['mistral-large-2411', 'mistral-large-2411', 'mistral'],
    ['mistral-small', 'mistral-small', 'mistral'],
    ['sonar-pro', 'sonar-pro', 'perplexity'],
    ['GPT-4', 'gpt-4', 'openai'],
    ['gpt-4-turbo-2024-04-09', 'gpt-4-turbo', 'openai'],
    ['o4-mini-2025-04-16', 'o4-mini', 'openai'],
    ['gemini-2.5-flash-preview-05-20', 'gemini-2.5-flash', 'gemini'],
    ['claude-3-7-sonnet-latest', 'claude-3-7-sonnet', 'anthropic'],
    ['azure/gpt-4o', 'gpt-4o', 'openai'],
    ['openrouter/openai/gpt-4o-mini', 'gpt-4o-mini', 'openai'],
    ['openrouter/anthropic/claude-sonnet-4-5', 'claude-sonnet-4-5', 'anthropic'],
  ])('resolves the hosted name %s to %s (%s)', (name, id, provider) => {
    expect(getModelInfo(name)).toMatchObject({ id, provider, local: false });
  });

  it('returns encoding and prices with their date when the model is an OpenAI model', () => {
    expect(getModelInfo('gpt-4o')).toEqual({
      id: 'gpt-4o',
      provider: 'openai',
      contextWindow: 128_000,
      maxOutputTokens: 16_384,
      encoding: 'o200k_base',
      pricing: {
        input: 2.5,
        output: 10,
        cachedInput: 1.25,
        priority: { input: 4.25, output: 17, cachedInput: 2.125 },
        asOf: PRICES_AS_OF,
      },
      local: false,
    });
    expect(getModelInfo('gpt-4')?.encoding).toBe('cl100k_base');
    expect(getModelInfo('claude-sonnet-4')?.encoding).toBeNull();
  });

  it('returns the cache-write price when the source has one', () => {
    expect(getModelInfo('gpt-5.6-2026-07-01')).toMatchObject({
      id: 'gpt-5.6',
      contextWindow: 1_050_000,
      encoding: 'o200k_base',
      pricing: { input: 5, output: 30, cachedInput: 0.5, cacheWrite: 6.25 },
    });
    expect(getModelInfo('gpt-5.6-luna')?.pricing).toMatchObject({ input: 1, cacheWrite: 1.25 });
    expect(getModelInfo('claude-haiku-4-5-20251001')?.pricing).toMatchObject({ cacheWrite: 1.25 });
    // Earlier OpenAI models write to the cache for free: no write price, the input price applies.
    expect(getModelInfo('gpt-5.5')?.pricing).not.toHaveProperty('cacheWrite');
  });

  it('returns the priority prices when the source has them for the model', () => {
    expect(getModelInfo('gpt-4o-2024-08-06')?.pricing?.priority).toEqual({
      input: 4.25,
      output: 17,
      cachedInput: 2.125,
    });
    expect(getModelInfo('gpt-5.6-terra')?.pricing?.priority).toEqual({
      input: 5,
      output: 30,
      cachedInput: 0.5,
      cacheWrite: 6.25,
    });
    expect(getModelInfo('gpt-4o-2024-05-13')?.pricing?.priority).toEqual({
      input: 8.75,
      output: 26.25,
    });
    expect(getModelInfo('openai/o3')?.pricing?.priority).toMatchObject({ input: 3.5, output: 14 });
    // None in the source, or an incomplete one (gpt-5-nano's has no output price).
    for (const model of ['o1', 'o3-pro', 'gpt-5-nano', 'gpt-5-chat-latest', 'claude-opus-4-5']) {
      expect(getModelInfo(model)?.pricing).not.toHaveProperty('priority');
    }
  });

  it('returns undefined when the model is unknown', () => {
    expect(getModelInfo('no-such-model')).toBeUndefined();
    // Variants that are other models, not snapshots: no guessed price.
    expect(getModelInfo('o3-deep-research')).toBeUndefined();
    expect(getModelInfo('gpt-5.4-mini')).toBeUndefined();
    expect(getModelInfo('gpt-4o-audio-preview-x')).toBeUndefined();
    // A bare `-preview` is another model: o1-preview had 128,000 / 32,768, not o1's figures.
    expect(getModelInfo('o1-preview')).toBeUndefined();
    expect(getModelInfo('gpt-5-preview')).toBeUndefined();
    expect(getModelInfo('acme:7b')).toBeUndefined();
  });

  it('throws TypeError for a non-string name and RangeError for an empty one', () => {
    expect(() => getModelInfo('')).toThrow(
      new RangeError('Expected `model` to be a non-empty string, got `""` (string)'),
    );
    expect(() => getModelInfo(undefined as never)).toThrow(TypeError);
  });
});

describe('registerModel', () => {
  // A prefixed id was kept under its prefix, which lookups strip: nothing could find the model.
  it('registers a prefixed id under the name lookups resolve it to', () => {
    const removers = [
      'azure/my-deploy',
      'openai/My-FT',
      'models/gem-x',
      'openrouter/openai/r-x',
    ].map((id) =>
      registerModel({ id, provider: 'openai', contextWindow: 4096, encoding: 'o200k_base' }),
    );
    for (const name of [
      'azure/my-deploy',
      'my-deploy',
      'openai/my-deploy',
      'my-ft',
      'AZURE/my-ft',
      'gem-x',
      'models/gem-x',
      'r-x',
    ]) {
      expect(getModelInfo(name)?.contextWindow, name).toBe(4096);
    }
    expect(fitsContext('hello', { model: 'azure/my-deploy' }).method).toBe('exact');
    for (const remove of removers) remove();
    expect(getModelInfo('azure/my-deploy')).toBeUndefined();
    expect(() => registerModel({ id: 'azure/', provider: 'openai', contextWindow: 1 })).toThrow(
      new RangeError(
        'Expected `id` to be a model name after its provider prefix, got `"azure/"` (string)',
      ),
    );
  });

  it('adds a model and removes it again when the returned function is called', () => {
    const unregister = registerModel({
      id: 'acme-large',
      provider: 'openai',
      contextWindow: 64_000,
      maxOutputTokens: 4_000,
      pricing: { input: 1, output: 2, asOf: '2026-01-01' },
    });
    expect(getModelInfo('acme-large-2026-01-01')).toEqual({
      id: 'acme-large',
      provider: 'openai',
      contextWindow: 64_000,
      maxOutputTokens: 4_000,
      encoding: null,
      pricing: { input: 1, output: 2, asOf: '2026-01-01' },
      local: false,
    });
    unregister();
    expect(getModelInfo('acme-large')).toBeUndefined();
  });

  it('overrides a built-in model when the id is the same', () => {
    const unregister = registerModel({ id: 'mistral', provider: 'ollama', contextWindow: 32_768 });
    expect(getModelInfo('mistral:7b')).toMatchObject({
      contextWindow: 32_768,
      maxOutputTokens: 32_768,
      pricing: { input: 0, output: 0, cachedInput: 0 },
    });
    unregister();
    expect(getModelInfo('mistral:7b')?.contextWindow).toBe(8192);
  });

  it('throws TypeError or RangeError when the input is invalid', () => {
    expect(() => registerModel({ id: 'x', provider: 'acme' as never, contextWindow: 1 })).toThrow(
      RangeError,
    );
    expect(() => registerModel({ id: 'x', provider: 'openai', contextWindow: 0 })).toThrow(
      'Expected `contextWindow` to be an integer >= 1, got `0` (number)',
    );
    expect(() =>
      registerModel({ id: 'x', provider: 'openai', contextWindow: 10, encoding: 'gpt2' as never }),
    ).toThrow(RangeError);
    expect(() =>
      registerModel({
        id: 'x',
        provider: 'openai',
        contextWindow: 10,
        pricing: { input: -1, output: 0 },
      }),
    ).toThrow(RangeError);
    expect(() =>
      registerModel({
        id: 'x',
        provider: 'openai',
        contextWindow: 10,
        pricing: { input: 1, output: 1, cacheWrite: Number.NaN },
      }),
    ).toThrow('Expected `pricing.cacheWrite` to be a finite number >= 0');
  });

  it('throws naming the priority price when it is invalid', () => {
    const register = (priority: unknown) => () =>
      registerModel({
        id: 'x',
        provider: 'openai',
        contextWindow: 10,
        pricing: { input: 1, output: 1, priority: priority as never },
      });
    expect(register({ input: 2, output: -1 })).toThrow(
      'Expected `pricing.priority.output` to be a finite number >= 0, got `-1` (number)',
    );
    expect(register({ input: 2 })).toThrow('`pricing.priority.output`');
    expect(register({ input: 2, output: 2, cacheWrite: Number.NaN })).toThrow(RangeError);
    expect(register({ input: 2, output: 2, cachedInputs: 1 })).toThrow(
      'Unknown option `pricing.priority.cachedInputs`: did you mean `pricing.priority.cachedInput`?',
    );
    expect(register({ input: 2, output: 2, asOf: '2026-01-01' })).toThrow(TypeError);
    expect(register(null)).toThrow(TypeError);
  });

  it('keeps a registered priority price, without trailing empty prices', () => {
    const unregister = registerModel({
      id: 'acme-fast',
      provider: 'openai',
      contextWindow: 10_000,
      pricing: { input: 2, output: 8, priority: { input: 4, output: 16 }, asOf: '2026-01-01' },
    });
    expect(getModelInfo('acme-fast')?.pricing).toEqual({
      input: 2,
      output: 8,
      priority: { input: 4, output: 16 },
      asOf: '2026-01-01',
    });
    unregister();
    // Re-registering a built-in model without one drops its priority price (no stale price).
    const override = registerModel({
      id: 'gpt-4o',
      provider: 'openai',
      contextWindow: 128_000,
      pricing: { input: 3, output: 12 },
    });
    expect(getModelInfo('gpt-4o')?.pricing).not.toHaveProperty('priority');
    override();
    expect(getModelInfo('gpt-4o')?.pricing?.priority).toMatchObject({ input: 4.25 });
  });

  it('keeps a registered cache-write price, with or without a cached-input price', () => {
    const unregister = registerModel({
      id: 'acme-cache',
      provider: 'anthropic',
      contextWindow: 10_000,
      pricing: { input: 2, output: 8, cacheWrite: 2.5, asOf: '2026-01-01' },
    });
    expect(getModelInfo('acme-cache')?.pricing).toEqual({
      input: 2,
      output: 8,
      cacheWrite: 2.5,
      asOf: '2026-01-01',
    });
    unregister();
  });
});

describe('snapshots, fine-tuned names and overrides', () => {
  it("declines a dated snapshot older than the table's own snapshots of that model", () => {
    // gpt-3.5-turbo-0613 had a 4,096 window; OpenAI's MMDD dates carry no year to order them by.
    expect(getModelInfo('gpt-3.5-turbo-0613')).toBeUndefined();
    expect(getModelInfo('gpt-3.5-turbo-0125')?.contextWindow).toBe(16_385);
    // mistral-large-2407 is Mistral Large 2, older than the listed 2411, not Large 3.
    expect(getModelInfo('mistral-large-2407')).toBeUndefined();
    expect(getModelInfo('mistral-large-2411')?.contextWindow).toBe(128_000);
    expect(getModelInfo('mistral-large-2512')?.id).toBe('mistral-large');
    expect(getModelInfo('gpt-4o-2024-08-06')?.id).toBe('gpt-4o');
    expect(getModelInfo('claude-sonnet-4-5-20250929')?.id).toBe('claude-sonnet-4-5');
  });

  it('resolves a fine-tuned name to its base model, without the base model prices', () => {
    const info = getModelInfo('ft:gpt-4o-mini-2024-07-18:org::abc');
    expect(info).toMatchObject({ id: 'gpt-4o-mini', contextWindow: 128_000, pricing: null });
    expect(info?.encoding).toBe('o200k_base');
    const fit = fitsContext('hello', { model: 'ft:gpt-4o-mini-2024-07-18:org::abc' });
    expect(fit).toMatchObject({ fits: true, contextWindow: 128_000, method: 'exact' });
  });

  it('keeps the built-in encoding when an override gives none', () => {
    const unregister = registerModel({ id: 'gpt-4o', provider: 'openai', contextWindow: 32_000 });
    expect(getModelInfo('gpt-4o')).toMatchObject({ contextWindow: 32_000, encoding: 'o200k_base' });
    expect(encodingForModel('gpt-4o')).toBe('o200k_base');
    expect(encodingForModel('gpt-4o-2024-08-06')).toBe('o200k_base');
    expect(countTokens('tiktoken is great!', { model: 'gpt-4o' })).toBe(6);
    unregister();
    const named = registerModel({ id: 'gpt-4o-deploy', provider: 'openai', contextWindow: 9 });
    expect(encodingForModel('gpt-4o-deploy')).toBe('o200k_base');
    named();
    const none = registerModel({
      id: 'gpt-4o',
      provider: 'openai',
      contextWindow: 9,
      encoding: null,
    });
    expect(encodingForModel('gpt-4o')).toBeUndefined();
    none();
  });
});
