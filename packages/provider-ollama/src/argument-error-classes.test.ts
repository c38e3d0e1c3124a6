// The house rule for bad input (CONTRIBUTING.md, Options and errors): a value of the right type
// that is wrong is a RangeError; a wrong type or an unknown key is a TypeError. Each mistake below
// is the provider's own check (the shared ones of @x/provider-core and @x/internal have their own
// tests), and each is refused before anything is sent.

import { refusedWith } from '@x/internal/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { refusal } from './__fixtures__/refusal';
import { createOllamaProvider, type OllamaProvider } from './provider';

describe('createOllamaProvider', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each([
    ['', 'empty'],
    ['  ', 'blank'],
    ['ftp://h', 'another scheme'],
    ['http//h', 'a scheme with a typo'],
    ['http://h:99999', 'no URL at all'],
    ['http://u:pw@h:11434', 'credentials'],
    ['http://h:11434/?a=1', 'a query'],
    ['http://h:11434/#top', 'a fragment'],
    ['http://h:11434/api/chat', 'an endpoint'],
    ['http://h:11434/v1/chat/completions', "the OpenAI layer's endpoint"],
  ])('refuses baseUrl %j (%s) with a RangeError naming it', (baseUrl) => {
    const error = refusal({ baseUrl });
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toMatch(/^Expected `baseUrl` to be /);
    expect(error.message).not.toContain('pw@');
  });

  it('refuses OLLAMA_HOST of the wrong shape with a RangeError naming the variable', () => {
    vi.stubEnv('OLLAMA_HOST', 'http://u:pw@h:11434');
    const error = refusal({ baseUrl: undefined });
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toMatch(/^Expected `OLLAMA_HOST` to be a URL without credentials/);
  });

  it.each([
    ['null', null],
    ['a number', 11434],
    ['a URL object', new URL('http://h:11434')],
  ])('refuses baseUrl as %s, not a string, with a TypeError', (_, baseUrl) => {
    expect(refusal({ baseUrl })).toBeInstanceOf(TypeError);
  });

  it('refuses an empty apiKey with the RangeError of a blank one, never showing it', () => {
    expect(refusal({ apiKey: '' })).toEqual(
      new RangeError('Expected `apiKey` to be a non-empty string, got `[redacted]` (string)'),
    );
  });
});

describe('requests of the right type with a wrong value', () => {
  let provider: OllamaProvider;
  let sent = 0;

  afterEach(async () => {
    await provider.close();
  });

  function open(): OllamaProvider {
    sent = 0;
    provider = createOllamaProvider({
      baseUrl: 'http://127.0.0.1:9',
      retry: false,
      tokens: false,
      cache: false,
      transport: async () => {
        sent++;
        throw new Error('nothing is sent for a refused request');
      },
    });
    return provider;
  }

  const chat = (fields: object) => () =>
    provider.complete({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'hi' }],
      ...fields,
    } as never);
  const generate = (fields: object) => () =>
    provider.generate({ model: 'llama3.2', prompt: 'hi', ...fields } as never);
  const embed = (fields: object) => () =>
    provider.embed({ model: 'nomic-embed-text', input: 'hi', ...fields } as never);
  const DIGEST = `sha256:${'a'.repeat(64)}`;

  it.each([
    ['keepAlive "10" (no unit)', chat({ keepAlive: '10' }), 'RangeError', 'request.keepAlive'],
    ['keepAlive NaN', chat({ keepAlive: Number.NaN }), 'RangeError', 'request.keepAlive'],
    ['keepAlive Infinity', embed({ keepAlive: Infinity }), 'RangeError', 'request.keepAlive'],
    ['keepAlive true', chat({ keepAlive: true }), 'TypeError', 'request.keepAlive'],
    ['format "yaml"', chat({ format: 'yaml' }), 'RangeError', 'request.format'],
    ['format 42', generate({ format: 42 }), 'TypeError', 'request.format'],
    ['think "extreme"', chat({ think: 'extreme' }), 'RangeError', 'request.think'],
    ['think 1', generate({ think: 1 }), 'TypeError', 'request.think'],
    [
      'topLogprobs with logprobs false',
      chat({ topLogprobs: 2, logprobs: false }),
      'RangeError',
      'request.logprobs',
    ],
    ['topLogprobs without logprobs', generate({ topLogprobs: 2 }), 'TypeError', 'request.logprobs'],
    ['context [1, -2]', generate({ context: [1, -2] }), 'RangeError', 'request.context[1]'],
    ['context [1.5]', generate({ context: [1.5] }), 'RangeError', 'request.context[0]'],
    ['context ["1"]', generate({ context: ['1'] }), 'TypeError', 'request.context[0]'],
    ['context "1,2"', generate({ context: '1,2' }), 'TypeError', 'request.context'],
    [
      'raw with a system',
      generate({ raw: true, system: 'Be brief.' }),
      'RangeError',
      'request.system',
    ],
    ['raw with a context', generate({ raw: true, context: [1] }), 'RangeError', 'request.context'],
    ['input ""', embed({ input: '' }), 'RangeError', 'request.input'],
    ['input 5', embed({ input: 5 }), 'TypeError', 'request.input'],
    ['pull of a blank model', () => provider.pull({ model: ' ' }), 'RangeError', 'request.model'],
    ['pull of model 5', () => provider.pull({ model: 5 as never }), 'TypeError', 'request.model'],
    ['push of an empty model', () => provider.push({ model: '' }), 'RangeError', 'request.model'],
    [
      'create of a blank model',
      () => provider.create({ model: '', from: 'x' }),
      'RangeError',
      'request.model',
    ],
    ['deleteModel("")', () => provider.deleteModel(''), 'RangeError', 'model'],
    ['show(" ")', () => provider.show(' '), 'RangeError', 'model'],
    ['modelInfo("")', () => provider.modelInfo(''), 'RangeError', 'model'],
    ['modelInfo(5)', () => provider.modelInfo(5 as never), 'TypeError', 'model'],
    [
      'copyModel to a blank name',
      () => provider.copyModel({ source: 'a', destination: ' ' }),
      'RangeError',
      'request.destination',
    ],
    ['hasBlob("sha256:xyz")', () => provider.hasBlob('sha256:xyz'), 'RangeError', 'digest'],
    ['hasBlob(5)', () => provider.hasBlob(5 as never), 'TypeError', 'digest'],
    [
      'pushBlob with digest "nope"',
      () => provider.pushBlob(new Uint8Array([1]), { digest: 'nope' }),
      'RangeError',
      'options.digest',
    ],
    [
      'create with a file digest "sha256:xyz"',
      () => provider.create({ model: 'q', files: { 'a.gguf': 'sha256:xyz' } }),
      'RangeError',
      'request.files["a.gguf"]',
    ],
    [
      'create with a file digest 5',
      () => provider.create({ model: 'q', files: { 'a.gguf': 5 as never, 'b.gguf': DIGEST } }),
      'TypeError',
      'request.files["a.gguf"]',
    ],
  ])('refuses %s with a %s naming the field, sending nothing', async (_, call, type, name) => {
    open();
    const error = await refusedWith(call);
    expect(error.name).toBe(type);
    expect(error).toBeInstanceOf(type === 'RangeError' ? RangeError : TypeError);
    expect(error.message).toContain(`Expected \`${name}\` to be `);
    expect(sent).toBe(0);
  });
});
