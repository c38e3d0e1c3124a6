import { Readable } from 'node:stream';
import { errorTexts } from '@x/internal/testing';
import { describe, expect, it, vi } from 'vitest';
import { refusal } from './__fixtures__/refusal';
import { startServer } from './__fixtures__/server';
import { isCredentialsError } from './index';
import { createOllamaProvider } from './provider';

// The first-hour mistakes `createOllamaProvider` refuses at construction, each of which used to
// fail every call: a key pasted with its scheme or blank, a base URL ending in an endpoint.

describe('keys and addresses that would fail every call', () => {
  const SECRET = 'SECRET-0123456789abcdef';
  const SENT_AS =
    'it is sent as `Authorization: Bearer <key>`; a whole header value of your own goes in `headers`';

  it.each([
    ['Bearer ', `Bearer ${SECRET}`, 'Bearer'],
    ['bearer ', `bearer ${SECRET}`, 'Bearer'],
    ['Basic ', ` Basic ${SECRET}`, 'Basic'],
  ])('refuses an apiKey with %j in front, never showing it', (_, apiKey, scheme) => {
    const error = refusal({ apiKey });
    expect(error).toEqual(
      new RangeError(
        `Expected \`apiKey\` to be the key alone, without "${scheme} " in front (${SENT_AS}), got \`[redacted]\` (string)`,
      ),
    );
    expect(errorTexts([error]).join('\n')).not.toContain(SECRET.slice(0, 8));
  });

  it('refuses a blank apiKey, which would be sent as a Bearer naming nobody', () => {
    expect(refusal({ apiKey: ' \t ' })).toEqual(
      new RangeError('Expected `apiKey` to be a non-empty string, got `[redacted]` (string)'),
    );
  });

  it('refuses OLLAMA_API_KEY with a scheme in front, naming the variable', () => {
    vi.stubEnv('OLLAMA_API_KEY', `Bearer ${SECRET}`);
    try {
      const error = refusal({ baseUrl: 'https://ollama.com' });
      expect(error).toEqual(
        new RangeError(
          `Expected \`OLLAMA_API_KEY\` to be the key alone, without "Bearer " in front (${SENT_AS}), got \`[redacted]\` (string)`,
        ),
      );
      expect(errorTexts([error]).join('\n')).not.toContain(SECRET.slice(0, 8));
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('reads a blank OLLAMA_API_KEY as unset, sending no Authorization header', async () => {
    vi.stubEnv('OLLAMA_API_KEY', '   ');
    const sent: Record<string, string>[] = [];
    const provider = createOllamaProvider({
      baseUrl: 'https://ollama.com',
      retry: false,
      transport: async (_url, options) => {
        sent.push(options.headers);
        return {
          statusCode: 200,
          headers: { 'content-type': 'application/json' },
          body: Readable.from([Buffer.from('{"version":"0.30.0"}')]),
        };
      },
    });
    try {
      expect(await provider.version()).toBe('0.30.0');
      expect(sent).toHaveLength(1);
      expect(sent[0]).not.toHaveProperty('authorization');
    } finally {
      vi.unstubAllEnvs();
      await provider.close();
    }
  });

  it('ends a call whose getApiKey() returns a key with its scheme before anything is sent', async () => {
    const server = await startServer({});
    const provider = createOllamaProvider({
      baseUrl: server.url,
      retry: false,
      tokens: false,
      getApiKey: () => `Bearer ${SECRET}`,
    });
    try {
      const error = await provider.version().catch((e: unknown) => e);
      expect(isCredentialsError(error)).toBe(true);
      expect((error as Error).message).toMatch(
        /^getApiKey\(\) returned a key with "Bearer " in front/,
      );
      expect(errorTexts([error]).join('\n')).not.toContain(SECRET.slice(0, 8));
      expect(server.requests).toEqual([]);
    } finally {
      await provider.close();
      await server.close();
    }
  });

  it.each([
    ['http://localhost:11434/api/chat', '/api/chat', 'http://localhost:11434'],
    ['http://localhost:11434/api/generate/', '/api/generate', 'http://localhost:11434'],
    ['localhost:11434/api/tags', '/api/tags', 'http://localhost:11434'],
    ['0.0.0.0/api/embed', '/api/embed', 'http://127.0.0.1:11434'],
    ['https://proxy.example/ollama/api/version', '/api/version', 'https://proxy.example/ollama'],
    ['https://ollama.com/api/blobs/sha256:abc', '/api/blobs/sha256:abc', 'https://ollama.com'],
  ])(
    'refuses baseUrl %j, which ends in the endpoint %j, showing the URL to use',
    (value, endpoint, use) => {
      expect(refusal({ baseUrl: value })).toEqual(
        new RangeError(
          `Expected \`baseUrl\` to be the server's address, without the endpoint each call appends (\`${endpoint}\`): use "${use}", got \`"${value}"\` (string)`,
        ),
      );
    },
  );

  it.each([
    ['http://localhost:11434/v1/chat/completions', '/v1/chat/completions'],
    ['http://localhost:11434/v1/embeddings/', '/v1/embeddings'],
    ['http://localhost:11434/v1/models', '/v1/models'],
  ])(
    'refuses baseUrl %j, an endpoint of the OpenAI layer, showing the server to use',
    (value, endpoint) => {
      expect(refusal({ baseUrl: value })).toEqual(
        new RangeError(
          `Expected \`baseUrl\` to be the server's address, not an endpoint of its OpenAI-compatible layer (\`${endpoint}\`; for that layer use @x/provider-openai's preset "ollama"): use "http://localhost:11434", got \`"${value}"\` (string)`,
        ),
      );
    },
  );

  it('refuses OLLAMA_HOST ending in an endpoint, naming the variable', () => {
    vi.stubEnv('OLLAMA_HOST', '127.0.0.1:11434/api/chat');
    try {
      expect(refusal({ baseUrl: undefined })).toEqual(
        new RangeError(
          'Expected `OLLAMA_HOST` to be the server\'s address, without the endpoint each call appends (`/api/chat`): use "http://127.0.0.1:11434", got `"127.0.0.1:11434/api/chat"` (string)',
        ),
      );
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('keeps a path that only looks like an endpoint, and the API root written out', () => {
    const make = (baseUrl: string) => createOllamaProvider({ baseUrl }).baseUrl;
    expect(make('https://proxy.example/api/ollama')).toBe('https://proxy.example/api/ollama');
    expect(make('https://proxy.example/chat')).toBe('https://proxy.example/chat');
    expect(make('http://localhost:11434/api/')).toBe('http://localhost:11434');
  });
});
