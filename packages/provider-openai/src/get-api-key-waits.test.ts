// A getApiKey() that never settles, over OpenAI's wire: the tests are the test kit's
// (`itEndsGetApiKeyWaits`), each provider proving them against its own server.
import { itEndsGetApiKeyWaits } from '@x/internal/testing';
import { describe } from 'vitest';
import { hello } from './__fixtures__/server';
import { ask, chats, collect, setup } from './__fixtures__/setup';
import { isOpenAITimeoutError, type OpenAIProvider, ProviderClosedError } from './index';

describe('getApiKey() that does not settle', () => {
  itEndsGetApiKeyWaits<OpenAIProvider>({
    key: 'sk-proj-late-key-0123456789abcdef',
    lateKey: 'sk-proj-too-late-0123456789abcdef',
    start: async (getApiKey, options) => {
      const { server, provider } = await setup(
        { '/chat/completions': hello },
        { apiKey: undefined, getApiKey, cache: false, ...options },
      );
      return {
        provider,
        requests: () => server.requests,
        chatKeys: () => chats(server).map((r) => r.headers.authorization),
      };
    },
    calls: (provider) => [
      provider.complete(ask()),
      collect(provider.stream(ask())),
      provider.listModels(),
    ],
    complete: (provider) => provider.complete(ask()),
    content: 'Hello! How can I help?',
    isTimeoutError: isOpenAITimeoutError,
    ClosedError: ProviderClosedError,
  });
});
