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
        "OpenAIApiError",
        "OpenAIConnectionError",
        "OpenAIError",
        "OpenAIProtocolError",
        "OpenAIProvider",
        "OpenAIStreamError",
        "OpenAITimeoutError",
        "ProviderClosedError",
        "RateLimitedError",
        "ServerBusyError",
        "createOpenAIProvider",
        "createRetryPolicy",
        "isCircuitOpenError",
        "isContextOverflowError",
        "isCredentialsError",
        "isIncompleteStreamError",
        "isLocalLimitError",
        "isModelNotFoundError",
        "isOpenAIApiError",
        "isOpenAIConnectionError",
        "isOpenAIError",
        "isOpenAIProtocolError",
        "isOpenAIStreamError",
        "isOpenAITimeoutError",
        "isProviderClosedError",
        "isRateLimitedError",
        "isServerBusyError",
        "openAIPresets",
        "prometheusText",
        "registerPromClient",
      ]
    `);
  });
});
