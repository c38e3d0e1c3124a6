// A model name is the caller's text: a newline, a C1 control or a bidi override (U+202E turns the
// rest of a line around) in it must reach an error message escaped, never raw.
import { describe, expect, it } from 'vitest';
import { ContextOverflowError } from './context-overflow-error';

const origin = { provider: 'test', label: 'Test' };
const RAW = /[\n\u0085\u202e]/;

describe('ContextOverflowError quotes the model name escaped', () => {
  it('escapes a bidi override in the message of an estimate', () => {
    const error = new ContextOverflowError({
      origin,
      model: 'gpt\u202e4o',
      source: 'estimate',
      promptTokens: 9,
      contextWindow: 8,
    });
    expect(error.message).toContain('context window of "gpt\\u202e4o"');
    expect(error.message).not.toMatch(RAW);
    expect(error.model).toBe('gpt\u202e4o');
  });

  it('escapes a newline and a C1 control in the message of a server refusal', () => {
    const error = new ContextOverflowError({
      origin,
      model: 'llama\n3\u0085x',
      source: 'server',
      serverMessage: 'context length exceeded',
    });
    expect(error.message).toBe(
      'The prompt is longer than the context window of "llama\\n3\\u0085x" (server: context length exceeded)',
    );
  });

  it('leaves an ordinary name as it was, in double quotes', () => {
    const error = new ContextOverflowError({ origin, model: 'llama3.2', source: 'server' });
    expect(error.message).toContain('context window of "llama3.2" (server:');
  });
});
