import { describe, expect, it } from 'vitest';
import { ProviderApiError, ProviderTimeoutError } from './index';

const origin = { provider: 'demo', label: 'Demo' };

describe('ProviderError as JSON', () => {
  it('keeps its name and message, which an Error leaves out, and every field', () => {
    const error = new ProviderTimeoutError({
      origin,
      timeout: 'idle',
      timeoutMs: 60_000,
      retryable: true,
    });
    const json = JSON.parse(JSON.stringify(error)) as Record<string, unknown>;
    expect(json).toMatchObject({
      name: 'ProviderTimeoutError',
      message: error.message,
      code: 'X_PROVIDER_DEMO_TIMEOUT',
      kind: 'timeout',
      retryable: true,
      timeout: 'idle',
      timeoutMs: 60_000,
    });
    expect(Object.keys(json).slice(0, 2)).toEqual(['name', 'message']);
  });

  it('holds what the error holds and nothing more: no cause, no stack', () => {
    const error = new ProviderApiError({
      origin,
      endpoint: '/reply',
      statusCode: 503,
      serverMessage: 'busy',
      retryable: true,
      cause: new Error('socket'),
    });
    const json = JSON.parse(JSON.stringify(error)) as Record<string, unknown>;
    expect(json.message).toBe(error.message);
    expect(json).not.toHaveProperty('stack');
    expect(json).not.toHaveProperty('cause');
  });
});
