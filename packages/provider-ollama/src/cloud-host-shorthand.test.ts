import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createOllamaProvider } from './provider';

// The `ollama` CLI reads `OLLAMA_HOST=ollama.com` as https://ollama.com (envconfig Host(), since
// Ollama 0.13.0), not as http on port 11434: read so here, the cloud's key goes with it.

const KEY = 'cloud-key-0123456789';

/** A provider whose requests are recorded, answered by a fake `/api/version`. */
function recorded(options: { baseUrl?: string }) {
  const sent: { url: string; headers: Record<string, string> }[] = [];
  const provider = createOllamaProvider({
    ...options,
    retry: false,
    transport: async (url, request) => {
      sent.push({ url: String(url), headers: request.headers });
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json' },
        body: Readable.from([Buffer.from('{"version":"0.30.0"}')]),
      };
    },
  });
  return { provider, sent };
}

describe('ollama.com without a scheme', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each([
    ['baseUrl', (value: string) => ({ baseUrl: value })],
    [
      'OLLAMA_HOST',
      (value: string) => {
        vi.stubEnv('OLLAMA_HOST', value);
        return {};
      },
    ],
  ])('is https://ollama.com given as %s, with OLLAMA_API_KEY sent', async (_, given) => {
    vi.stubEnv('OLLAMA_API_KEY', KEY);
    for (const value of ['ollama.com', ' "ollama.com"\n']) {
      const { provider, sent } = recorded(given(value));
      try {
        expect(provider.baseUrl).toBe('https://ollama.com');
        expect(await provider.version()).toBe('0.30.0');
        expect(sent).toHaveLength(1);
        expect(sent[0]?.url).toBe('https://ollama.com/api/version');
        expect(sent[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
      } finally {
        await provider.close();
      }
    }
  });

  it.each([
    ['ollama.com:443', 'http://ollama.com:443'],
    ['ollama.com/', 'http://ollama.com:11434'],
    ['Ollama.com', 'http://ollama.com:11434'],
    ['www.ollama.com', 'http://www.ollama.com:11434'],
  ])('reads %j as the CLI does, http without the key', async (value, address) => {
    vi.stubEnv('OLLAMA_API_KEY', KEY);
    const { provider, sent } = recorded({ baseUrl: value });
    try {
      expect(provider.baseUrl).toBe(address);
      await provider.version();
      expect(sent[0]?.url).toBe(`${address}/api/version`);
      expect(sent[0]?.headers).not.toHaveProperty('authorization');
    } finally {
      await provider.close();
    }
  });
});
