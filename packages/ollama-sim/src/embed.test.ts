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
    await vi.waitFor(() => expect(s.stats().active).toBe(0));
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
