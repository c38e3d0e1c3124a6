// An OpenAI-compatible server takes any model name: a newline or a bidi override (U+202E turns the
// rest of a line around) in one must reach an error message escaped, never raw.
import { describe, expect, it } from 'vitest';
import { completion, errorBody, json } from './__fixtures__/server';
import { ask, chats, setup } from './__fixtures__/setup';
import { ContextOverflowError, isModelNotFoundError, ModelNotFoundError } from './errors';

const RAW = /[\n\u202e]/;

const notFound = json(
  404,
  errorBody('The model does not exist', 'invalid_request_error', 'model_not_found'),
);

describe('model names in error messages', () => {
  it('escapes a bidi override in the ModelNotFoundError of a call', async () => {
    const { provider } = await setup({ '/chat/completions': notFound }, { retry: false });
    const error = await provider
      .complete({ ...ask(), model: 'gpt\u202e4o' })
      .catch((e: unknown) => e as Error);
    expect(isModelNotFoundError(error)).toBe(true);
    expect(error.message).toMatch(/^Model "gpt\\u202e4o" was not found on /);
    expect(error.message).not.toMatch(RAW);
    expect(error).toMatchObject({ model: 'gpt\u202e4o' });
  });

  it('escapes a newline in a ModelNotFoundError built by hand', () => {
    const error = new ModelNotFoundError({
      model: 'gpt\n4o',
      serverMessage: 'no such model',
      endpoint: '/chat/completions',
    });
    expect(error.message).toBe(
      'Model "gpt\\n4o" was not found on OpenAI (or the key may not use it): no such model',
    );
  });

  it("escapes a bidi override in the ollama preset's ContextOverflowError and its hint", async () => {
    const { server, provider } = await setup(
      { '/chat/completions': json(200, completion({ content: 'hi' })) },
      { preset: 'ollama' },
    );
    const error = await provider
      .complete({ ...ask('word '.repeat(6_000)), model: 'llama\u202e3.2' })
      .catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(ContextOverflowError);
    expect(chats(server)).toHaveLength(0);
    expect(error.message).toContain('context window of "llama\\u202e3.2"');
    expect(error.message).toContain('`contextWindows: { "llama\\u202e3.2": <CONTEXT> }`');
    expect(error.message).not.toMatch(RAW);
  });

  it('escapes a newline in a ContextOverflowError built by hand', () => {
    const error = new ContextOverflowError({ model: 'gpt\n4o', source: 'server' });
    expect(error.message).toContain('context window of "gpt\\n4o"');
    expect(error.message).not.toMatch(RAW);
  });
});
