// Mistral's `/embeddings` (EmbeddingRequest in mistralai/platform-docs-public, public/openapi.yaml):
// `model`, `metadata`, `input` (a text or texts), `output_dimension`, `output_dtype`,
// `encoding_format`, and no other key (additionalProperties: false, a 422).
import { describe, expect, it } from 'vitest';
import { type Handler, json } from './__fixtures__/server';
import { setup } from './__fixtures__/setup';
import { createOpenAIProvider } from './provider';

const TAKEN = new Set([
  'model',
  'metadata',
  'input',
  'output_dimension',
  'output_dtype',
  'encoding_format',
]);

/** A server that checks a body as Mistral's schema does: 422 for another key or token ids. */
const mistralEmbeddings: Handler = (_req, res, received) => {
  const body = received.json ?? {};
  const extra = Object.keys(body).filter((key) => !TAKEN.has(key));
  const input = body.input;
  const texts =
    typeof input === 'string' ||
    (Array.isArray(input) && input.every((item) => typeof item === 'string'));
  if (extra.length > 0 || !texts) {
    const message = `Extra inputs are not permitted: ${extra.join(', ')}`;
    res.writeHead(422, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ object: 'error', message, type: 'invalid_request_error' }));
    return;
  }
  const size = typeof body.output_dimension === 'number' ? body.output_dimension : 4;
  const count = typeof input === 'string' ? 1 : (input as string[]).length;
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      id: 'e',
      object: 'list',
      data: Array.from({ length: count }, (_, index) => ({
        object: 'embedding',
        embedding: new Array(size).fill(0.01),
        index,
      })),
      model: body.model,
      usage: { prompt_tokens: 2, total_tokens: 2, completion_tokens: 0 },
    }),
  );
};

const mistral = { preset: 'mistral' as const, apiKey: 'k-test-aaaaaaaaaaaaaaaaaaaaaaa' };

describe("the mistral preset's embeddings", () => {
  it('sends `dimensions` as `output_dimension`', async () => {
    const { server, provider } = await setup({ '/embeddings': mistralEmbeddings }, mistral);
    const answer = await provider.embed({ model: 'codestral-embed', input: 'x', dimensions: 8 });
    expect(answer.embeddings[0]).toHaveLength(8);
    expect(server.requests[0]!.json).toEqual({
      model: 'codestral-embed',
      input: 'x',
      encoding_format: 'float',
      output_dimension: 8,
    });
  });

  it('refuses `user` up front, naming request.user, with nothing sent', async () => {
    const { server, provider } = await setup({ '/embeddings': mistralEmbeddings }, mistral);
    const failure = await provider
      .embed({ model: 'codestral-embed', input: 'x', user: 'u1' })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TypeError);
    expect(failure).toMatchObject({ unsupportedBy: 'server' });
    expect((failure as Error).message).toMatch(/^Mistral does not accept `request\.user`/);
    expect(provider.requestFields.embed.has('user')).toBe(false);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses token ids up front, with nothing sent', async () => {
    const { server, provider } = await setup({ '/embeddings': mistralEmbeddings }, mistral);
    for (const input of [[1, 2, 3], [[1, 2, 3]]]) {
      const failure = await provider
        .embed({ model: 'codestral-embed', input })
        .catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(TypeError);
      expect((failure as Error).message).toMatch(
        /^Mistral does not accept `request\.input`: token ids/,
      );
    }
    expect(provider.embeddingInput.tokenIds).toBe(false);
    expect(server.requests).toHaveLength(0);
  });

  it('leaves other presets sending `dimensions` and `user`', async () => {
    const vector = { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.5] }] };
    const { server, provider } = await setup(
      { '/embeddings': json(200, { ...vector, model: 'm' }) },
      { preset: 'vllm' },
    );
    await provider.embed({ model: 'm', input: [1, 2], dimensions: 1, user: 'u1' });
    expect(server.requests[0]!.json).toMatchObject({ dimensions: 1, user: 'u1' });
    expect(server.requests[0]!.json).not.toHaveProperty('output_dimension');
  });
});

describe('a custom preset', () => {
  it('takes `dimensionsField`, and inherits it from the preset it extends', async () => {
    const { server } = await setup({ '/embeddings': mistralEmbeddings });
    const own = createOpenAIProvider({
      preset: { name: 'gateway', baseUrl: server.url, dimensionsField: 'output_dimension' },
      apiKey: 'k-test-aaaaaaaaaaaaaaaaaaaaaaa',
      cache: false,
    });
    const extended = createOpenAIProvider({
      preset: { name: 'eu-mistral', baseUrl: server.url, extends: 'mistral' },
      apiKey: 'k-test-aaaaaaaaaaaaaaaaaaaaaaa',
      cache: false,
    });
    try {
      for (const provider of [own, extended]) {
        await provider.embed({ model: 'codestral-embed', input: ['a'], dimensions: 3 });
      }
      expect(server.requests.map((r) => r.json?.output_dimension)).toEqual([3, 3]);
    } finally {
      await Promise.all([own.close(), extended.close()]);
    }
  });

  it('refuses a `dimensionsField` other than the two known, naming both', () => {
    expect(() =>
      createOpenAIProvider({
        preset: {
          name: 'gateway',
          baseUrl: 'http://127.0.0.1:9/v1',
          dimensionsField: 'dims' as never,
        },
        apiKey: 'k-test-aaaaaaaaaaaaaaaaaaaaaaa',
      }),
    ).toThrow(/`preset\.dimensionsField` to be one of "dimensions", "output_dimension"/);
  });
});
