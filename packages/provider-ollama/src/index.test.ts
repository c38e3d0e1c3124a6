import { describe, expect, it } from 'vitest';

describe('index', () => {
  it('exports exactly the public API', async () => {
    expect(Object.keys(await import('./index')).sort()).toMatchInlineSnapshot(`
      [
        "CircuitOpenError",
        "ContextOverflowError",
        "IncompleteStreamError",
        "ModelNotFoundError",
        "OllamaApiError",
        "OllamaConnectionError",
        "OllamaError",
        "OllamaProvider",
        "OllamaStreamError",
        "OllamaTimeoutError",
        "ProviderClosedError",
        "RateLimitedError",
        "ServerBusyError",
        "createOllamaProvider",
        "createRetryPolicy",
        "isCircuitOpenError",
        "isContextOverflowError",
        "isIncompleteStreamError",
        "isModelNotFoundError",
        "isOllamaApiError",
        "isOllamaConnectionError",
        "isOllamaError",
        "isOllamaStreamError",
        "isOllamaTimeoutError",
        "isProviderClosedError",
        "isRateLimitedError",
        "isServerBusyError",
        "prometheusText",
        "registerPromClient",
      ]
    `);
  });
});
