// Embedding answers that are not the embeddings asked for: each fails the call with a typed error
// naming what was wrong, is not retried, and is never cached.
import { afterEach, describe, expect, it } from 'vitest';
import { type Handler, startServer, type TestServer } from '../__fixtures__/server';
import { isOllamaStreamError, OllamaStreamError } from '../errors';
import { createOllamaProvider, type OllamaProvider } from '../provider';

const servers: TestServer[] = [];
const providers: OllamaProvider[] = [];

afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const answer =
  (body: string): Handler =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(body);
  };

/** A server answering `/api/embed` with `body`, and a provider (cache on, two retries) on it. */
async function setup(body: string): Promise<{ server: TestServer; provider: OllamaProvider }> {
  const server = await startServer({ '/api/embed': answer(body) });
  servers.push(server);
  // Tokens off: no /api/show lookup before the request.
  const provider = createOllamaProvider({
    baseUrl: server.url,
    tokens: false,
    retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 1 },
  });
  providers.push(provider);
  return { server, provider };
}

const embeds = (server: TestServer) => server.requests.filter((r) => r.path === '/api/embed');

describe('OllamaProvider.embed', () => {
  it('fails with OllamaStreamError naming the counts, sent once and never cached, when no embedding answers two inputs', async () => {
    const { server, provider } = await setup('{}');
    const request = { model: 'nomic-embed-text', input: ['a', 'b'] };
    for (let call = 1; call <= 2; call++) {
      const error = await provider.embed(request).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OllamaStreamError);
      expect(isOllamaStreamError(error)).toBe(true);
      expect(error).toMatchObject({
        kind: 'stream',
        reason: 'invalid-json',
        retryable: false,
        message:
          "Ollama's /api/embed answer is not the embeddings asked for: 2 inputs, 0 embeddings",
      });
      // Not retried, and not stored: the second call asks the server again.
      expect(embeds(server)).toHaveLength(call);
    }
    expect(provider.stats()).toMatchObject({ failures: 2, cacheHits: 0 });
  });

  it.each([
    ['a null vector', '{"embeddings":[null]}', 'embedding 0 is not a list of numbers'],
    ['a string in a vector', '{"embeddings":[["a"]]}', 'embedding 0 holds a string at 0'],
    ['an empty vector', '{"embeddings":[[]]}', 'embedding 0 is empty'],
    ['a number out of range', '{"embeddings":[[0.5,1e999]]}', 'embedding 0 holds Infinity at 1'],
    ['two vectors for one input', '{"embeddings":[[0.1],[0.2]]}', '1 input, 2 embeddings'],
    ['no embeddings list', '{"embeddings":"none"}', '1 input, 0 embeddings'],
  ])('fails with OllamaStreamError when the answer has %s', async (_what, body, says) => {
    const { server, provider } = await setup(body);
    for (let call = 1; call <= 2; call++) {
      const error = await provider.embed({ model: 'm', input: 'x' }).catch((e: unknown) => e);
      expect(isOllamaStreamError(error)).toBe(true);
      expect(error).toMatchObject({ reason: 'invalid-json' });
      expect((error as Error).message).toContain(says);
      expect(embeds(server)).toHaveLength(call);
    }
  });

  it('fails when the vectors of one answer differ in length', async () => {
    const { provider } = await setup('{"embeddings":[[0.1,0.2],[0.3]]}');
    const error = await provider.embed({ model: 'm', input: ['a', 'b'] }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('embedding 1 has 1 number, embedding 0 has 2');
  });

  it('returns and caches an answer of one vector per input', async () => {
    const { server, provider } = await setup(
      '{"model":"m","embeddings":[[0.1,-0.2],[0.3,0.4]],"prompt_eval_count":2}',
    );
    const request = { model: 'm', input: ['a', 'b'] };
    await expect(provider.embed(request)).resolves.toMatchObject({
      embeddings: [
        [0.1, -0.2],
        [0.3, 0.4],
      ],
      cached: false,
    });
    await expect(provider.embed(request)).resolves.toMatchObject({ cached: true });
    expect(embeds(server)).toHaveLength(1);
  });

  it('returns no vector for no input', async () => {
    const { provider } = await setup('{"model":"m","embeddings":[]}');
    await expect(provider.embed({ model: 'm', input: [] })).resolves.toMatchObject({
      embeddings: [],
    });
  });

  it('refuses one empty string before sending: Ollama would answer no vector for it', async () => {
    const { server, provider } = await setup('{"model":"m","embeddings":[]}');
    await expect(provider.embed({ model: 'm', input: '' })).rejects.toThrow(
      /`request\.input` to be a non-empty string or an array of strings/,
    );
    expect(embeds(server)).toHaveLength(0);
  });
});
