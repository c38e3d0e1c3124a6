// Embeddings answers that are not the embeddings asked for: each fails the call with a typed
// error naming what was wrong, is not retried, and is never cached.
import { describe, expect, it } from 'vitest';
import { json, type TestServer } from '../__fixtures__/server';
import { setup } from '../__fixtures__/setup';
import { isOpenAIStreamError, OpenAIStreamError } from '../errors';

/** Little-endian float32 values as base64, as OpenAI sends them. */
function base64Of(values: number[]): string {
  const buffer = Buffer.alloc(values.length * 4);
  for (const [i, v] of values.entries()) buffer.writeFloatLE(v, i * 4);
  return buffer.toString('base64');
}

const answer = (data: unknown[]) =>
  json(200, {
    object: 'list',
    data,
    model: 'text-embedding-3-small',
    usage: { prompt_tokens: 2, total_tokens: 2 },
  });

const item = (index: unknown, embedding: unknown) => ({ object: 'embedding', index, embedding });

const embeds = (server: TestServer) => server.requests.filter((r) => r.path === '/v1/embeddings');

const retryTwice = { retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 1 } };

describe('OpenAIProvider.embed', () => {
  it('fails with OpenAIStreamError naming the counts, sent once and never cached, when three vectors answer one input', async () => {
    const { server, provider } = await setup(
      { '/embeddings': answer([item(0, [1]), item(1, ['x']), item(2, [])]) },
      { preset: 'ollama', ...retryTwice },
    );
    for (let call = 1; call <= 2; call++) {
      const error = await provider
        .embed({ model: 'nomic-embed-text', input: 'hello' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAIStreamError);
      expect(isOpenAIStreamError(error)).toBe(true);
      expect(error).toMatchObject({
        kind: 'stream',
        reason: 'invalid-json',
        retryable: false,
        message:
          "Ollama's /embeddings answer is not the embeddings asked for: 1 input, 3 embeddings",
      });
      // Not retried, and not stored: the second call asks the server again.
      expect(embeds(server)).toHaveLength(call);
    }
    expect(provider.stats()).toMatchObject({ failures: 2, cacheHits: 0 });
  });

  it.each([
    ['a null embedding', [item(0, null)], 'embedding 0 is not a list of numbers'],
    ['a string in a vector', [item(0, [0.1, 'x'])], 'embedding 0 holds a string at 1'],
    ['no item', [], '1 input, 0 embeddings'],
    ['an index out of range', [item(1, [0.1])], 'data[0].index is 1, not one of 0..0'],
    ['an index that is text', [item('0', [0.1])], 'data[0].index is a string, not one of 0..0'],
    [
      'no index on one item of two',
      [item(0, [0.1]), { embedding: [0.2] }],
      'data[1].index is undefined',
    ],
    ['an index twice', [item(0, [0.1]), item(0, [0.2])], 'index 0 appears twice'],
    ['an item that is no object', ['x'], 'data[0] is not an object'],
    ['invalid base64', [item(0, 'not*base64!')], 'embedding 0 is not base64 of float32 values'],
    [
      'base64 of no whole float32',
      [item(0, Buffer.from([1, 2, 3, 4, 5, 6]).toString('base64'))],
      'embedding 0 is not base64 of float32 values',
    ],
    ['base64 of NaN', [item(0, base64Of([0.5, Number.NaN]))], 'embedding 0 holds NaN at 1'],
    ['an empty base64 vector', [item(0, '')], 'embedding 0 is empty'],
  ])('fails with OpenAIStreamError when the answer has %s', async (_what, data, says) => {
    const input = data.length === 2 ? ['a', 'b'] : 'a';
    const { server, provider } = await setup({ '/embeddings': answer(data) }, retryTwice);
    for (let call = 1; call <= 2; call++) {
      const error = await provider
        .embed({ model: 'text-embedding-3-small', input })
        .catch((e: unknown) => e);
      expect(isOpenAIStreamError(error)).toBe(true);
      expect(error).toMatchObject({ reason: 'invalid-json' });
      expect((error as Error).message).toContain(says);
      expect(embeds(server)).toHaveLength(call);
    }
  });

  it('fails when the vectors of one answer differ in length', async () => {
    const { provider } = await setup({
      '/embeddings': answer([item(1, base64Of([1])), item(0, base64Of([1, 2]))]),
    });
    const error = await provider
      .embed({ model: 'text-embedding-3-small', input: ['a', 'b'] })
      .catch((e: unknown) => e);
    expect((error as Error).message).toContain('embedding 1 has 1 number, embedding 0 has 2');
  });

  it('returns the vectors in input order whatever the order of the items, and in answer order when none has an index', async () => {
    const { provider } = await setup({
      '/embeddings': [
        answer([item(2, [3]), item(0, [1]), item(1, [2])]),
        answer([{ embedding: [1] }, { embedding: [2] }]),
      ],
    });
    await expect(
      provider.embed({ model: 'm', input: ['a', 'b', 'c'], encodingFormat: 'float' }),
    ).resolves.toMatchObject({ embeddings: [[1], [2], [3]] });
    await expect(
      provider.embed({ model: 'm', input: ['d', 'e'], encodingFormat: 'float' }),
    ).resolves.toMatchObject({ embeddings: [[1], [2]] });
  });
});
