import { describe, expect, it } from 'vitest';
import { send } from './__fixtures__/client';
import { names } from './__fixtures__/model-store';
import { simPerTest } from './__fixtures__/sim-per-test';

const start = simPerTest();

describe('/api/delete and /api/copy', () => {
  it('deletes with 200 and an empty body; the model leaves /api/tags and /api/show, its runner stays in /api/ps until it expires', async () => {
    const s = await start();
    await send(s.url, '/api/chat', {
      body: { model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }], stream: false },
    });
    const res = await send(s.url, '/api/delete', { method: 'DELETE', body: { model: 'llama3.2' } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBeUndefined();
    expect(res.body.length).toBe(0);
    expect(await names(s)).not.toContain('llama3.2:latest');
    expect((await send(s.url, '/api/show', { body: { model: 'llama3.2' } })).status).toBe(404);
    expect(await names(s, '/api/ps')).toEqual(['llama3.2:latest']);
    const again = await send(s.url, '/api/delete', {
      method: 'DELETE',
      body: { model: 'llama3.2' },
    });
    expect([again.status, JSON.parse(again.text)]).toEqual([
      404,
      { error: "model 'llama3.2' not found" },
    ]);
  });

  it('copies under a second name that serves chat, with 200 and an empty body', async () => {
    const s = await start();
    const res = await send(s.url, '/api/copy', {
      body: { source: 'llama3.2', destination: 'gpt-3.5-turbo' },
    });
    expect([res.status, res.body.length]).toEqual([200, 0]);
    expect(await names(s)).toEqual(
      expect.arrayContaining(['gpt-3.5-turbo:latest', 'llama3.2:latest']),
    );
    const chat = await send(s.url, '/api/chat', {
      body: { model: 'gpt-3.5-turbo', messages: [{ role: 'user', content: 'hi' }], stream: false },
    });
    expect(JSON.parse(chat.text).model).toBe('gpt-3.5-turbo');
  });

  it("answers Ollama's texts for a missing source and invalid names", async () => {
    const s = await start();
    const cases: [object, number, string][] = [
      [{ source: 'nope', destination: 'x' }, 404, 'model "nope" not found'],
      [{ source: '', destination: 'x' }, 400, 'source "" is invalid'],
      [{ source: 'llama3.2', destination: 'a b' }, 400, 'destination "a b" is invalid'],
    ];
    for (const [body, status, error] of cases) {
      const res = await send(s.url, '/api/copy', { body });
      expect([res.status, JSON.parse(res.text)]).toEqual([status, { error }]);
    }
    for (const [model, error] of [
      ['', 'model is required'],
      ['a b', 'name "a b" is invalid'],
    ]) {
      const del = await send(s.url, '/api/delete', { method: 'DELETE', body: { model } });
      expect([del.status, JSON.parse(del.text)]).toEqual([400, { error }]);
    }
    expect((await send(s.url, '/api/delete', { body: { model: 'llama3.2' } })).status).toBe(405);
  });
});
