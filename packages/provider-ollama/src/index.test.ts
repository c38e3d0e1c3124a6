import { describe, expect, it } from 'vitest';
import {
  createOllamaProvider,
  isOllamaError,
  isProviderError,
  isProviderErrorOfKind,
  ProviderError,
} from './index';

describe('index', () => {
  it('exports exactly the public API', async () => {
    expect(Object.keys(await import('./index')).sort()).toMatchInlineSnapshot(`
      [
        "CircuitOpenError",
        "ContextOverflowError",
        "CredentialsError",
        "EmbeddingDimensionsError",
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
        "ProviderError",
        "ServerBusyError",
        "ServerTooOldError",
        "createOllamaProvider",
        "createRetryPolicy",
        "isCircuitOpenError",
        "isContextOverflowError",
        "isCredentialsError",
        "isEmbeddingDimensionsError",
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
        "isProviderError",
        "isProviderErrorOfKind",
        "isServerBusyError",
        "isServerTooOldError",
        "prometheusText",
        "registerPromClient",
      ]
    `);
  });

  it("re-exports provider-core's guards, which read this package's errors (a user needs no other install)", async () => {
    const provider = createOllamaProvider({ baseUrl: 'http://127.0.0.1:9' });
    await provider.close();
    const error = await provider
      .complete({ model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);
    expect(isOllamaError(error)).toBe(true);
    expect(isProviderError(error)).toBe(true);
    expect(error).toBeInstanceOf(ProviderError);
    expect(isProviderErrorOfKind(error, 'closed')).toBe(true);
    expect(isProviderErrorOfKind(error, 'timeout')).toBe(false);
  });
});
