// Real clock: the providers call a real @x/ollama-sim (nomic-embed-text: 768 dimensions) on
// 127.0.0.1. Ollama cuts vectors to `dimensions` only below the model's length; above it, it
// answers full-length vectors without a word (server/routes.go, EmbedHandler).

import { createCache } from '@x/cache';
import { startRouteServer } from '@x/internal/testing';
import { type OllamaSim, startOllamaSim } from '@x/ollama-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddingDimensionsError, isEmbeddingDimensionsError } from './embedding-dimensions-error';
import type { OllamaProviderOptions } from './options';
import { createOllamaProvider, type OllamaProvider } from './provider';

const open: Array<{ close(): Promise<unknown> }> = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function sim(): Promise<OllamaSim> {
  const started = await startOllamaSim({ loadTimeMs: 0 });
  open.push(started);
  return started;
}

/** A provider with the defaults that could hide the failure: retries, cache, a 1-failure breaker. */
function provider(url: string, options: OllamaProviderOptions = {}): OllamaProvider {
  const created = createOllamaProvider({
    baseUrl: url,
    breaker: { failureThreshold: 1 },
    ...options,
  });
  open.push(created);
  return created;
}

const embedsAt = (s: OllamaSim): number => s.requests.filter((r) => r.path === '/api/embed').length;

const MODEL = 'nomic-embed-text';

async function failure(call: Promise<unknown>): Promise<EmbeddingDimensionsError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EmbeddingDimensionsError);
  expect(error).toBeInstanceOf(RangeError);
  expect(isEmbeddingDimensionsError(error)).toBe(true);
  return error as EmbeddingDimensionsError;
}

describe('embed() with dimensions', () => {
  it('rejects with EmbeddingDimensionsError naming the field, the model and its length when dimensions exceeds it', async () => {
    const s = await sim();
    const p = provider(s.url);
    const error = await failure(p.embed({ model: MODEL, input: ['a', 'b'], dimensions: 4096 }));
    expect(error).toMatchObject({
      name: 'EmbeddingDimensionsError',
      code: 'X_PROVIDER_OLLAMA_EMBEDDING_DIMENSIONS',
      field: 'request.dimensions',
      dimensions: 4096,
      embeddingLength: 768,
      model: MODEL,
      sent: true,
      unsupportedBy: undefined,
    });
    expect(error.message).toContain('`request.dimensions` `4096`');
    expect(error.message).toContain('768');
    // Not retried, and not the server's failure: the breaker stays closed.
    expect(embedsAt(s)).toBe(1);
    expect(p.breaker?.state).toBe('closed');
  });

  it('refuses a later request for the model with too many dimensions before sending it', async () => {
    const s = await sim();
    const p = provider(s.url);
    await failure(p.embed({ model: MODEL, input: 'a', dimensions: 4096 }));
    expect(embedsAt(s)).toBe(1);
    for (const [model, dimensions] of [
      [MODEL, 769],
      [`${MODEL}:latest`, 1024],
    ] as const) {
      const refused = await failure(p.embed({ model, input: 'other', dimensions }));
      expect(refused).toMatchObject({ dimensions, embeddingLength: 768, model, sent: false });
      expect(refused.message).toContain('nothing was sent');
    }
    expect(embedsAt(s)).toBe(1);
    // What the model can give is still sent and answered.
    const equal = await p.embed({ model: MODEL, input: 'a', dimensions: 768 });
    expect(equal.embeddings[0]).toHaveLength(768);
    expect(embedsAt(s)).toBe(2);
  });

  it('answers vectors of the dimensions asked when they are equal to or fewer than the model has', async () => {
    const s = await sim();
    const p = provider(s.url);
    for (const dimensions of [768, 64, 1]) {
      const answer = await p.embed({ model: MODEL, input: ['a', 'b'], dimensions });
      expect(answer.embeddings).toHaveLength(2);
      for (const vector of answer.embeddings) expect(vector).toHaveLength(dimensions);
    }
    const full = await p.embed({ model: MODEL, input: 'a' });
    expect(full.embeddings[0]).toHaveLength(768);
  });

  it('never caches the dropped answer: a provider sharing the cache asks the server again', async () => {
    const s = await sim();
    const cache = createCache();
    const request = { model: MODEL, input: 'a', dimensions: 2048 };
    await failure(provider(s.url, { cache }).embed(request));
    expect(cache.size).toBe(0);
    const again = await failure(provider(s.url, { cache }).embed(request));
    expect(again.sent).toBe(true);
    expect(embedsAt(s)).toBe(2);
    expect(cache.size).toBe(0);
  });

  it('forgets the length of a model changed through the provider', async () => {
    const s = await sim();
    const p = provider(s.url);
    await failure(p.embed({ model: MODEL, input: 'a', dimensions: 4096 }));
    // Pulled again: it may be another model under the same name now.
    for await (const _ of p.pull({ model: MODEL }));
    await failure(p.embed({ model: MODEL, input: 'a', dimensions: 4096 }));
    expect(embedsAt(s)).toBe(2);
  });

  it('says the server ignored the field, and remembers nothing, when the vectors are longer than asked', async () => {
    const vector = JSON.stringify(Array.from({ length: 16 }, () => 0.25));
    const server = await startRouteServer({
      // A server that says no usable version (a build from source) is sent the field as asked.
      '/api/version': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"version":"0.0.0"}');
      },
      '/api/embed': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`{"model":"m","embeddings":[${vector}]}`);
      },
    });
    open.push(server);
    const p = provider(server.url, { tokens: false });
    for (let i = 0; i < 2; i++) {
      const error = await failure(p.embed({ model: 'm', input: 'a', dimensions: 8 }));
      expect(error).toMatchObject({ embeddingLength: 16, sent: true, unsupportedBy: 'server' });
      expect(error.message).toContain('ignored');
    }
    expect(server.requests.filter((r) => r.path === '/api/embed')).toHaveLength(2);
  });
});
