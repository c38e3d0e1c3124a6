import { describe, expect, it } from 'vitest';
import { fixtureJson, send, user } from './__fixtures__/client';
import { keysOf, shapeOf } from './__fixtures__/shape';
import { simPerTest } from './__fixtures__/sim-per-test';

const start = simPerTest();

describe('/api/tags, /api/show, /api/ps', () => {
  it('lists models newest first with the fixture entry shape', async () => {
    const s = await start();
    const body = JSON.parse((await send(s.url, '/api/tags')).text);
    const want = fixtureJson('04-tags.json') as { models: unknown[] };
    for (const m of body.models) expect(shapeOf(m)).toEqual(shapeOf(want.models[0]));
    const dates = body.models.map((m: { modified_at: string }) => Date.parse(m.modified_at));
    expect([...dates].sort((a, b) => b - a)).toEqual(dates);
    expect(body.models.map((m: { name: string }) => m.name)).toContain('llama3.2:latest');
  });

  it('shows the trained context length under <arch>.context_length with the fixture fields', async () => {
    const s = await start({
      models: [
        {
          name: 'mistral:7b',
          family: 'mistral',
          architecture: 'llama',
          contextLength: 32768,
          numCtx: 8192,
        },
      ],
    });
    const res = await send(s.url, '/api/show', { body: { model: 'mistral:7b' } });
    const body = JSON.parse(res.text);
    const want = fixtureJson('05-show-llama3.2.json');
    const optional = new Set(['license']);
    expect(keysOf(body)).toEqual(keysOf(want).filter((k) => !optional.has(k)));
    expect(body.model_info['general.architecture']).toBe('llama');
    expect(body.model_info['llama.context_length']).toBe(32768);
    expect(keysOf(body.model_info)).toEqual([...keysOf(body.model_info)].sort());
    expect(body.parameters).toContain(`${'num_ctx'.padEnd(30)} 8192`);
    expect(body.tensors.length).toBeGreaterThan(100);
  });

  it('shows llama3.2 with exactly the fixture top-level fields and parameters', async () => {
    const s = await start();
    const res = await send(s.url, '/api/show', { body: { name: 'llama3.2' } });
    const body = JSON.parse(res.text);
    const want = fixtureJson('05-show-llama3.2.json');
    expect(keysOf(body)).toEqual(keysOf(want));
    // Over 2 KiB, Go's net/http switches to chunked encoding.
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();
    expect(body.parameters).toBe(want.parameters);
    expect(body.details).toEqual(want.details);
    expect(body.capabilities).toEqual(want.capabilities);
  });

  it('answers 404 for show of an unknown model', async () => {
    const s = await start();
    const res = await send(s.url, '/api/show', { body: { model: 'nope' } });
    expect(res.status).toBe(404);
    // ShowHandler names the model it looked up, completed with its tag.
    expect(JSON.parse(res.text)).toEqual({ error: "model 'nope:latest' not found" });
  });

  it('lists loaded runners in /api/ps with their effective context_length', async () => {
    const s = await start();
    expect((await send(s.url, '/api/ps')).text).toBe('{"models":[]}');
    await send(s.url, '/api/chat', {
      body: { model: 'llama3.2', messages: user('hi'), stream: false, options: { num_ctx: 8192 } },
    });
    const body = JSON.parse((await send(s.url, '/api/ps')).text);
    const want = fixtureJson('08-ps.json') as { models: unknown[] };
    expect(body.models).toHaveLength(1);
    expect(shapeOf(body.models[0])).toEqual(shapeOf(want.models[0]));
    expect(body.models[0].context_length).toBe(8192);
    expect(body.models[0].name).toBe('llama3.2:latest');
  });

  it('reloads the model when num_ctx changes and unloads it after keep_alive 0', async () => {
    const s = await start();
    const chat = (options: object, extra: object = {}) =>
      send(s.url, '/api/chat', {
        body: { model: 'llama3.2', messages: user('hi'), stream: false, options, ...extra },
      });
    await chat({ num_ctx: 4096 });
    await chat({ num_ctx: 4096 });
    expect(s.stats().loads).toBe(1);
    await chat({ num_ctx: 8192 });
    expect(s.stats().loads).toBe(2);
    await chat({ num_ctx: 8192 }, { keep_alive: 0 });
    expect(JSON.parse((await send(s.url, '/api/ps')).text).models).toEqual([]);
  });
});
