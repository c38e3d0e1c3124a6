// A getApiKey() that never settles, over Ollama's wire: the tests are the test kit's
// (`itEndsGetApiKeyWaits`), each provider proving them against its own server.
import { itEndsGetApiKeyWaits } from '@x/internal/testing';
import { describe } from 'vitest';
import { ask, chatChunk, chats, collect, doneChunk, fixtureSetup } from './__fixtures__/server';
import { isOllamaTimeoutError, type OllamaProvider, ProviderClosedError } from './index';

const { setup } = fixtureSetup();

const answered = {
  '/api/chat': (_req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.end(chatChunk('Hi') + doneChunk());
  },
};

describe('getApiKey() that does not settle', () => {
  itEndsGetApiKeyWaits<OllamaProvider>({
    key: 'ollama-late-key-0123456789abcdef',
    lateKey: 'ollama-too-late-0123456789abcdef',
    start: async (getApiKey, options) => {
      const { server, provider } = await setup(answered, {
        getApiKey,
        cache: false,
        tokens: false,
        ...options,
      });
      return {
        provider,
        requests: () => server.requests,
        chatKeys: () => chats(server).map((r) => r.headers.authorization),
      };
    },
    calls: (provider) => [
      provider.complete(ask()),
      collect(provider.stream(ask())),
      provider.version(),
    ],
    complete: (provider) => provider.complete(ask()),
    content: 'Hi',
    isTimeoutError: isOllamaTimeoutError,
    ClosedError: ProviderClosedError,
  });
});
