import { describe, expect, it } from 'vitest';

describe('index', () => {
  it('exports exactly the public API', async () => {
    expect(Object.keys(await import('./index')).sort()).toMatchInlineSnapshot(`
      [
        "CircuitOpenError",
        "ContextOverflowError",
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
