import { describe, expect, it } from 'vitest';
import {
  createOpenAIProvider,
  isOpenAIError,
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
        "ProviderError",
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
        "isProviderError",
        "isProviderErrorOfKind",
        "isRateLimitedError",
        "isServerBusyError",
        "openAIPresets",
        "prometheusText",
        "registerPromClient",
      ]
    `);
  });

  it("re-exports provider-core's guards, which read this package's errors (a user needs no other install)", async () => {
    const provider = createOpenAIProvider({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9/v1' });
    await provider.close();
    const error = await provider
      .complete({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);
    expect(isOpenAIError(error)).toBe(true);
    expect(isProviderError(error)).toBe(true);
    expect(error).toBeInstanceOf(ProviderError);
    expect(isProviderErrorOfKind(error, 'closed')).toBe(true);
    expect(isProviderErrorOfKind(error, 'timeout')).toBe(false);
  });
});
