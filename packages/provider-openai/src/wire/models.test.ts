// A 200 `/models` answer that is not a model list fails listModels() with the typed invalid-json
// error (as a wrong-shaped /embeddings answer does), never an empty list; the lists real servers
// send, Ollama's empty `data: null` included, are still read.
import { describe, expect, it } from 'vitest';
import { json } from '../__fixtures__/server';
import { setup } from '../__fixtures__/setup';
import { isOpenAIStreamError } from '../errors';
import { parseModelList } from './models';

/** A scrub that leaves every text as it is: these tests read shapes, not secrets. */
const asIs = { redact: (text: string) => text };

describe('OpenAIProvider.listModels with an answer that is not a model list', () => {
  it.each([
    '{"error":"unauthorized"}',
    '[]',
    '{"object":"list","data":{}}',
    '{"data":[null,7,"x"]}',
    '{"data":[{"object":"model"}]}',
  ])('refuses %s with the invalid-json stream error', async (body) => {
    const { provider } = await setup({ '/models': json(200, body) }, { retry: false });
    const error = await provider.listModels().catch((e) => e);
    expect(isOpenAIStreamError(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'invalid-json' });
    expect(error.message).toMatch(/\/models answer is not a model list: /);
    expect(provider.models).toBeUndefined();
  });
});

describe('model lists servers send', () => {
  it('reads an empty list, `data: null` (Ollama with no models) and a list without `data`', () => {
    expect(parseModelList({ object: 'list', data: [] }, 'OpenAI', asIs)).toEqual([]);
    expect(parseModelList({ object: 'list', data: null }, 'OpenAI', asIs)).toEqual([]);
    expect(parseModelList({ object: 'list' }, 'OpenAI', asIs)).toEqual([]);
  });

  it('takes an entry with only its id', async () => {
    const { provider } = await setup(
      { '/models': json(200, { object: 'list', data: [{ id: 'm' }] }) },
      { retry: false },
    );
    expect(await provider.listModels()).toEqual([
      { id: 'm', ownedBy: undefined, created: undefined, contextLength: undefined },
    ]);
  });

  it('names the entry that is wrong, never its content, under the label given', () => {
    expect(() => parseModelList({ data: [{ id: 'a' }, 'sk-secret'] }, 'Groq', asIs)).toThrow(
      "Groq's /models answer is not a model list: data[1] is a string",
    );
  });
});

describe('OpenAIProvider.listModels and timeouts.totalMs', () => {
  it('ends at totalMs with timeout "total", retries included, on a server that never answers', async () => {
    const { provider } = await setup(
      { '/models': () => {} },
      {
        retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 2 },
        breaker: false,
        timeouts: { totalMs: 400, firstTokenMs: 1_000 },
      },
    );
    const started = performance.now();
    const error = await provider.listModels().catch((e) => e);
    expect(error).toMatchObject({ kind: 'timeout', timeout: 'total', timeoutMs: 400 });
    // Without the total deadline the three attempts would wait 1 s each for a first byte: 3 s.
    // Well below that, with room for a loaded runner (400 ms can take over 1 s there).
    expect(performance.now() - started).toBeLessThan(2_500);
  });
});
