// The house rule for bad input (CONTRIBUTING.md, Options and errors): a value of the right type
// that is wrong is a RangeError; a wrong type or an unknown key is a TypeError. Each mistake below
// gets the class @x/provider-ollama gives the same mistake (its argument-error-classes.test.ts),
// names its field, and is refused before anything is sent.

import { refusedWith } from '@x/internal/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createOpenAIProvider, type OpenAIProvider } from './provider';

const NOWHERE = 'http://127.0.0.1:9/v1';

/** The error `createOpenAIProvider` throws for these options (it must throw). */
function refusal(options: Record<string, unknown>): Error {
  try {
    createOpenAIProvider({ baseUrl: NOWHERE, apiKey: 'sk-test', ...options } as never);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected createOpenAIProvider to throw');
}

describe('createOpenAIProvider', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each([
    ['', 'empty'],
    ['not a url', 'no URL at all'],
    ['ftp://h/v1', 'another scheme'],
    ['http://u:pw@h/v1', 'credentials'],
    ['http://h/v1?a=1', 'a query'],
    ['http://h/v1#top', 'a fragment'],
    ['http://h/v1/chat/completions', 'an endpoint'],
    ['http://h/v1\n', 'a line break'],
  ])('refuses baseUrl %j (%s) with a RangeError naming it', (baseUrl) => {
    const error = refusal({ baseUrl });
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toMatch(/^Expected `baseUrl` to be /);
    expect(error.message).not.toContain('pw@');
  });

  it('refuses OPENAI_BASE_URL and a preset baseUrl of the wrong shape with a RangeError naming each', () => {
    vi.stubEnv('OPENAI_BASE_URL', 'http://u:pw@h/v1');
    const fromEnv = refusal({ baseUrl: undefined });
    expect(fromEnv).toBeInstanceOf(RangeError);
    expect(fromEnv.message).toMatch(/^Expected `OPENAI_BASE_URL` to be a URL without credentials/);
    const ofPreset = refusal({ baseUrl: undefined, preset: { name: 'p', baseUrl: 'h/v1' } });
    expect(ofPreset).toBeInstanceOf(RangeError);
    // A host without its scheme: the error shows the URL meant (schemeless-base-url.test.ts).
    expect(ofPreset.message).toMatch(
      /^Expected `preset\.baseUrl` to be an http: or https: URL: add the scheme, "http:\/\/h\/v1"/,
    );
  });

  it.each([
    ['null', null],
    ['a number', 8080],
    ['a URL object', new URL(NOWHERE)],
  ])('refuses baseUrl as %s, not a string, with a TypeError', (_, baseUrl) => {
    expect(refusal({ baseUrl })).toBeInstanceOf(TypeError);
  });

  it('refuses an empty apiKey with the RangeError @x/provider-ollama gives, never showing it', () => {
    expect(refusal({ apiKey: '' })).toEqual(
      new RangeError('Expected `apiKey` to be a non-empty string, got `[redacted]` (string)'),
    );
  });

  it.each([
    ['an apiKey with a line break', 'RangeError', 'apiKey', { apiKey: 'sk-test\nX-Injected: 1' }],
    ['an apiKey that is a number', 'TypeError', 'apiKey', { apiKey: 12345678 }],
    [
      'an authHeader that is not a header name',
      'RangeError',
      'authHeader',
      { authHeader: 'api key' },
    ],
    ['an authHeader that is a number', 'TypeError', 'authHeader', { authHeader: 5 }],
    ['an organization with a CR', 'RangeError', 'organization', { organization: 'org-1\r' }],
    ['a project no header can hold', 'RangeError', 'project', { project: 'proj-€' }],
    ['an organization that is a number', 'TypeError', 'organization', { organization: 5 }],
    [
      'a header value with an LF',
      'RangeError',
      'headers.x-team',
      { headers: { 'x-team': 'a\nb' } },
    ],
    [
      'a header value that is a number',
      'TypeError',
      'headers.x-team',
      { headers: { 'x-team': 5 } },
    ],
    ['an empty name', 'RangeError', 'name', { name: '' }],
  ])('refuses %s with a %s naming `%s`', (_, type, name, options) => {
    const error = refusal(options);
    expect(error.name).toBe(type);
    expect(error).toBeInstanceOf(type === 'RangeError' ? RangeError : TypeError);
    expect(error.message).toContain(`Expected \`${name}\` to be `);
    expect(error.message).not.toContain('sk-test');
  });
});

describe('requests of the right type with a wrong value', () => {
  let provider: OpenAIProvider;
  let sent = 0;

  afterEach(async () => {
    await provider.close();
  });

  function open(): OpenAIProvider {
    sent = 0;
    provider = createOpenAIProvider({
      // OpenAI's own host, where its API's limits (an empty text to embed) hold: the transport
      // counts what would be sent, and nothing leaves the machine.
      baseUrl: 'https://api.openai.com/v1',
      apiKey: 'sk-test',
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
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      ...fields,
    } as never);
  const stream = (fields: object) => () =>
    provider.stream({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      ...fields,
    } as never);
  const embed = (fields: object) => () =>
    provider.embed({ model: 'text-embedding-3-small', input: 'hi', ...fields } as never);
  const say = (message: object) =>
    chat({ messages: [{ role: 'user', content: 'hi', ...message }] });
  const tool = (fn: object, type = 'function') => ({ tools: [{ type, function: fn }] });

  it.each([
    ['messages []', 'RangeError', 'request.messages', chat({ messages: [] })],
    ['messages [] streamed', 'RangeError', 'request.messages', stream({ messages: [] })],
    ['messages "hi"', 'TypeError', 'request.messages', chat({ messages: 'hi' })],
    ['a blank model', 'RangeError', 'request.model', chat({ model: ' ' })],
    ['an empty model', 'RangeError', 'request.model', embed({ model: '' })],
    ['model 5', 'TypeError', 'request.model', chat({ model: 5 })],
    ['input [1, -2]', 'RangeError', 'request.input', embed({ input: [1, -2] })],
    ['input [1.5]', 'RangeError', 'request.input', embed({ input: [1.5] })],
    ['input [[1], [2 ** 53]]', 'RangeError', 'request.input', embed({ input: [[1], [2 ** 53]] })],
    ['input []', 'RangeError', 'request.input', embed({ input: [] })],
    ['input [[]]', 'RangeError', 'request.input', embed({ input: [[]] })],
    ['input [1, "2"]', 'TypeError', 'request.input', embed({ input: [1, '2'] })],
    ['input ["a", 1]', 'TypeError', 'request.input', embed({ input: ['a', 1] })],
    ['input 5', 'TypeError', 'request.input', embed({ input: 5 })],
    ['input "" (OpenAI refuses it)', 'RangeError', 'request.input', embed({ input: '' })],
    [
      'an image that is not base64',
      'RangeError',
      'request.messages[0].images[0]',
      say({ images: ['not base64 !!!'] }),
    ],
    [
      'an image that is a number',
      'TypeError',
      'request.messages[0].images[0]',
      say({ images: [5] }),
    ],
    [
      'a function named ""',
      'RangeError',
      'request.tools[0].function.name',
      chat(tool({ name: '' })),
    ],
    ['a function named 5', 'TypeError', 'request.tools[0].function.name', chat(tool({ name: 5 }))],
    ['a tool of type "fn"', 'RangeError', 'request.tools[0].type', chat(tool({ name: 'f' }, 'fn'))],
    [
      'a custom tool named ""',
      'RangeError',
      'request.tools[0].custom.name',
      chat({ tools: [{ type: 'custom', custom: { name: '' } }] }),
    ],
    ['toolChoice "always"', 'RangeError', 'request.toolChoice', chat({ toolChoice: 'always' })],
    ['toolChoice 5', 'TypeError', 'request.toolChoice', chat({ toolChoice: 5 })],
    [
      'topLogprobs with logprobs false',
      'RangeError',
      'request.logprobs',
      chat({ topLogprobs: 2, logprobs: false }),
    ],
    ['topLogprobs without logprobs', 'TypeError', 'request.logprobs', chat({ topLogprobs: 2 })],
    [
      'a JSON schema named ""',
      'RangeError',
      'request.responseFormat.jsonSchema.name',
      chat({ responseFormat: { type: 'json_schema', jsonSchema: { name: '' } } }),
    ],
  ])('refuses %s with a %s naming `%s`, sending nothing', async (_, type, name, call) => {
    open();
    const error = await refusedWith(call);
    expect(error.name).toBe(type);
    expect(error).toBeInstanceOf(type === 'RangeError' ? RangeError : TypeError);
    expect(error.message).toContain(`\`${name}\``);
    expect(sent).toBe(0);
  });
});
