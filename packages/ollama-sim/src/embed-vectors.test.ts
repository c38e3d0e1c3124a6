import { describe, expect, it } from 'vitest';
import { fixture, fixtureJson, send } from './__fixtures__/client';
import { keysOf, shapeOf } from './__fixtures__/shape';
import { simPerTest } from './__fixtures__/sim-per-test';

const start = simPerTest();

describe('/api/embed', () => {
  it('answers L2-normalised vectors with the fixture shape', async () => {
    const s = await start();
    const f = fixture('17-embed.json');
    const res = await send(s.url, '/api/embed', { body: f.request.body });
    const body = JSON.parse(res.text);
    expect(shapeOf(body)).toEqual(shapeOf(fixtureJson('17-embed.json')));
    expect(body.embeddings).toHaveLength(2);
    for (const v of body.embeddings as number[][]) {
      expect(v).toHaveLength(768);
      expect(Math.hypot(...v)).toBeCloseTo(1, 4);
    }
    const again = JSON.parse((await send(s.url, '/api/embed', { body: f.request.body })).text);
    expect(again.embeddings).toEqual(body.embeddings);
  });

  it('cuts and re-normalises to dimensions', async () => {
    const s = await start();
    const body = JSON.parse(
      (
        await send(s.url, '/api/embed', {
          body: { model: 'nomic-embed-text', input: 'x', dimensions: 8 },
        })
      ).text,
    );
    expect(body.embeddings[0]).toHaveLength(8);
    expect(Math.hypot(...body.embeddings[0])).toBeCloseTo(1, 5);
  });

  it('answers {"model","embeddings":[]} for empty input', async () => {
    const s = await start();
    const res = await send(s.url, '/api/embed', { body: { model: 'nomic-embed-text', input: [] } });
    expect(res.text).toBe('{"model":"nomic-embed-text","embeddings":[]}');
  });

  it('answers 400 for over-long input when truncate is false', async () => {
    const s = await start();
    const res = await send(s.url, '/api/embed', {
      body: { model: 'nomic-embed-text', input: 'word '.repeat(4000), truncate: false },
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual({ error: 'the input length exceeds the context length' });
  });
});

describe('/api/embeddings (legacy)', () => {
  it('answers one embedding for a prompt', async () => {
    const s = await start();
    const res = await send(s.url, '/api/embeddings', {
      body: { model: 'nomic-embed-text', prompt: 'x' },
    });
    const body = JSON.parse(res.text);
    expect(keysOf(body)).toEqual(['embedding']);
    expect(body.embedding).toHaveLength(768);
  });
});
