import { describe, expect, it } from 'vitest';
import {
  ContextOverflowError,
  IncompleteStreamError,
  isContextOverflowError,
  isIncompleteStreamError,
  isModelNotFoundError,
  isOllamaApiError,
  isOllamaError,
  isOllamaTimeoutError,
  isServerBusyError,
  ModelNotFoundError,
  OllamaTimeoutError,
  ServerBusyError,
} from './errors';

describe('error classes', () => {
  it('carry a stable code, a name, read-only data and a cause', () => {
    const cause = new Error('root');
    const error = new ModelNotFoundError({
      model: 'llama3.3:70b',
      serverMessage: "model 'llama3.3:70b' not found",
      endpoint: '/api/chat',
      cause,
    });
    expect(error).toMatchObject({
      name: 'ModelNotFoundError',
      code: 'X_PROVIDER_OLLAMA_MODEL_NOT_FOUND',
      statusCode: 404,
      retryable: false,
      model: 'llama3.3:70b',
    });
    expect(error.cause).toBe(cause);
    expect(error.message).toContain('ollama pull llama3.3:70b');
    expect(isOllamaApiError(error)).toBe(true);
    expect(isOllamaError(error)).toBe(true);
    expect(isServerBusyError(error)).toBe(false);
  });

  it('guards recognise branded objects from another copy of the package', () => {
    const foreign = Object.assign(new Error('x'), {
      [Symbol.for('@x/provider-ollama/OllamaTimeoutError')]: true,
      [Symbol.for('@x/provider-ollama/OllamaError')]: true,
    });
    expect(isOllamaTimeoutError(foreign)).toBe(true);
    expect(isOllamaError(foreign)).toBe(true);
    expect(isOllamaTimeoutError(new Error('x'))).toBe(false);
    expect(isOllamaTimeoutError(null)).toBe(false);
  });

  it('ContextOverflowError computes overflowBy from the numbers', () => {
    const error = new ContextOverflowError({
      model: 'llama2',
      promptTokens: 5000,
      reserveOutputTokens: 256,
      contextWindow: 4096,
      trainedContextLength: 4096,
      source: 'estimate',
    });
    expect(error.overflowBy).toBe(1160);
    expect(error.message).toContain('5000');
    expect(isContextOverflowError(error)).toBe(true);
  });

  it('ServerBusyError and OllamaTimeoutError say whether they are retryable', () => {
    expect(new ServerBusyError({ serverMessage: 'busy', endpoint: '/api/chat' }).retryable).toBe(
      true,
    );
    const timeout = new OllamaTimeoutError({
      timeout: 'firstToken',
      timeoutMs: 1000,
      retryable: true,
    });
    expect(timeout.message).toContain('timeouts.firstTokenMs');
    const incomplete = new IncompleteStreamError({
      partial: { content: 'a', thinking: '', toolCalls: [], chunks: 1 },
    });
    expect(isIncompleteStreamError(incomplete)).toBe(true);
    expect(incomplete.retryable).toBe(false);
    expect(isModelNotFoundError(incomplete)).toBe(false);
  });
});
