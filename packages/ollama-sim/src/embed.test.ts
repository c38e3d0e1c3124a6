import { describe, expect, it, vi } from 'vitest';
import { send } from './__fixtures__/client';
import { simPerTest } from './__fixtures__/sim-per-test';

const start = simPerTest();

/** An embedding model wide enough that one request takes seconds of formatting. */
const wide = { name: 'wide', capabilities: ['embedding'], embeddingLength: 65536 } as const;
const manyInputs = (n: number) => Array.from({ length: n }, (_, i) => `input ${i}`);

describe('/api/embed bounds', () => {
  it('answers 400 when a request carries more inputs than maxEmbedInputs', async () => {
    const s = await start({ maxEmbedInputs: 2 });
    const res = await send(s.url, '/api/embed', {
      body: { model: 'nomic-embed-text', input: ['a', 'b', 'c'] },
    });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(res.text)).toEqual({ error: 'too many inputs: 3, the maximum is 2' });
    expect(s.stats().embeddings).toBe(0);
  });

  it('answers 400 when inputs times dimensions exceed maxEmbedValues, and accepts fewer dimensions', async () => {
    const s = await start({ maxEmbedValues: 1000 });
    const body = { model: 'nomic-embed-text', input: ['a', 'b'] };
    const res = await send(s.url, '/api/embed', { body });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual({
      error: 'embeddings too large: 2 inputs of 768 dimensions exceed 1000 values',
    });
    const cut = await send(s.url, '/api/embed', { body: { ...body, dimensions: 500 } });
    expect(cut.status).toBe(200);
    expect(JSON.parse(cut.text).embeddings.map((e: number[]) => e.length)).toEqual([500, 500]);
  });

  // Real clock: the work is CPU time in slices, not timers.
  it('answers /api/version while a large embed is computed, on the real clock', async () => {
    const s = await start({ models: [wide] });
    const abort = new AbortController();
    const embedding = send(s.url, '/api/embed', {
      body: { model: 'wide', input: manyInputs(200) },
      signal: abort.signal,
    }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(s.stats().embeddings).toBeGreaterThan(0), { timeout: 10_000 });
    const version = await send(s.url, '/api/version');
    expect(version.status).toBe(200);
    expect(s.stats().embeddings).toBeLessThan(200);
    expect(s.stats().active).toBe(1);
    abort.abort();
    await embedding;
  });

  // Real clock: the work is CPU time in slices, not timers.
  it('stops computing when the client disconnects, on the real clock', async () => {
    const s = await start({ models: [wide] });
    const abort = new AbortController();
    const embedding = send(s.url, '/api/embed', {
      body: { model: 'wide', input: manyInputs(200) },
      signal: abort.signal,
    }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(s.stats().embeddings).toBeGreaterThan(0), { timeout: 10_000 });
    abort.abort();
    expect(await embedding).toMatchObject({ name: 'AbortError' });
    await vi.waitFor(() => expect(s.stats().active).toBe(0), { timeout: 5_000 });
    const stopped = s.stats().embeddings;
    // Time for several more vectors, had the work gone on.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(s.stats().embeddings).toBe(stopped);
    expect(stopped).toBeLessThan(200);
    expect(s.stats().aborted).toBe(1);
  });
});

describe('/api/embed with nothing to embed', () => {
  it('looks the model up and loads it before answering an empty list', async () => {
    const s = await start({ loadTimeMs: 50 });
    const unknown = await send(s.url, '/api/embed', { body: { model: 'nope', input: [] } });
    expect([unknown.status, JSON.parse(unknown.text)]).toEqual([
      404,
      { error: 'model "nope" not found, try pulling it first' },
    ]);
    for (const input of [[], '', undefined]) {
      const res = await send(s.url, '/api/embed', { body: { model: 'nomic-embed-text', input } });
      expect([res.status, res.text]).toEqual([200, '{"model":"nomic-embed-text","embeddings":[]}']);
    }
    const ps = JSON.parse((await send(s.url, '/api/ps')).text) as { models: { name: string }[] };
    expect(ps.models.map((m) => m.name)).toEqual(['nomic-embed-text:latest']);
    expect(s.stats()).toMatchObject({ loads: 1, embeddings: 0 });
  });

  it('checks the input before the model, and the name before the input', async () => {
    const s = await start();
    const cases: [object, number, string][] = [
      [{ model: 'nope', input: [1] }, 400, 'invalid input type'],
      [{ model: 'bad name', input: [1] }, 400, 'invalid model name'],
      [{ model: '', input: [] }, 404, "model '' not found"],
    ];
    for (const [body, status, error] of cases) {
      const res = await send(s.url, '/api/embed', { body });
      expect([res.status, JSON.parse(res.text)]).toEqual([status, { error }]);
    }
    expect(s.stats().loads).toBe(0);
  });
});

describe('embeddings of a model that cannot embed', () => {
  // Ollama launches llama-server with `--embedding` only for a model with pooling (the
  // `embedding` capability); EmbedHandler loads any model, and the runner refuses with its 501.
  const refusal = 'This server does not support embeddings. Start it with `--embeddings`';

  it('loads the model, then passes on llama-server’s 501 (legacy route: 500, /v1: api_error)', async () => {
    const s = await start();
    const embed = await send(s.url, '/api/embed', { body: { model: 'llama3.2', input: ['a'] } });
    expect([embed.status, JSON.parse(embed.text)]).toEqual([501, { error: refusal }]);
    const legacy = await send(s.url, '/api/embeddings', {
      body: { model: 'llama3.2', prompt: 'a' },
    });
    expect([legacy.status, JSON.parse(legacy.text)]).toEqual([500, { error: refusal }]);
    const v1 = await send(s.url, '/v1/embeddings', { body: { model: 'llama3.2', input: 'a' } });
    expect([v1.status, JSON.parse(v1.text)]).toEqual([
      501,
      { error: { message: refusal, type: 'api_error', param: null, code: null } },
    ]);
    // The runner was loaded (and stays), and nothing was embedded.
    expect(s.stats()).toMatchObject({ loads: 1, embeddings: 0, loadedModels: ['llama3.2:latest'] });
  });

  it('answers the same 501 for a model that neither completes nor embeds', async () => {
    const s = await start({ models: [{ name: 'eyes', capabilities: ['vision'] }] });
    const embed = await send(s.url, '/api/embed', { body: { model: 'eyes', input: 'a' } });
    expect([embed.status, JSON.parse(embed.text)]).toEqual([501, { error: refusal }]);
  });

  it('still answers an empty input with an empty list, and an over-long one with the 400', async () => {
    const s = await start({ defaultNumCtx: 8 });
    for (const [path, body, status, text] of [
      ['/api/embed', { model: 'llama3.2', input: [] }, 200, '{"model":"llama3.2","embeddings":[]}'],
      ['/api/embeddings', { model: 'llama3.2', prompt: '' }, 200, '{"embedding":[]}'],
      [
        '/api/embed',
        { model: 'llama3.2', input: 'far too long for the window', truncate: false },
        400,
        '{"error":"the input length exceeds the context length"}',
      ],
    ] as const) {
      const res = await send(s.url, path, { body });
      expect([path, res.status, res.text.trimEnd()]).toEqual([path, status, text]);
    }
  });

  it('embeds with any model that has the embedding capability', async () => {
    const s = await start({
      models: [{ name: 'both', capabilities: ['completion', 'embedding'] }],
    });
    const res = await send(s.url, '/api/embed', { body: { model: 'both', input: 'a' } });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).embeddings).toHaveLength(1);
  });
});

describe('/api/embed dimensions', () => {
  // As Ollama's EmbedHandler (0.11.11 to 0.33): cut and re-normalised only when 0 < dimensions <
  // the model's length; more, 0 or a negative number gives full-length vectors, and no error.
  it('answers full-length vectors for dimensions above the model length, 0 or negative', async () => {
    const s = await start();
    const full = JSON.parse(
      (await send(s.url, '/api/embed', { body: { model: 'nomic-embed-text', input: 'x' } })).text,
    ).embeddings[0] as number[];
    expect(full).toHaveLength(768);
    for (const dimensions of [769, 4096, 0, -1]) {
      const res = await send(s.url, '/api/embed', {
        body: { model: 'nomic-embed-text', input: 'x', dimensions },
      });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text).embeddings[0]).toEqual(full);
    }
    const equal = await send(s.url, '/api/embed', {
      body: { model: 'nomic-embed-text', input: 'x', dimensions: 768 },
    });
    expect(JSON.parse(equal.text).embeddings[0]).toEqual(full);
  });
});
