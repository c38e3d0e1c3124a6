import { describe, expect, it } from 'vitest';
import {
  EncodingLoadError,
  isEncodingLoadError,
  isNoExactTokenizerError,
  isTokensError,
  isUnknownModelError,
  NoExactTokenizerError,
  TokensError,
  UnknownModelError,
} from './errors';

describe('errors', () => {
  it('carry name, stable code, data and cause when constructed', () => {
    const cause = new Error('ENOENT');
    const cases = [
      [
        new NoExactTokenizerError('claude-3-haiku'),
        'NoExactTokenizerError',
        'X_TOKENS_NO_EXACT_TOKENIZER',
      ],
      [
        new UnknownModelError('acme', 'contextWindow'),
        'UnknownModelError',
        'X_TOKENS_UNKNOWN_MODEL',
      ],
      [
        new EncodingLoadError('o200k_base', 'missing', cause),
        'EncodingLoadError',
        'X_TOKENS_ENCODING_LOAD',
      ],
    ] as const;
    for (const [error, name, code] of cases) {
      expect(error).toBeInstanceOf(TokensError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(name);
      expect(error.code).toBe(code);
      expect(isTokensError(error)).toBe(true);
    }
    expect(cases[0][0].model).toBe('claude-3-haiku');
    expect(cases[1][0].message).toContain('`contextWindow`');
    expect(cases[2][0].encoding).toBe('o200k_base');
    expect(cases[2][0].cause).toBe(cause);
  });

  it('quote the model name with controls and bidi characters escaped, as other messages do', () => {
    const model = 'gpt-4o\u0000\u202e';
    expect(new NoExactTokenizerError(model).message).toMatch(
      /^No exact tokenizer for model "gpt-4o\\u0000\\u202e": /,
    );
    expect(new UnknownModelError(model, 'contextWindow').message).toMatch(
      /^Unknown model "gpt-4o\\u0000\\u202e": /,
    );
    expect(new NoExactTokenizerError(model).model).toBe(model);
  });

  it('are recognised by brand when the guard receives a copy from another install', () => {
    const foreign = Object.assign(new Error('x'), {
      [Symbol.for('@x/tokens/TokensError')]: true,
      [Symbol.for('@x/tokens/UnknownModelError')]: true,
    });
    expect(isTokensError(foreign)).toBe(true);
    expect(isUnknownModelError(foreign)).toBe(true);
    expect(isNoExactTokenizerError(foreign)).toBe(false);
    expect(isEncodingLoadError(new Error('x'))).toBe(false);
    expect(isTokensError(null)).toBe(false);
    expect(isTokensError('X_TOKENS_UNKNOWN_MODEL')).toBe(false);
  });
});

describe('JSON', () => {
  it('shows name, message, code and the fields of each error, never the cause', () => {
    const json = (error: Error): unknown => JSON.parse(JSON.stringify({ error })).error;
    expect(json(new UnknownModelError('acme', 'contextWindow'))).toEqual({
      name: 'UnknownModelError',
      message: 'Unknown model "acme": pass `contextWindow` or call registerModel() first',
      code: 'X_TOKENS_UNKNOWN_MODEL',
      model: 'acme',
    });
    expect(json(new EncodingLoadError('o200k_base', 'no loader', new Error('ENOENT')))).toEqual({
      name: 'EncodingLoadError',
      message: 'Cannot load encoding `o200k_base`: no loader',
      code: 'X_TOKENS_ENCODING_LOAD',
      encoding: 'o200k_base',
    });
    expect(json(new NoExactTokenizerError('m'))).toMatchObject({ model: 'm' });
  });
});
