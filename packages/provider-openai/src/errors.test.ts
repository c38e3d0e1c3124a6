import { isProviderError, isProviderErrorOfKind } from '@x/provider-core';
import { describe, expect, it } from 'vitest';
import {
  ContextOverflowError,
  isIncompleteStreamError,
  isModelNotFoundError,
  isOpenAIApiError,
  isOpenAIError,
  isOpenAITimeoutError,
  isRateLimitedError,
  ModelNotFoundError,
  OpenAIError,
  OpenAITimeoutError,
  RateLimitedError,
  ServerBusyError,
} from './errors';

describe('error classes', () => {
  it('carry a stable code, a name, the body fields, read-only data and a cause', () => {
    const cause = new Error('root');
    const error = new ModelNotFoundError({
      model: 'gpt-9',
      serverMessage: 'The model `gpt-9` does not exist',
      endpoint: '/chat/completions',
      type: 'invalid_request_error',
      errorCode: 'model_not_found',
      param: 'model',
      cause,
    });
    expect(error).toMatchObject({
      name: 'ModelNotFoundError',
      code: 'X_PROVIDER_OPENAI_MODEL_NOT_FOUND',
      kind: 'model-not-found',
      statusCode: 404,
      retryable: false,
      model: 'gpt-9',
      type: 'invalid_request_error',
      errorCode: 'model_not_found',
      param: 'model',
      provider: 'openai',
    });
    expect(error.cause).toBe(cause);
    expect(isOpenAIApiError(error)).toBe(true);
    expect(isProviderErrorOfKind(error, 'model-not-found')).toBe(true);
    expect(error).toBeInstanceOf(OpenAIError);
  });

  it('make a 429 retryable unless the quota is exhausted, and name the preset in messages', () => {
    const limited = new RateLimitedError({
      label: 'Groq',
      serverMessage: 'Rate limit reached',
      endpoint: '/chat/completions',
      retryAfterMs: 1500,
    });
    expect(limited).toMatchObject({ retryable: true, quotaExhausted: false, retryAfterMs: 1500 });
    expect(limited.message).toBe(
      'Groq /chat/completions answered 429 (rate limited): Rate limit reached',
    );
    const exhausted = new RateLimitedError({
      serverMessage: 'You exceeded your current quota',
      endpoint: '/chat/completions',
      errorCode: 'insufficient_quota',
    });
    expect(exhausted).toMatchObject({ retryable: false, quotaExhausted: true });
    expect(isRateLimitedError(exhausted)).toBe(true);
    expect(
      new ServerBusyError({ statusCode: 529, serverMessage: 'x', endpoint: '/e' }),
    ).toMatchObject({
      kind: 'server-busy',
      retryable: true,
    });
  });

  it('guards recognise branded objects from another copy of the package', () => {
    const foreign = Object.assign(new Error('x'), {
      [Symbol.for('@x/provider-openai/OpenAITimeoutError')]: true,
      [Symbol.for('@x/provider-openai/OpenAIError')]: true,
    });
    expect(isOpenAITimeoutError(foreign)).toBe(true);
    expect(isOpenAIError(foreign)).toBe(true);
    expect(foreign).toBeInstanceOf(OpenAIError);
    expect(isOpenAITimeoutError(new Error('x'))).toBe(false);
    expect(isOpenAITimeoutError(null)).toBe(false);
  });

  it('are provider errors of the shared kinds', () => {
    const timeout = new OpenAITimeoutError({ timeout: 'idle', timeoutMs: 10, retryable: false });
    expect(isProviderError(timeout)).toBe(true);
    expect(timeout).toMatchObject({ kind: 'timeout', code: 'X_PROVIDER_OPENAI_TIMEOUT' });
    const overflow = new ContextOverflowError({
      model: 'gpt-4',
      promptTokens: 9000,
      contextWindow: 8192,
      source: 'estimate',
    });
    expect(overflow.overflowBy).toBe(808);
    expect(isIncompleteStreamError(overflow)).toBe(false);
    expect(isModelNotFoundError(overflow)).toBe(false);
  });
});
