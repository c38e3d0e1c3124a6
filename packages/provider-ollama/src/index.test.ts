import { describe, expect, it } from 'vitest';

describe('index', () => {
  it('exports exactly the public API', async () => {
    expect(Object.keys(await import('./index')).sort()).toMatchInlineSnapshot(`
      [
        "CircuitOpenError",
        "ContextOverflowError",
        "CredentialsError",
        "IncompleteStreamError",
        "LocalLimitError",
        "ModelNotFoundError",
        "OllamaApiError",
        "OllamaConnectionError",
        "OllamaError",
        "OllamaProtocolError",
        "OllamaProvider",
        "OllamaStreamError",
        "OllamaTimeoutError",
        "ProviderClosedError",
        "ServerBusyError",
        "createOllamaProvider",
        "createRetryPolicy",
        "isCircuitOpenError",
        "isContextOverflowError",
        "isCredentialsError",
        "isIncompleteStreamError",
        "isLocalLimitError",
        "isModelNotFoundError",
        "isOllamaApiError",
        "isOllamaConnectionError",
        "isOllamaError",
        "isOllamaProtocolError",
        "isOllamaStreamError",
        "isOllamaTimeoutError",
        "isProviderClosedError",
        "isServerBusyError",
        "prometheusText",
        "registerPromClient",
      ]
    `);
  });
});
