import { describe, expect, it } from 'vitest';
import { json } from './__fixtures__/server';
import { setup } from './__fixtures__/setup';

describe('OpenAIProvider.embed', () => {
  it('decodes base64 embeddings (the OpenAI preset asks for them) in input order', async () => {
    const vector = (values: number[]) => {
      const buffer = Buffer.alloc(values.length * 4);
      for (const [i, v] of values.entries()) buffer.writeFloatLE(v, i * 4);
      return buffer.toString('base64');
    };
    const { server, provider } = await setup({
      '/embeddings': json(200, {
        object: 'list',
        data: [
          { object: 'embedding', index: 1, embedding: vector([0.5, -0.25]) },
          { object: 'embedding', index: 0, embedding: vector([1, 0]) },
        ],
        model: 'text-embedding-3-small',
        usage: { prompt_tokens: 4, total_tokens: 4 },
      }),
    });
    const answer = await provider.embed({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    expect(answer).toMatchObject({
      model: 'text-embedding-3-small',
      embeddings: [
        [1, 0],
        [0.5, -0.25],
      ],
      usage: { promptTokens: 4, totalTokens: 4 },
      cached: false,
    });
    expect(server.requests[0]!.json).toEqual({
      model: 'text-embedding-3-small',
      input: ['a', 'b'],
      encoding_format: 'base64',
    });
  });

  it('caches embeddings under the default strategy because they are deterministic', async () => {
    const { server, provider } = await setup(
      {
        '/embeddings': json(200, {
          object: 'list',
          data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }],
          model: 'nomic-embed-text',
          usage: { prompt_tokens: 2, total_tokens: 2 },
        }),
      },
      { preset: 'ollama' },
    );
    const first = await provider.embed({ model: 'nomic-embed-text', input: 'hello' });
    const second = await provider.embed({ model: 'nomic-embed-text', input: 'hello' });
    expect(first.cached).toBe(false);
    expect(second).toMatchObject({ cached: true, embeddings: [[0.1, 0.2]] });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.json).toMatchObject({ encoding_format: 'float' });
    expect(provider.stats()).toMatchObject({ embeddings: 2, cacheHits: 1 });
  });
});
